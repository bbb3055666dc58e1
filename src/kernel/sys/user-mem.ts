// Small helpers for system calls that read and write user memory: whole-structure copies that
// resolve every byte first (EFAULT with no side effect), strings and NULL-terminated arrays.
import { E2BIG, EFAULT, EINVAL, ENAMETOOLONG, ENOENT } from '../errno.js';
import { ARG_MAX, ARGV_MAX, PATH_MAX } from '../limits.js';
import type { Thread } from '../proc.js';
import { PROT_READ, PROT_WRITE } from '../vm.js';

/** Reads `len` bytes at `addr` as a little-endian DataView, or undefined on a fault. */
export function readStruct(t: Thread, addr: number, len: number): DataView | undefined {
  const bytes = t.process.addressSpace.copyIn(addr >>> 0, len);
  return bytes === undefined ? undefined : new DataView(bytes.buffer);
}

/** Writes a structure built by `fill` into user memory; false (nothing written) on a fault. */
export function writeStruct(t: Thread, addr: number, len: number, fill: (view: DataView) => void): boolean {
  const bytes = new Uint8Array(len);
  fill(new DataView(bytes.buffer));
  return t.process.addressSpace.copyOut(addr >>> 0, bytes);
}

/** True when [addr, addr+len) is writable by the thread (resolving demand pages). */
export function writable(t: Thread, addr: number, len: number): boolean {
  return t.process.addressSpace.rangeOk(addr >>> 0, len, PROT_WRITE);
}

export function readable(t: Thread, addr: number, len: number): boolean {
  return t.process.addressSpace.rangeOk(addr >>> 0, len, PROT_READ);
}

/** Reads a path; a negative errno (EFAULT, ENAMETOOLONG, ENOENT for "") on failure. */
export function readPath(t: Thread, addr: number): string | number {
  const s = t.process.addressSpace.readString(addr >>> 0, PATH_MAX);
  if (s === undefined) {
    return t.process.addressSpace.resolve(addr >>> 0, PROT_READ) < 0 ? -EFAULT : -ENAMETOOLONG;
  }
  return s === '' ? -ENOENT : s;
}

/**
 * Reads a NULL-terminated array of string pointers (argv, envp); a NULL array pointer is empty.
 * Returns a negative errno (EFAULT, E2BIG) on failure.
 */
export function readStringArray(t: Thread, addr: number): string[] | number {
  const out: string[] = [];
  if (addr === 0) return out;
  let total = 0;
  for (let i = 0; ; i++) {
    if (i > ARGV_MAX) return -E2BIG;
    const ptr = readStruct(t, (addr >>> 0) + i * 4, 4);
    if (ptr === undefined) return -EFAULT;
    const p = ptr.getUint32(0, true);
    if (p === 0) return out;
    const s = t.process.addressSpace.readString(p, ARG_MAX - total);
    if (s === undefined) return t.process.addressSpace.resolve(p, PROT_READ) < 0 ? -EFAULT : -E2BIG;
    total += s.length + 1;
    out.push(s);
  }
}

/** Reads a struct timespec64 {int64 sec; int32 nsec; pad} as ns; -EFAULT or -EINVAL on failure. */
export function readTimespec(t: Thread, addr: number): number | { ns: number } {
  const view = readStruct(t, addr, 16);
  if (view === undefined) return -EFAULT;
  const sec = Number(view.getBigInt64(0, true));
  const nsec = view.getInt32(8, true);
  if (sec < 0 || nsec < 0 || nsec >= 1e9) return -EINVAL;
  return { ns: Math.min(sec * 1e9 + nsec, Number.MAX_SAFE_INTEGER) };
}

export function writeTimespec(t: Thread, addr: number, ns: number): boolean {
  return writeStruct(t, addr, 16, (v) => {
    const sec = Math.floor(ns / 1e9);
    v.setBigInt64(0, BigInt(sec), true);
    v.setInt32(8, ns - sec * 1e9, true);
  });
}
