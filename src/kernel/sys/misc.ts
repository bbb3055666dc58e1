// getrandom(buf, len, flags): bytes from the node's random source (seeded under simulation).
import { EFAULT, EINVAL } from '../errno.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';

const GRND_NONBLOCK = 1;
const GRND_RANDOM = 2;
const GRND_INSECURE = 4;
/** Linux returns at most this many bytes per call. */
const GETRANDOM_MAX = 33554431;

export function sysGetrandom(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const flags = args[2]!;
  if ((flags & ~(GRND_NONBLOCK | GRND_RANDOM | GRND_INSECURE)) !== 0) return -EINVAL;
  if (flags & GRND_RANDOM && flags & GRND_INSECURE) return -EINVAL;
  const len = Math.min(args[1]! >>> 0, GETRANDOM_MAX);
  const as = t.process.addressSpace;
  if (as.resolveRange(args[0]! >>> 0, len, 2) === undefined) return -EFAULT;
  const bytes = new Uint8Array(len);
  k.host.random.fill(bytes);
  as.copyOut(args[0]! >>> 0, bytes);
  return len;
}
