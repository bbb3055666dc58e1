// Memory system calls with Linux semantics: brk (brk(0) or a bad request returns the current
// break), mmap2 (anonymous private or shared; fixed, fixed-noreplace and hinted placement; the
// offset is in pages), munmap and mprotect. Mappings are demand-zero; shared ones are backed by a
// shared memory object so fork children keep sharing them.
import { EBADF, EEXIST, EINVAL, ENODEV, ENOMEM, EOPNOTSUPP } from '../errno.js';
import { HEAP_STACK_GAP, MAP_MAX, STACK_MAX, STACK_TOP, USER_BASE, USER_TOP } from '../limits.js';
import type { Thread } from '../proc.js';
import { SharedMemory } from '../shm.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE, pageUp } from '../vm.js';

const MAP_SHARED = 0x01;
const MAP_PRIVATE = 0x02;
const MAP_SHARED_VALIDATE = 0x03;
const MAP_TYPE = 0x0f;
const MAP_FIXED = 0x10;
const MAP_ANONYMOUS = 0x20;
const MAP_FIXED_NOREPLACE = 0x100000;
/** Flags accepted (and otherwise ignored): NORESERVE, POPULATE, NONBLOCK, STACK, GROWSDOWN, DENYWRITE, EXECUTABLE, LOCKED. */
const MAP_KNOWN =
  MAP_TYPE |
  MAP_FIXED |
  MAP_ANONYMOUS |
  MAP_FIXED_NOREPLACE |
  0x4000 |
  0x8000 |
  0x10000 |
  0x20000 |
  0x100 |
  0x800 |
  0x1000 |
  0x2000;
const PROT_ALL = PROT_READ | PROT_WRITE | PROT_EXEC;
/** Accepted by mprotect and otherwise ignored, as on Linux. */
const PROT_SEM = 8;
const PROT_GROWSDOWN = 0x01000000;
const PROT_GROWSUP = 0x02000000;

export function sysBrk(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const p = t.process;
  const want = args[0]! >>> 0;
  if (want < p.brkStart || want > STACK_TOP - STACK_MAX - HEAP_STACK_GAP) return p.brk;
  const end = pageUp(want);
  const as = p.addressSpace;
  if (p.heap !== undefined && !as.regions.includes(p.heap)) p.heap = undefined; // munmap'ed
  if (end === p.brkStart) {
    if (p.heap !== undefined) {
      as.removeRegion(p.heap);
      p.heap = undefined;
    }
  } else if (p.heap === undefined) {
    if (!as.addRegion(p.brkStart, end, PROT_READ | PROT_WRITE, 'heap', 'heap')) return p.brk;
    p.heap = as.findRegion(p.brkStart);
  } else if (end !== p.heap.end) {
    if (p.heap.start !== p.brkStart || !as.resizeRegion(p.heap, end)) return p.brk;
  }
  p.brk = want;
  return want;
}

/** mmap2(addr, length, prot, flags, fd, pgoffset), with Linux's checks in Linux's order. */
export function sysMmap2(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const hint = args[0]! >>> 0;
  const length = args[1]! >>> 0;
  const prot = args[2]! & PROT_ALL; // Linux ignores other bits here (mprotect checks them)
  const flags = args[3]!;
  const fd = args[4]!;
  const anonymous = (flags & MAP_ANONYMOUS) !== 0;
  if (!anonymous && !(fd >= 0 && t.process.fds.has(fd))) return -EBADF;
  if (length === 0) return -EINVAL;
  const type = flags & MAP_TYPE;
  // Unknown flag bits are ignored, except under MAP_SHARED_VALIDATE.
  if (type === MAP_SHARED_VALIDATE && (flags & ~MAP_KNOWN) !== 0) return -EOPNOTSUPP;
  const len = pageUp(length);
  if (len > MAP_MAX) return -ENOMEM;
  const as = t.process.addressSpace;
  const fixed = (flags & (MAP_FIXED | MAP_FIXED_NOREPLACE)) !== 0;
  let start = hint;
  if (fixed) {
    if (hint % 4096 !== 0) return -EINVAL;
    if (hint < USER_BASE || hint + len > USER_TOP) return -ENOMEM;
    if (flags & MAP_FIXED_NOREPLACE && as.overlaps(hint, hint + len)) return -EEXIST;
  } else {
    start = as.findFree(len, hint - (hint % 4096));
    if (start < 0) return -ENOMEM;
  }
  // An anonymous mapping is shared or private; the console's fds cannot be mapped at all.
  if (anonymous ? type !== MAP_SHARED && type !== MAP_PRIVATE : type === 0) return -EINVAL;
  if (!anonymous) return -ENODEV;
  if (fixed && as.overlaps(start, start + len)) {
    as.unmap(start, start + len);
    if (t.process.heap !== undefined && !as.regions.includes(t.process.heap)) t.process.heap = undefined;
  }
  const shared = type !== MAP_PRIVATE ? new SharedMemory(k.nextShmId(), len / 4096, k.frames) : undefined;
  const ok = as.insert({
    start,
    end: start + len,
    prot,
    name: shared !== undefined ? 'shared' : 'anon',
    kind: shared !== undefined ? 'shared' : 'anon',
    ...(shared !== undefined ? { shared, sharedPage: 0 } : {}),
  });
  if (!ok) return -ENOMEM;
  return start | 0;
}

/** munmap(addr, length) */
export function sysMunmap(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const addr = args[0]! >>> 0;
  const length = args[1]! >>> 0;
  if (addr % 4096 !== 0 || length === 0 || addr + length > 2 ** 32) return -EINVAL;
  const end = Math.min(pageUp(addr + length), USER_TOP);
  if (addr >= USER_TOP) return -EINVAL;
  const p = t.process;
  p.addressSpace.unmap(Math.max(addr, USER_BASE), end);
  if (p.heap !== undefined && !p.addressSpace.regions.includes(p.heap)) p.heap = undefined;
  return 0;
}

/** mprotect(addr, length, prot), with Linux's checks in Linux's order. */
export function sysMprotect(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const addr = args[0]! >>> 0;
  const length = args[1]! >>> 0;
  const grows = args[2]! & (PROT_GROWSDOWN | PROT_GROWSUP);
  const prot = args[2]! & ~grows;
  if (grows === (PROT_GROWSDOWN | PROT_GROWSUP)) return -EINVAL;
  if (addr % 4096 !== 0) return -EINVAL;
  if (length === 0) return 0;
  const end = pageUp(addr + length);
  if (end > 2 ** 32 || end <= addr) return -ENOMEM;
  if ((prot & ~(PROT_ALL | PROT_SEM)) !== 0) return -EINVAL;
  if (addr < USER_BASE || end > USER_TOP) return -ENOMEM;
  return t.process.addressSpace.protect(addr, end, prot & PROT_ALL) ? 0 : -ENOMEM;
}
