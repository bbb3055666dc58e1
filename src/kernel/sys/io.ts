// I/O system calls on the console descriptors: read from fd 0 (blocking until the node delivers
// input or it ends), write/writev to fd 1 and 2, close, and ioctl (no terminal: ENOTTY). Every user
// buffer is resolved before anything happens, so a bad pointer fails with EFAULT and has no effect.
import { EBADF, EFAULT, EINVAL, ENOTTY, EPIPE } from '../errno.js';
import { CONSOLE_BYTE_COST, IOV_MAX, RW_MAX } from '../limits.js';
import type { Thread } from '../proc.js';
import { SIGPIPE } from '../signals.js';
import { GONE, type SyscallContext, type SyscallResult } from '../syscall-context.js';
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
    return k.block(t, { kind: 'read', deadline: -1, addr: 0, private: false, key: '', object: 0 });
  }
  const data = k.input.take(count);
  as.copyOut(buf, data);
  return data.length;
}

/**
 * A write to an output whose reader has gone (a closed pipe, as `pakaya run prog | head` leaves):
 * SIGPIPE, whose default action ends the process (status 141), and EPIPE should it survive — Linux.
 */
function brokenPipe(k: SyscallContext, t: Thread, fd: number): SyscallResult | undefined {
  if (!k.host.console.closed?.(fd, t.process)) return undefined;
  k.signal(t.process, SIGPIPE);
  return t.process.alive ? -EPIPE : GONE;
}

/** write(fd, buf, count) */
export function sysWrite(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fd = args[0]!;
  const buf = args[1]! >>> 0;
  const count = Math.min(args[2]! >>> 0, RW_MAX);
  if (!isOpen(t, fd) || fd === 0) return -EBADF;
  const broken = brokenPipe(k, t, fd);
  if (broken !== undefined) return broken;
  const data = t.process.addressSpace.copyIn(buf, count);
  if (data === undefined) return -EFAULT;
  if (count > 0) k.host.console.write(fd, data, t.process);
  k.charge(count * CONSOLE_BYTE_COST);
  return count;
}

/**
 * Reads an iovec array and resolves every buffer for `prot` (capped in total at RW_MAX, as Linux
 * caps a transfer): (address, length) pairs, or a negative errno (EINVAL, EFAULT).
 */
function iovecs(t: Thread, addr: number, count: number, prot: number): [number, number][] | number {
  if (count < 0 || count > IOV_MAX) return -EINVAL;
  const as = t.process.addressSpace;
  const iov = as.copyIn(addr >>> 0, count * 8);
  if (iov === undefined) return -EFAULT;
  const view = new DataView(iov.buffer);
  let declared = 0;
  for (let i = 0; i < count; i++) {
    declared += view.getUint32(i * 8 + 4, true);
    if (declared > 0x7fffffff) return -EINVAL;
  }
  const parts: [number, number][] = [];
  let total = 0;
  for (let i = 0; i < count; i++) {
    const base = view.getUint32(i * 8, true);
    const len = Math.min(view.getUint32(i * 8 + 4, true), RW_MAX - total);
    if (as.resolveRange(base, len, prot) === undefined) return -EFAULT;
    parts.push([base, len]);
    total += len;
  }
  return parts;
}

/** writev(fd, iov, iovcnt) */
export function sysWritev(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const fd = args[0]!;
  if (!isOpen(t, fd) || fd === 0) return -EBADF;
  const broken = brokenPipe(k, t, fd);
  if (broken !== undefined) return broken;
  const parts = iovecs(t, args[1]!, args[2]!, PROT_READ);
  if (typeof parts === 'number') return parts;
  const total = parts.reduce((n, [, len]) => n + len, 0);
  if (total > 0) {
    const data = new Uint8Array(total);
    const u8 = k.memory.u8;
    let at = 0;
    for (const [base, len] of parts) {
      for (const [off, n] of t.process.addressSpace.resolveRange(base, len, PROT_READ) ?? []) {
        data.set(u8.subarray(off, off + n), at);
        at += n;
      }
    }
    k.host.console.write(fd, data, t.process);
  }
  k.charge(total * CONSOLE_BYTE_COST);
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
  if (!isOpen(t, fd) || fd !== 0) return -EBADF;
  const parts = iovecs(t, args[1]!, args[2]!, PROT_WRITE);
  if (typeof parts === 'number') return parts;
  const total = parts.reduce((n, [, len]) => n + len, 0);
  if (total === 0) return 0;
  if (k.input.size === 0) {
    if (k.input.ended) return 0;
    return k.block(t, { kind: 'read', deadline: -1, addr: 0, private: false, key: '', object: 0 });
  }
  const data = k.input.take(total);
  let at = 0;
  for (const [base, len] of parts) {
    if (at >= data.length) break;
    const n = Math.min(len, data.length - at);
    t.process.addressSpace.copyOut(base, data.subarray(at, at + n));
    at += n;
  }
  return data.length;
}
