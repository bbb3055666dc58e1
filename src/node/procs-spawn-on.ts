// spawn_on for the daemon (Pakaya 504, issue 13 §1): the kernel's RemoteSpawner (src/kernel/hooks.ts)
// over the node's process-control service — a guest's spawn_on becomes the same spawn as `pakaya
// spawn` (content-addressed program, placement, fenced npids/ record), and its outcome goes back to
// the waiting thread as the child's NPID or a Linux errno (docs/syscalls.md).
import { ProcsError } from '../cluster/procs/errors.js';
import { type ProcsService, registryName } from '../cluster/procs/service.js';
import { EAGAIN, EINVAL, EIO, ENOENT, ENOEXEC, ETIMEDOUT } from '../kernel/errno.js';
import { REMOTE_SPAWN_ANY, type RemoteSpawner } from '../kernel/hooks.js';
import type { Kernel } from '../kernel/kernel.js';
import { parseNpid } from '../kernel/npid.js';
import { asNodeId } from '../net/node-id.js';
import type { Logger } from './logger.js';

/** Linux's EHOSTUNREACH (no such live node, or no link to it). */
const EHOSTUNREACH = 113;

/** The errno a program's spawn_on gets for a failed spawn. */
export function spawnErrno(err: unknown): number {
  if (!(err instanceof ProcsError)) return EIO;
  switch (err.code) {
    case 'no_such_node':
    case 'unavailable':
      return EHOSTUNREACH;
    case 'timeout':
      return ETIMEDOUT;
    case 'refused':
      return ENOEXEC;
    case 'need_program':
      return ENOENT;
    case 'full':
      return EAGAIN;
    case 'bad_request':
      return EINVAL;
    default:
      return EIO;
  }
}

/** The program's registry name from its path (`/bin/linger.elf` → `linger`). */
function programName(path: string | undefined): string {
  const base = path
    ?.split('/')
    .pop()
    ?.replace(/\.elf$/, '');
  return registryName(base === undefined || base === '' ? 'program' : base);
}

/** The RemoteSpawner of a daemon: each request is a ProcsService spawn; `changed` after each answer. */
export function remoteSpawner(
  kernel: Kernel,
  service: ProcsService,
  log: Logger,
  changed: () => void,
): RemoteSpawner {
  return {
    spawn: (ticket, req) => {
      const node = req.node === REMOTE_SPAWN_ANY ? undefined : asNodeId(req.node);
      if (req.node !== REMOTE_SPAWN_ANY && node === undefined) {
        kernel.remoteSpawnDone(ticket, -EHOSTUNREACH);
        return;
      }
      service
        .spawn({
          elf: req.file,
          name: programName(req.argv[0]),
          args: req.argv.slice(1),
          ...(node === undefined ? {} : { node }),
        })
        .then(
          (s) => kernel.remoteSpawnDone(ticket, parseNpid(s.npid) ?? -EIO),
          (err: unknown) => {
            log.info({ parent: req.parent, err: (err as Error).message }, 'spawn_on failed');
            kernel.remoteSpawnDone(ticket, -spawnErrno(err));
          },
        )
        .finally(changed);
    },
  };
}
