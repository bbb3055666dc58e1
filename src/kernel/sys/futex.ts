// futex_time64: FUTEX_WAIT / WAIT_BITSET (block while the word holds the expected value, with an
// optional timeout), FUTEX_WAKE / WAKE_BITSET, and FUTEX_REQUEUE / CMP_REQUEUE. A woken waiter's
// call runs again and returns 0 (or ETIMEDOUT) from its wait record, as Linux's would.
import { EAGAIN, EFAULT, EINVAL, ENOSYS, ETIMEDOUT } from '../errno.js';
import { futexKey } from '../futex.js';
import type { Thread } from '../proc.js';
import type { SyscallContext, SyscallResult } from '../syscall-context.js';
import { PROT_READ } from '../vm.js';
import { CLOCK_MONOTONIC, CLOCK_REALTIME, deadlineFor } from './time.js';
import { readTimespec } from './user-mem.js';

const FUTEX_WAIT = 0;
const FUTEX_WAKE = 1;
const FUTEX_REQUEUE = 3;
const FUTEX_CMP_REQUEUE = 4;
const FUTEX_WAIT_BITSET = 9;
const FUTEX_WAKE_BITSET = 10;
const FUTEX_PRIVATE_FLAG = 128;
const FUTEX_CLOCK_REALTIME = 256;
const KNOWN_COMMANDS = new Set([
  FUTEX_WAIT,
  FUTEX_WAKE,
  FUTEX_REQUEUE,
  FUTEX_CMP_REQUEUE,
  FUTEX_WAIT_BITSET,
  FUTEX_WAKE_BITSET,
]);

/** The word's RAM offset (resolving it for reading), or -1 on a fault. */
function wordOffset(t: Thread, addr: number): number {
  return t.process.addressSpace.resolve(addr, PROT_READ);
}

function wake(k: SyscallContext, key: string, n: number): number {
  const woken = k.futexes.take(key, Math.max(0, n));
  for (const waiter of woken) k.wake(waiter, 'event');
  return woken.length;
}

/** futex_time64(uaddr, op, val, timeout / val2, uaddr2, val3) */
export function sysFutex(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const addr = args[0]! >>> 0;
  const op = args[1]!;
  const val = args[2]!;
  const cmd = op & ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);
  const isPrivate = (op & FUTEX_PRIVATE_FLAG) !== 0;
  // Linux's order: the operation, then the timeout (copied and checked at entry), then the word.
  if (op & FUTEX_CLOCK_REALTIME && cmd !== FUTEX_WAIT && cmd !== FUTEX_WAIT_BITSET) return -ENOSYS;
  if (!KNOWN_COMMANDS.has(cmd)) return -ENOSYS;

  if (cmd === FUTEX_WAIT || cmd === FUTEX_WAIT_BITSET) {
    const prior = t.wait;
    if (prior?.kind === 'futex') {
      if (prior.woken === 'event') return 0;
      if (prior.woken === 'timeout') return -ETIMEDOUT;
      // Restored while waiting: wait on, keyed for this process.
      const key = futexKey(t.process, prior.addr, prior.private, wordOffset(t, prior.addr));
      return k.block(t, { ...prior, key });
    }
    let timeoutNs = -1;
    if (args[3] !== 0) {
      const timeout = readTimespec(t, args[3]!);
      if (typeof timeout === 'number') return timeout;
      timeoutNs = timeout.ns;
    }
    if (cmd === FUTEX_WAIT_BITSET && args[5] === 0) return -EINVAL;
    if (addr % 4 !== 0) return -EINVAL;
    const off = wordOffset(t, addr);
    if (off < 0) return -EFAULT;
    if (k.memory.read32(off) !== val) return -EAGAIN;
    let deadline = -1;
    if (timeoutNs >= 0) {
      const clock = op & FUTEX_CLOCK_REALTIME ? CLOCK_REALTIME : CLOCK_MONOTONIC;
      deadline = deadlineFor(k, t, clock, timeoutNs, cmd === FUTEX_WAIT_BITSET);
      if (deadline <= k.now()) return -ETIMEDOUT;
    }
    const key = futexKey(t.process, addr, isPrivate, off);
    return k.block(t, { kind: 'futex', deadline, addr, private: isPrivate, key, object: 0 });
  }

  if (addr % 4 !== 0) return -EINVAL;
  const off = isPrivate ? -1 : wordOffset(t, addr);
  if (!isPrivate && off < 0) return -EFAULT;
  const key = futexKey(t.process, addr, isPrivate, off);
  if (cmd === FUTEX_WAKE || cmd === FUTEX_WAKE_BITSET) {
    if (cmd === FUTEX_WAKE_BITSET && args[5] === 0) return -EINVAL;
    return wake(k, key, Math.max(1, val)); // Linux wakes one for a count of 0 or less
  }
  if (cmd === FUTEX_REQUEUE || cmd === FUTEX_CMP_REQUEUE) {
    if (val < 0 || args[3]! < 0) return -EINVAL; // negative wake or requeue counts, as Linux
    const addr2 = args[4]! >>> 0;
    if (addr2 % 4 !== 0) return -EINVAL;
    const off2 = wordOffset(t, addr2);
    if (off2 < 0) return -EFAULT;
    if (cmd === FUTEX_CMP_REQUEUE) {
      const here = wordOffset(t, addr);
      if (here < 0) return -EFAULT;
      if (k.memory.read32(here) !== args[5]) return -EAGAIN;
    }
    const woken = wake(k, key, val);
    const key2 = futexKey(t.process, addr2, isPrivate, off2);
    const moved = k.futexes.take(key, Math.max(0, args[3]!));
    for (const waiter of moved) {
      if (waiter.wait !== undefined) {
        waiter.wait.key = key2;
        waiter.wait.addr = addr2;
      }
      k.futexes.add(key2, waiter);
    }
    return woken + moved.length;
  }
  return -ENOSYS; // unreachable: KNOWN_COMMANDS holds exactly the commands handled above
}
