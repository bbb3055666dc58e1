// Signal calls: kill, tkill, tgkill, and the handler calls rt_sigaction, rt_sigprocmask,
// rt_sigpending, rt_sigsuspend, rt_sigreturn and sigaltstack, with Linux riscv32 numbers, structures
// and checks (generation and delivery are signal-delivery.ts). kill's checks run in Linux's order: a
// target that does not exist is ESRCH before a bad signal number is EINVAL. kill reaches a process
// (pid > 0), the caller's process group (0), another group (< -1) or every other process of the
// caller's session (-1).
import { EAGAIN, EFAULT, EINVAL, EPERM, ESRCH } from '../errno.js';
import type { Process, Thread } from '../proc.js';
import { altStackFlags, discardPending, setAltStack, takePending } from '../signal-delivery.js';
import { SIGINFO_SIZE, writeSiginfo } from '../signal-frame.js';
import {
  SA_KNOWN,
  SI_TKILL,
  SI_USER,
  SIGKILL,
  SIGNAL_MAX,
  SIGSEGV,
  SIGSTOP,
  type SigSet,
  SS_DISABLE,
  sigBit,
  sigInfo,
  UNBLOCKABLE,
} from '../signals.js';
import { GONE, type SyscallContext, type SyscallResult } from '../syscall-context.js';
import { readStruct, readTimespec, writable, writeStruct } from './user-mem.js';

const INT_MIN = -0x80000000;
/** The sigsetsize the rt_ calls accept: Linux's 64-signal sigset_t. */
const SIGSET_SIZE = 8;
/** struct sigaction on riscv32: sa_handler, sa_flags, sa_mask (no sa_restorer). */
const SIGACTION_SIZE = 16;
/** stack_t on riscv32: ss_sp, ss_flags, ss_size. */
const STACK_T_SIZE = 12;
const SIG_BLOCK = 0;
const SIG_UNBLOCK = 1;
const SIG_SETMASK = 2;

function validSignal(signal: number): boolean {
  return signal >= 0 && signal <= SIGNAL_MAX;
}

/**
 * Sends `signal` to each target (after the checks); ESRCH when there is none, EPERM when the only
 * targets are system servers (a guest may not signal them; group kills pass them over).
 */
function deliverAll(k: SyscallContext, t: Thread, all: Process[], signal: number): SyscallResult {
  if (all.length === 0) return -ESRCH;
  const targets = all.filter((p) => !k.isTask(p.pid));
  if (targets.length === 0) return -EPERM;
  if (!validSignal(signal)) return -EINVAL;
  for (const target of targets) {
    // a zombie: Linux accepts and ignores
    if (target.alive) k.signal(target, signal, sigInfo(signal, SI_USER, t.process.pid));
  }
  return t.process.alive ? 0 : GONE;
}

/** The processes a kill(pid) reaches, zombies included (they count as existing). */
function killTargets(k: SyscallContext, caller: Process, pid: number): Process[] {
  if (pid > 0) {
    const p = k.findProcess(pid);
    return p === undefined ? [] : [p];
  }
  const targets: Process[] = [];
  for (const p of k.allProcesses()) {
    if (pid === -1 ? p.sid === caller.sid && p !== caller : p.pgid === (pid === 0 ? caller.pgid : -pid))
      targets.push(p);
  }
  return targets;
}

/** kill(pid, sig) */
export function sysKill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const pid = args[0]!;
  if (pid === INT_MIN) return -ESRCH;
  return deliverAll(k, t, killTargets(k, t.process, pid), args[1]!);
}

/** Sends `signal` to one thread (tkill, tgkill), after the checks. */
function toThread(k: SyscallContext, t: Thread, target: Thread | undefined, signal: number): SyscallResult {
  if (target === undefined || target.state === 'zombie') return -ESRCH;
  if (!validSignal(signal)) return -EINVAL;
  if (signal !== 0) k.signalThread(target, sigInfo(signal, SI_TKILL, t.process.pid));
  return t.process.alive ? 0 : GONE;
}

/** tkill(tid, sig) */
export function sysTkill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const tid = args[0]!;
  if (tid <= 0) return -EINVAL;
  return toThread(k, t, k.findThread(tid), args[1]!);
}

/** tgkill(tgid, tid, sig) */
export function sysTgkill(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const tgid = args[0]!;
  const tid = args[1]!;
  if (tid <= 0 || tgid <= 0) return -EINVAL;
  const target = k.findThread(tid);
  return toThread(k, t, target?.process.pid === tgid ? target : undefined, args[2]!);
}

/** rt_sigaction(sig, act, oldact, sigsetsize) */
export function sysRtSigaction(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const sig = args[0]!;
  const act = args[1]! >>> 0;
  const oldact = args[2]! >>> 0;
  if (args[3] !== SIGSET_SIZE) return -EINVAL;
  if (sig < 1 || sig > SIGNAL_MAX) return -EINVAL;
  // Every buffer is checked before anything changes.
  const view = act !== 0 ? readStruct(t, act, SIGACTION_SIZE) : undefined;
  if (act !== 0 && view === undefined) return -EFAULT;
  if (oldact !== 0 && !writable(t, oldact, SIGACTION_SIZE)) return -EFAULT;
  if (view !== undefined && (sig === SIGKILL || sig === SIGSTOP)) return -EINVAL;
  const actions = t.process.sigactions;
  const old = actions.get(sig);
  if (oldact !== 0) {
    writeStruct(t, oldact, SIGACTION_SIZE, (v) => {
      v.setUint32(0, old.handler >>> 0, true);
      v.setUint32(4, old.flags >>> 0, true);
      v.setBigUint64(8, old.mask, true);
    });
  }
  if (view !== undefined) {
    actions.actions[sig] = {
      handler: view.getUint32(0, true),
      flags: view.getInt32(4, true) & SA_KNOWN,
      mask: view.getBigUint64(8, true) & ~UNBLOCKABLE,
    };
    // POSIX: setting a pending signal to be ignored discards it.
    if (actions.ignores(sig)) discardPending(t.process, sigBit(sig));
  }
  return 0;
}

/** Reads a sigset_t; undefined on a fault. */
function readSigset(t: Thread, addr: number): SigSet | undefined {
  return readStruct(t, addr, SIGSET_SIZE)?.getBigUint64(0, true);
}

function writeSigset(t: Thread, addr: number, set: SigSet): boolean {
  return writeStruct(t, addr, SIGSET_SIZE, (v) => v.setBigUint64(0, BigInt.asUintN(64, set), true));
}

/** rt_sigprocmask(how, set, oldset, sigsetsize) */
export function sysRtSigprocmask(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const how = args[0]!;
  const setAddr = args[1]! >>> 0;
  const oldAddr = args[2]! >>> 0;
  if (args[3] !== SIGSET_SIZE) return -EINVAL;
  const set = setAddr !== 0 ? readSigset(t, setAddr) : undefined;
  if (setAddr !== 0 && set === undefined) return -EFAULT;
  if (set !== undefined && how !== SIG_BLOCK && how !== SIG_UNBLOCK && how !== SIG_SETMASK) return -EINVAL;
  if (oldAddr !== 0 && !writeSigset(t, oldAddr, t.blocked)) return -EFAULT;
  if (set !== undefined) {
    const next = how === SIG_BLOCK ? t.blocked | set : how === SIG_UNBLOCK ? t.blocked & ~set : set;
    t.blocked = next & ~UNBLOCKABLE;
  }
  return 0; // newly unblocked pending signals are delivered on the way back to user mode
}

/** rt_sigpending(set, sigsetsize): the pending signals the thread blocks. */
export function sysRtSigpending(_k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  if (args[1]! >>> 0 > SIGSET_SIZE) return -EINVAL;
  let pending = 0n;
  for (const sig of t.pending.keys()) pending |= sigBit(sig);
  for (const sig of t.process.pendingSignals.keys()) pending |= sigBit(sig);
  return writeSigset(t, args[0]!, pending & t.blocked) ? 0 : -EFAULT;
}

/** rt_sigsuspend(mask, sigsetsize): waits with `mask` until a handler runs; always -EINTR. */
export function sysRtSigsuspend(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const prior = t.wait;
  if (prior?.kind === 'sigsuspend') return k.block(t, { ...prior }); // woken with nothing to deliver
  if (args[1] !== SIGSET_SIZE) return -EINVAL;
  const mask = readSigset(t, args[0]!);
  if (mask === undefined) return -EFAULT;
  t.savedMask = t.blocked;
  t.blocked = mask & ~UNBLOCKABLE;
  return k.block(t, { kind: 'sigsuspend', deadline: -1, addr: 0, private: false, key: '', object: 0 });
}

/**
 * rt_sigtimedwait_time64(set, info, timeout, sigsetsize): takes a pending signal of `set` (the
 * caller normally blocks them) and returns its number, filling `info`; waits (wait record
 * `sigwait`) until one comes, `-EAGAIN` when `timeout` passes (a zero timeout polls), `-EINTR`
 * when a handler for another signal runs.
 */
export function sysRtSigtimedwait(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  if (args[3] !== SIGSET_SIZE) return -EINVAL;
  const set = readSigset(t, args[0]!);
  if (set === undefined) return -EFAULT;
  const infoAddr = args[1]! >>> 0;
  if (infoAddr !== 0 && !writable(t, infoAddr, SIGINFO_SIZE)) return -EFAULT;
  const prior = t.wait?.kind === 'sigwait' ? t.wait : undefined;
  let timeoutNs = -1;
  if (prior === undefined && args[2] !== 0) {
    const timeout = readTimespec(t, args[2]!);
    if (typeof timeout === 'number') return timeout;
    timeoutNs = timeout.ns;
  }
  const info = takePending(t, set & ~UNBLOCKABLE);
  if (info !== undefined) {
    if (infoAddr !== 0) {
      writeStruct(t, infoAddr, SIGINFO_SIZE, (v) => writeSiginfo(v, 0, info));
    }
    return info.signo;
  }
  if (prior?.woken === 'timeout' || timeoutNs === 0) return -EAGAIN;
  t.waitSet = set & ~UNBLOCKABLE;
  if (prior !== undefined) return k.block(t, { ...prior }); // restored or woken for another signal
  const deadline = timeoutNs < 0 ? -1 : k.now() + timeoutNs;
  return k.block(t, { kind: 'sigwait', deadline, addr: 0, private: false, key: '', object: 0 });
}

/** rt_sigreturn(): back to the context the signal frame at sp saved (a bad frame is SIGSEGV). */
export function sysRtSigreturn(k: SyscallContext, t: Thread, _args: Int32Array): SyscallResult {
  if (!k.sigreturn(t)) {
    k.exitProcess(t.process, { kind: 'signaled', signal: SIGSEGV });
  }
  return GONE; // the registers are the restored ones: leave them
}

/** sigaltstack(ss, old_ss) */
export function sysSigaltstack(k: SyscallContext, t: Thread, args: Int32Array): SyscallResult {
  const ssAddr = args[0]! >>> 0;
  const oldAddr = args[1]! >>> 0;
  const sp = k.hart.x[2]! >>> 0;
  const ss = ssAddr !== 0 ? readStruct(t, ssAddr, STACK_T_SIZE) : undefined;
  if (ssAddr !== 0 && ss === undefined) return -EFAULT;
  if (oldAddr !== 0 && !writable(t, oldAddr, STACK_T_SIZE)) return -EFAULT;
  const old = t.altStack;
  const oldFlags = altStackFlags(old, sp);
  if (ss !== undefined) {
    const err = setAltStack(t, sp, {
      sp: ss.getUint32(0, true),
      flags: ss.getInt32(4, true),
      size: ss.getUint32(8, true),
    });
    if (err !== 0) return err;
  }
  if (oldAddr !== 0) {
    writeStruct(t, oldAddr, STACK_T_SIZE, (v) => {
      v.setUint32(0, oldFlags === SS_DISABLE ? 0 : old.sp, true);
      v.setInt32(4, oldFlags, true);
      v.setUint32(8, oldFlags === SS_DISABLE ? 0 : old.size, true);
    });
  }
  return 0;
}
