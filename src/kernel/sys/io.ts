// I/O system calls on the console descriptors: read from fd 0 (blocking until the node delivers
// input or it ends), write/writev to fd 1 and 2, close, and ioctl (no terminal: ENOTTY). Every user
// buffer is resolved before anything happens, so a bad pointer fails with EFAULT and has no effect.
import { EBADF, EFAULT, EINVAL, ENOTTY } from '../errno.js';
import { IOV_MAX, RW_MAX } from '../limits.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { PROT_READ, PROT_WRITE } from '../vm.js';

function isOpen(t: Thread, fd: number): boolean {
  return t.process.fds.has(fd);
}

/** read(fd, buf, count): fd 0 only. */
export function sysRead(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fd = args[0]!;
  const buf = args[1]! >>> 0;
  const count = Math.min(args[2]! >>> 0, RW_MAX);
  if (!isOpen(t, fd)) return -EBADF;
  if (fd !== 0) return -EBADF; // stdout/stderr are write-only
  const as = t.process.addressSpace;
  if (as.resolveRange(buf, count, PROT_WRITE) === undefined) return -EFAULT;
  if (count === 0) return 0;
  if (k.input.size === 0) {
    if (k.input.ended) return 0;
    return k.block(t, { kind: 'read', deadline: -1, addr: 0, private: false, key: '' });
  }
  const data = k.input.take(count);
  as.copyOut(buf, data);
  return data.length;
}

/** write(fd, buf, count) */
export function sysWrite(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fd = args[0]!;
  const buf = args[1]! >>> 0;
  const count = Math.min(args[2]! >>> 0, RW_MAX);
  if (!isOpen(t, fd) || fd === 0) return -EBADF;
  const data = t.process.addressSpace.copyIn(buf, count);
  if (data === undefined) return -EFAULT;
  if (count > 0) k.host.console.write(fd, data, t.process);
  return count;
}

/** writev(fd, iov, iovcnt) */
export function sysWritev(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fd = args[0]!;
  const iovAddr = args[1]! >>> 0;
  const iovcnt = args[2]!;
  if (!isOpen(t, fd) || fd === 0) return -EBADF;
  if (iovcnt < 0 || iovcnt > IOV_MAX) return -EINVAL;
  const as = t.process.addressSpace;
  const iov = as.copyIn(iovAddr, iovcnt * 8);
  if (iov === undefined) return -EFAULT;
  const view = new DataView(iov.buffer);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const len = view.getUint32(i * 8 + 4, true);
    if (len > 0x7fffffff || total + len > 0x7fffffff) return -EINVAL;
    total += len;
  }
  total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = view.getUint32(i * 8, true);
    const len = Math.min(view.getUint32(i * 8 + 4, true), RW_MAX - total);
    if (as.resolveRange(base, len, PROT_READ) === undefined) return -EFAULT;
    total += len;
  }
  total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = view.getUint32(i * 8, true);
    const len = Math.min(view.getUint32(i * 8 + 4, true), RW_MAX - total);
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

/** close(fd) */
export function sysClose(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  return t.process.fds.delete(args[0]!) ? 0 : -EBADF;
}

/** ioctl(fd, request, arg): the console is not a terminal. */
export function sysIoctl(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  return isOpen(t, args[0]!) ? -ENOTTY : -EBADF;
}

/** readv(fd, iov, iovcnt): fd 0 only; every buffer is resolved before anything is read. */
export function sysReadv(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fd = args[0]!;
  const iovcnt = args[2]!;
  if (!isOpen(t, fd) || fd !== 0) return -EBADF;
  if (iovcnt < 0 || iovcnt > IOV_MAX) return -EINVAL;
  const as = t.process.addressSpace;
  const iov = as.copyIn(args[1]! >>> 0, iovcnt * 8);
  if (iov === undefined) return -EFAULT;
  const view = new DataView(iov.buffer);
  const parts: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < iovcnt; i++) {
    const base = view.getUint32(i * 8, true);
    const len = Math.min(view.getUint32(i * 8 + 4, true), RW_MAX - total);
    if (as.resolveRange(base, len, PROT_WRITE) === undefined) return -EFAULT;
    parts.push([base, len]);
    total += len;
  }
  if (total === 0) return 0;
  if (k.input.size === 0) {
    if (k.input.ended) return 0;
    return k.block(t, { kind: 'read', deadline: -1, addr: 0, private: false, key: '' });
  }
  const data = k.input.take(total);
  let at = 0;
  for (const [base, len] of parts) {
    if (at >= data.length) break;
    const n = Math.min(len, data.length - at);
    as.copyOut(base, data.subarray(at, at + n));
    at += n;
  }
  return data.length;
}
