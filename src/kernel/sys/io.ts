// I/O system calls on the console descriptors: write and writev to fd 1 and 2. Every user buffer is
// resolved before anything is written, so a bad pointer fails with EFAULT and writes nothing.
import { EBADF, EFAULT, EINVAL } from '../errno.js';
import { IOV_MAX, RW_MAX } from '../limits.js';
import type { Thread } from '../proc.js';
import type { SyscallContext } from '../syscall-context.js';
import { PROT_READ } from '../vm.js';

function consoleFd(fd: number): boolean {
  return fd === 1 || fd === 2;
}

/** write(fd, buf, count) */
export function sysWrite(k: SyscallContext, t: Thread, args: Int32Array): number {
  const fd = args[0]!;
  const buf = args[1]! >>> 0;
  const count = Math.min(args[2]! >>> 0, RW_MAX);
  if (!consoleFd(fd)) return -EBADF;
  const data = t.process.addressSpace.copyIn(buf, count);
  if (data === undefined) return -EFAULT;
  if (count > 0) k.host.console.write(fd, data, t.process);
  return count;
}

/** writev(fd, iov, iovcnt) */
export function sysWritev(k: SyscallContext, t: Thread, args: Int32Array): number {
  const fd = args[0]!;
  const iovAddr = args[1]! >>> 0;
  const iovcnt = args[2]!;
  if (!consoleFd(fd)) return -EBADF;
  if (iovcnt < 0 || iovcnt > IOV_MAX) return -EINVAL;
  const as = t.process.addressSpace;
  const iov = as.copyIn(iovAddr, iovcnt * 8);
  if (iov === undefined) return -EFAULT;
  const view = new DataView(iov.buffer);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = view.getUint32(i * 8, true);
    const len = Math.min(view.getUint32(i * 8 + 4, true), RW_MAX - total);
    if (as.resolveRange(base, len, PROT_READ) === undefined) return -EFAULT;
    parts.push(as.copyIn(base, len) ?? new Uint8Array(0));
    total += len;
  }
  if (total > 0) {
    const data = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      data.set(part, at);
      at += part.length;
    }
    k.host.console.write(fd, data, t.process);
  }
  return total;
}
