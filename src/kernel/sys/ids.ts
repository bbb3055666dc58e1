// Identity calls: getpid, getppid, gettid, the uid/gid family (everything runs as uid 0 for now),
// set_tid_address, uname, and Pakaya's getnpid (the cluster-wide process id).
import { EFAULT } from '../errno.js';
import { npidLocal, npidNode } from '../npid.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { writeStruct } from './user-mem.js';

export const sysGetpid = (_k: SyscallContext, t: Thread): SyscallResult => t.process.pid;
export const sysGetppid = (_k: SyscallContext, t: Thread): SyscallResult => t.process.ppid;
export const sysGettid = (_k: SyscallContext, t: Thread): SyscallResult => t.tid;
export const sysGetuid = (): SyscallResult => 0;

/** set_tid_address(ptr): the word zeroed and futex-woken when this thread exits; returns the tid. */
export function sysSetTidAddress(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  t.clearChildTid = args[0]! >>> 0;
  return t.tid;
}

const UTS_FIELD = 65;

/** uname(buf): struct utsname, six 65-byte fields. */
export function sysUname(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fields = ['Linux', `pakaya-${k.host.pids.nodeId}`, '6.1.0-pakaya', '#1 Pakaya', 'riscv32', '(none)'];
  const encoder = new TextEncoder();
  const ok = writeStruct(t, args[0]!, UTS_FIELD * fields.length, (v) => {
    fields.forEach((field, i) => {
      const bytes = encoder.encode(field);
      for (let j = 0; j < bytes.length && j < UTS_FIELD - 1; j++) v.setUint8(i * UTS_FIELD + j, bytes[j]!);
    });
  });
  return ok ? 0 : -EFAULT;
}

/** getnpid(out) (Pakaya 501): struct pk_npid { uint32 node; uint32 local; }. */
/** The process's own NPID (kept across restore and migration), not one made from this node's id. */
export function sysGetnpid(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const id = t.process.npid;
  const ok = writeStruct(t, args[0]!, 8, (v) => {
    v.setUint32(0, npidNode(id), true);
    v.setUint32(4, npidLocal(id), true);
  });
  return ok ? 0 : -EFAULT;
}
