// Clocks and sleeping (rv32 has only the time64 forms): clock_gettime64, clock_getres_time64 and
// clock_nanosleep_time64. CLOCK_MONOTONIC is the node's virtual clock (retired instructions) plus
// the process's offset; CLOCK_REALTIME is the host clock; the CPU-time clocks count the caller's
// instructions. A sleep blocks the thread with a deadline; the call runs again when it passes.
import { EFAULT, EINVAL, EOPNOTSUPP } from '../errno.js';
import { NS_PER_INSTRUCTION } from '../limits.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { readTimespec, writeTimespec } from './user-mem.js';

export const CLOCK_REALTIME = 0;
export const CLOCK_MONOTONIC = 1;
const CLOCK_PROCESS_CPUTIME_ID = 2;
const CLOCK_THREAD_CPUTIME_ID = 3;
const CLOCK_MONOTONIC_RAW = 4;
const CLOCK_REALTIME_COARSE = 5;
const CLOCK_MONOTONIC_COARSE = 6;
const CLOCK_BOOTTIME = 7;
const TIMER_ABSTIME = 1;
/** The clocks clock_nanosleep accepts (Linux's clocks with an nsleep, less the CPU-time one). */
const SLEEPING_CLOCKS = new Set([CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_BOOTTIME]);

/** The reading of `clock` for the thread, in ns; undefined for an unknown clock. */
export function clockNow(k: SyscallContext, t: Thread, clock: number): number | undefined {
  switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE:
      return k.host.clock.realtimeNs();
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME:
      return k.now() + t.process.clockOffset;
    case CLOCK_PROCESS_CPUTIME_ID:
      return t.process.instructions * NS_PER_INSTRUCTION;
    case CLOCK_THREAD_CPUTIME_ID:
      return t.instructions * NS_PER_INSTRUCTION;
    default:
      return undefined;
  }
}

/** clock_gettime64(clock, ts) */
export function sysClockGettime(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const ns = clockNow(k, t, args[0]!);
  if (ns === undefined) return -EINVAL;
  return writeTimespec(t, args[1]!, ns) ? 0 : -EFAULT;
}

/** clock_getres_time64(clock, res): 1 ns (the coarse clocks: 4 ms, as Linux at HZ=250). */
export function sysClockGetres(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const clock = args[0]!;
  if (clockNow(k, t, clock) === undefined) return -EINVAL;
  if (args[1] === 0) return 0;
  const coarse = clock === CLOCK_REALTIME_COARSE || clock === CLOCK_MONOTONIC_COARSE;
  return writeTimespec(t, args[1]!, coarse ? 4_000_000 : 1) ? 0 : -EFAULT;
}

/** The virtual-clock deadline for a timeout on `clock` (relative, or absolute when `absolute`). */
export function deadlineFor(
  k: SyscallContext,
  t: Thread,
  clock: number,
  ns: number,
  absolute: boolean,
): number {
  if (!absolute) return k.now() + ns;
  const reading = clockNow(k, t, clock) ?? 0;
  return k.now() + Math.max(0, ns - reading);
}

/** clock_nanosleep_time64(clock, flags, request, remain) */
export function sysClockNanosleep(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const clock = args[0]!;
  const flags = args[1]!;
  const prior = t.wait;
  if (prior?.kind === 'sleep') {
    if (prior.woken !== undefined) return 0;
    return k.block(t, { ...prior }); // restored while asleep: sleep on to the same deadline
  }
  // Linux's order: an unknown clock, a clock that cannot sleep, then the request. Unknown flag
  // bits are ignored, as Linux does. Sleeping on process CPU time is not supported here.
  if (clockNow(k, t, clock) === undefined) return -EINVAL;
  if (!SLEEPING_CLOCKS.has(clock)) return -EOPNOTSUPP;
  const request = readTimespec(t, args[2]!);
  if (typeof request === 'number') return request;
  const deadline = deadlineFor(k, t, clock, request.ns, (flags & TIMER_ABSTIME) !== 0);
  if (deadline <= k.now()) return 0;
  return k.block(t, { kind: 'sleep', deadline, addr: 0, private: false, key: '', object: 0 });
}
