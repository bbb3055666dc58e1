// Shared memory regions (Pakaya calls 510-513): create an object, map it (several processes may),
// grant a copy of the capability to a child, close it. The handle is a slot in the process's
// capability space with the map-read / map-write rights (and grant); a copy is derived, so revoking
// the original removes it; the frames live until the last capability and mapping are gone.
import { EACCES, EBADF, EINVAL, EMFILE, ENOMEM, ESRCH } from '../errno.js';
import { Capability } from '../ipc/cspace.js';
import { RIGHT_GRANT, RIGHT_MAP_READ, RIGHT_MAP_WRITE } from '../ipc/limits.js';
import { MAP_MAX, USER_BASE } from '../limits.js';
import type { Thread } from '../proc.js';
import { SharedMemory } from '../shm.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE, pageUp } from '../vm.js';

/** shm_create(size) -> handle (a capability slot) */
export function sysShmCreate(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const size = args[0]! >>> 0;
  if (size === 0) return -EINVAL;
  if (size > MAP_MAX) return -ENOMEM;
  const shm = new SharedMemory(k.nextShmId(), pageUp(size) / 4096, k.frames);
  shm.hold();
  return k.ipc.place(t.process.caps, new Capability(shm, RIGHT_MAP_READ | RIGHT_MAP_WRITE | RIGHT_GRANT, 0));
}

/** The shared memory object a handle names, or -errno. */
function objectOf(t: Thread, handle: number): SharedMemory | number {
  const cap = t.process.caps.get(handle);
  if (cap === undefined) return -EBADF;
  return cap.object instanceof SharedMemory ? cap.object : -EINVAL;
}

/** shm_map(handle, addr, prot) -> address */
export function sysShmMap(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const shm = objectOf(t, args[0]!);
  const hint = args[1]! >>> 0;
  const prot = args[2]!;
  if (typeof shm === 'number') return shm;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0 || hint % 4096 !== 0) return -EINVAL;
  const cap = t.process.caps.get(args[0]!)!;
  const needs =
    (prot & (PROT_READ | PROT_EXEC) ? RIGHT_MAP_READ : 0) | (prot & PROT_WRITE ? RIGHT_MAP_WRITE : 0);
  if (!cap.has(needs)) return -EACCES;
  const as = t.process.addressSpace;
  const start = as.findFree(shm.size, hint >= USER_BASE ? hint : 0);
  if (start < 0) return -ENOMEM;
  const ok = as.insert({
    start,
    end: start + shm.size,
    prot,
    name: `shm${shm.id}`,
    kind: 'shared',
    shared: shm,
    sharedPage: 0,
  });
  return ok ? start | 0 : -ENOMEM;
}

/** shm_grant(handle, pid) -> the handle number in `pid`, which must be a child of the caller */
export function sysShmGrant(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const shm = objectOf(t, args[0]!);
  if (typeof shm === 'number') return shm;
  const cap = t.process.caps.get(args[0]!)!;
  const target = k.findProcess(args[1]!);
  // No ambient authority: a handle goes only to the caller's own children (or travels by IPC).
  if (target === undefined || !target.alive || target.parent !== t.process) return -ESRCH;
  if (!cap.has(RIGHT_GRANT)) return -EACCES;
  if (target.caps.size >= target.caps.limit) return -EMFILE; // room first: a failure derives nothing
  return target.caps.insert(cap.derive(cap.rights, cap.badge));
}

/** shm_close(handle) */
export function sysShmClose(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const shm = objectOf(t, args[0]!);
  if (typeof shm === 'number') return shm;
  return k.ipc.delete(t.process.caps, args[0]!);
}
