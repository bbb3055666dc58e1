// Shared memory regions (Pakaya calls 510-513): create an object, map it (several processes may),
// grant a handle to another process, close a handle. A handle is a small integer in the process's
// handle table, inherited by fork and spawn children; the frames live until the last handle and
// mapping are gone. (Issue 5 moves handles into the capability space.)
import { EBADF, EINVAL, EMFILE, ENOMEM, ESRCH } from '../errno.js';
import { MAP_MAX, USER_BASE } from '../limits.js';
import type { Thread } from '../proc.js';
import { SharedMemory } from '../shm.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE, pageUp } from '../vm.js';

/** shm_create(size) -> handle */
export function sysShmCreate(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const size = args[0]! >>> 0;
  if (size === 0) return -EINVAL;
  if (size > MAP_MAX) return -ENOMEM;
  const p = t.process;
  if (p.handles.size >= p.limits.handles) return -EMFILE;
  const shm = new SharedMemory(k.nextShmId(), pageUp(size) / 4096, k.frames);
  shm.hold();
  const handle = p.freeHandle();
  p.handles.set(handle, shm);
  return handle;
}

/** shm_map(handle, addr, prot) -> address */
export function sysShmMap(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const shm = t.process.handles.get(args[0]!);
  const hint = args[1]! >>> 0;
  const prot = args[2]!;
  if (shm === undefined) return -EBADF;
  if ((prot & ~(PROT_READ | PROT_WRITE | PROT_EXEC)) !== 0 || hint % 4096 !== 0) return -EINVAL;
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

/** shm_grant(handle, pid) -> the handle number in process `pid` */
export function sysShmGrant(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const shm = t.process.handles.get(args[0]!);
  if (shm === undefined) return -EBADF;
  const target = k.findProcess(args[1]!);
  if (target === undefined || !target.alive) return -ESRCH;
  if (target.handles.size >= target.limits.handles) return -EMFILE;
  shm.hold();
  const handle = target.freeHandle();
  target.handles.set(handle, shm);
  return handle;
}

/** shm_close(handle) */
export function sysShmClose(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const shm = t.process.handles.get(args[0]!);
  if (shm === undefined) return -EBADF;
  t.process.handles.delete(args[0]!);
  shm.release();
  return 0;
}
