// spawn_on(node, path, argv, envp, struct pk_npid *out) (Pakaya 504): starts the program `path` (as
// for spawn, from this node's program store) on node `node` (0xffffffff: wherever placement puts
// it) through the node's RemoteSpawner, and writes the child's NPID to `out`. The calling thread
// blocks (wait kind 'spawn') until the answer comes; the call then runs again and returns 0 or the
// errno the cluster gave (ENOENT no program, EHOSTUNREACH no such node or no link, ETIMEDOUT,
// EAGAIN too many waiting, ENOEXEC a bad program, ENOSYS on a node outside a cluster).
import { EAGAIN, EFAULT, ENOSYS } from '../errno.js';
import { npidLocal, npidNode } from '../npid.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { execRequest } from './proc.js';
import { writable, writeStruct } from './user-mem.js';

const NPID_BYTES = 8;

export function sysSpawnOn(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const spawns = k.remoteSpawns;
  const out = args[4]!;
  let ticket = spawns.ticketOf(t);
  if (ticket === undefined) {
    const spawner = spawns.spawner;
    if (spawner === undefined) return -ENOSYS;
    if (!writable(t, out, NPID_BYTES)) return -EFAULT;
    const request = execRequest(k, t, args.subarray(1, 4));
    if (typeof request === 'number') return request;
    ticket = spawns.open(t);
    if (ticket === undefined) return -EAGAIN;
    spawner.spawn(ticket, {
      node: args[0]! >>> 0,
      file: request.file,
      argv: request.argv,
      envp: request.envp,
      parent: t.process.npid,
    });
  }
  const result = spawns.result(ticket);
  if (result === undefined)
    return k.block(t, {
      kind: 'spawn',
      deadline: -1,
      addr: out,
      private: false,
      key: `spawn:${ticket}`,
      object: ticket,
    });
  spawns.close(t);
  if (typeof result === 'number') return result;
  const ok = writeStruct(t, out, NPID_BYTES, (v) => {
    v.setUint32(0, npidNode(result), true);
    v.setUint32(4, npidLocal(result), true);
  });
  return ok ? 0 : -EFAULT;
}
