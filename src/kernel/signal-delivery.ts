// Signal generation and delivery, with Linux semantics. post() queues a signal on a process (any
// thread that does not block it takes it) or on one thread, after the generation-time rules:
// SIGKILL and SIGSTOP act at once, SIGCONT resumes, an ignored unblocked signal is dropped, an
// unblocked fatal default kills at once, and a thread blocked in an interruptible call is woken.
// deliver() runs on the way back to user mode (after a call, after preemption, after a fault,
// after an interrupted wait): for each deliverable signal it takes the default action or builds a
// frame (signal-frame.ts) and points the thread at the handler; a call the signal interrupted
// returns EINTR or runs again after the handler (SA_RESTART), as Linux decides for that call.
// sigreturn() puts back what the frame saved.
import type { Hart } from '../machine/hart.js';
import { EINTR, EINVAL, ENOMEM, EPERM } from './errno.js';
import type { Process, Termination, Thread, WaitRecord } from './proc.js';
import { buildFrame, FRAME_SIZE, parseFrame, SIGTRAMP_ADDR } from './signal-frame.js';
import {
  type AltStack,
  MINSIGSTKSZ,
  type PendingSignals,
  SA_NODEFER,
  SA_ONSTACK,
  SA_RESETHAND,
  SA_RESTART,
  SIG_IGN,
  SIGCONT,
  SIGKILL,
  SIGNAL_MAX,
  SIGSEGV,
  SIGSTOP,
  SIGTRAP,
  SIGTSTP,
  SIGTTIN,
  SIGTTOU,
  type SigInfo,
  type SigSet,
  SS_AUTODISARM,
  SS_DISABLE,
  SS_ONSTACK,
  sigBit,
  signalAction,
  UNBLOCKABLE,
} from './signals.js';
import { writeTimespec } from './sys/user-mem.js';

/** What generation and delivery need from the kernel (delivery works on the thread on the hart). */
export interface SignalKernel {
  readonly hart: Hart;
  now(): number;
  exitProcess(process: Process, termination: Termination): void;
  stopProcess(process: Process): void;
  continueProcess(process: Process): void;
  /** Ends a blocked thread's wait without a wake reason: it runs, and deliver() sees its call. */
  interrupt(thread: Thread): void;
  /** Wakes a blocked thread: its call runs again and finds what it waited for. */
  wake(thread: Thread, how: 'event' | 'timeout'): void;
}

const STOP_SIGNALS: SigSet = sigBit(SIGSTOP) | sigBit(SIGTSTP) | sigBit(SIGTTIN) | sigBit(SIGTTOU);
/** Waits a signal may cut short. A call waiting for its reply has already sent: it finishes first. */
const INTERRUPTIBLE = new Set<WaitRecord['kind']>([
  'child',
  'sleep',
  'futex',
  'read',
  'send',
  'receive',
  'notify',
  'sigsuspend',
  'sigwait',
]);

function dropPending(pending: PendingSignals, set: SigSet): void {
  for (const sig of pending.keys()) if ((set & sigBit(sig)) !== 0n) pending.delete(sig);
}

/** Takes away a pending signal everywhere in the process (sigaction to SIG_IGN, SIGCONT vs stop). */
export function discardPending(p: Process, set: SigSet): void {
  dropPending(p.pendingSignals, set);
  for (const t of p.threads) dropPending(t.pending, set);
}

/** True when a pending `signal` would do something when delivered: run a handler, stop or end. */
function acts(p: Process, signal: number): boolean {
  if (p.sigactions.caught(signal)) return true;
  return !p.sigactions.ignores(signal);
}

/** The lowest pending signal `t` may take now (its own first), or 0. */
function nextDeliverable(t: Thread): number {
  let best = 0;
  for (const pending of [t.pending, t.process.pendingSignals]) {
    for (const sig of pending.keys()) {
      if ((t.blocked & sigBit(sig)) === 0n && (best === 0 || sig < best)) best = sig;
    }
    if (best !== 0) return best;
  }
  return 0;
}

/** True when `t` has a pending signal it does not block (cheap when nothing is pending). */
export function hasDeliverable(t: Thread): boolean {
  if (t.pending.size === 0 && t.process.pendingSignals.size === 0) return false;
  return nextDeliverable(t) !== 0;
}

/** Wakes `t` from an interruptible wait when a pending signal would act on it. */
export function interruptIfPending(k: SignalKernel, t: Thread): void {
  if (t.pending.size === 0 && t.process.pendingSignals.size === 0) return; // the common case
  if (t.state !== 'blocked' || t.wait === undefined || !INTERRUPTIBLE.has(t.wait.kind)) return;
  const sig = nextDeliverable(t);
  if (sig !== 0 && acts(t.process, sig)) k.interrupt(t);
}

/**
 * Generates `info.signo` for process `p` (target undefined) or for one of its threads. Signal 0
 * and dead processes do nothing.
 */
export function post(k: SignalKernel, p: Process, target: Thread | undefined, info: SigInfo): void {
  const sig = info.signo;
  if (!p.alive || sig <= 0 || sig > SIGNAL_MAX) return;
  if (sig === SIGKILL) {
    k.exitProcess(p, { kind: 'signaled', signal: SIGKILL });
    return;
  }
  if (sig === SIGCONT) {
    discardPending(p, STOP_SIGNALS);
    k.continueProcess(p);
  } else if ((STOP_SIGNALS & sigBit(sig)) !== 0n) {
    discardPending(p, sigBit(SIGCONT));
  }
  if (sig === SIGSTOP) {
    k.stopProcess(p);
    return;
  }
  const live = p.threads.filter((t) => t.state !== 'zombie');
  const takers = target !== undefined ? [target] : live;
  const taker = takers.find((t) => (t.blocked & sigBit(sig)) === 0n);
  if (taker !== undefined && p.sigactions.ignores(sig)) return;
  if (taker !== undefined && !p.sigactions.caught(sig)) {
    const action = signalAction(sig);
    if (action === 'terminate' || action === 'core') {
      k.exitProcess(p, { kind: 'signaled', signal: sig });
      return;
    }
    if (action === 'stop') {
      k.stopProcess(p);
      return;
    }
  }
  const pending = target !== undefined ? target.pending : p.pendingSignals;
  if (!pending.has(sig)) pending.set(sig, info);
  // A thread in rt_sigtimedwait for this signal takes it itself.
  const waiter = takers.find((t) => t.wait?.kind === 'sigwait' && (t.waitSet & sigBit(sig)) !== 0n);
  if (waiter !== undefined) k.wake(waiter, 'event');
  else if (taker !== undefined) interruptIfPending(k, taker);
}

/** Removes and returns the lowest pending signal of `set` for `t` (its own first), or undefined. */
export function takePending(t: Thread, set: SigSet): SigInfo | undefined {
  for (const pending of [t.pending, t.process.pendingSignals]) {
    let best = 0;
    for (const sig of pending.keys())
      if ((set & sigBit(sig)) !== 0n && (best === 0 || sig < best)) best = sig;
    if (best !== 0) {
      const info = pending.get(best)!;
      pending.delete(best);
      return info;
    }
  }
  return undefined;
}

/**
 * A fault `t` raised (`info`): true when a handler will take it (queued on the thread, delivered
 * before the thread runs again); false when it must end the process (no handler, or blocked).
 */
export function postFault(t: Thread, info: SigInfo): boolean {
  const p = t.process;
  if (!p.sigactions.caught(info.signo) || (t.blocked & sigBit(info.signo)) !== 0n) return false;
  t.pending.set(info.signo, info);
  return true;
}

function onAltStack(alt: AltStack, sp: number): boolean {
  return alt.size !== 0 && sp > alt.sp && sp - alt.sp <= alt.size;
}

/** The ss_flags sigaltstack reports for `alt` with the thread at `sp`. */
export function altStackFlags(alt: AltStack, sp: number): number {
  if (alt.size === 0) return SS_DISABLE;
  return (onAltStack(alt, sp) ? SS_ONSTACK : 0) | (alt.flags & SS_AUTODISARM);
}

/**
 * Sets the thread's alternate stack as sigaltstack(ss) does: 0 or a negative errno
 * (EPERM while on it, EINVAL for bad flags, ENOMEM for a stack below MINSIGSTKSZ).
 */
export function setAltStack(t: Thread, sp: number, ss: AltStack): number {
  if (onAltStack(t.altStack, sp)) return -EPERM;
  const mode = ss.flags & ~SS_AUTODISARM;
  if (mode !== 0 && mode !== SS_DISABLE && mode !== SS_ONSTACK) return -EINVAL;
  if (mode === SS_DISABLE) {
    t.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
    return 0;
  }
  if (ss.size < MINSIGSTKSZ) return -ENOMEM;
  t.altStack = { sp: ss.sp >>> 0, size: ss.size >>> 0, flags: ss.flags };
  return 0;
}

/** The interrupted call `t` was blocked in: EINTR, or (SA_RESTART, restartable) run it again. */
function endInterruptedCall(k: SignalKernel, t: Thread, restart: boolean): void {
  const wait = t.wait;
  if (wait === undefined) return;
  t.wait = undefined;
  const x = k.hart.x;
  // Linux: waits with a timeout restart through restart_syscall and so end in EINTR when a
  // handler runs; nanosleep and sigsuspend always do. read, waitid, futex without a timeout and
  // IPC waits run again with SA_RESTART.
  const restartable =
    wait.kind !== 'sleep' && wait.kind !== 'sigsuspend' && wait.kind !== 'sigwait' && wait.deadline < 0;
  if (restart && restartable) return; // pc stays on the ecall
  if (wait.kind === 'sleep' && (x[11]! & 1) === 0 && x[13] !== 0) {
    writeTimespec(t, x[13]!, Math.max(0, wait.deadline - k.now()));
  }
  x[10] = -EINTR;
  k.hart.pc = (k.hart.pc + 4) | 0;
}

/**
 * Delivers what `t` (on the hart, running) may take now. A thread whose blocked call was woken
 * by its event finishes that call first. Each handler gets its own frame, so with several
 * signals the last one set up runs first (as Linux and qemu stack them).
 */
export function deliver(k: SignalKernel, t: Thread): void {
  if (t.wait?.woken !== undefined) return;
  const p = t.process;
  for (let round = 0; round < SIGNAL_MAX; round++) {
    const sig = nextDeliverable(t);
    if (sig === 0) return;
    const info = t.pending.get(sig) ?? p.pendingSignals.get(sig)!;
    if (!t.pending.delete(sig)) p.pendingSignals.delete(sig);
    const act = p.sigactions.get(sig);
    if (act.handler === SIG_IGN) continue;
    if (!p.sigactions.caught(sig)) {
      const action = signalAction(sig);
      if (action === 'terminate' || action === 'core') {
        k.exitProcess(p, { kind: 'signaled', signal: sig });
        return;
      }
      if (action === 'stop') {
        k.stopProcess(p);
        return;
      }
      continue; // ignore, continue: SIGCONT already resumed the process when it was sent
    }
    endInterruptedCall(k, t, (act.flags & SA_RESTART) !== 0);
    if (!setupFrame(k, t, sig, info)) {
      // No room for the frame: Linux's force_sigsegv.
      k.exitProcess(p, { kind: 'signaled', signal: SIGSEGV });
      return;
    }
  }
}

function setupFrame(k: SignalKernel, t: Thread, sig: number, info: SigInfo): boolean {
  const x = k.hart.x;
  const act = t.process.sigactions.get(sig);
  const userSp = x[2]! >>> 0;
  const alt = t.altStack;
  let sp = userSp;
  if ((act.flags & SA_ONSTACK) !== 0 && alt.size !== 0 && !onAltStack(alt, userSp)) sp = alt.sp + alt.size;
  const frame = (sp - FRAME_SIZE) & ~15;
  if (onAltStack(alt, userSp) && !onAltStack(alt, frame >>> 0)) return false; // altstack overflow
  const bytes = buildFrame({
    info,
    mask: t.savedMask ?? t.blocked,
    stack: { sp: alt.sp, size: alt.size, flags: alt.size === 0 ? SS_DISABLE : alt.flags },
    regs: x,
    pc: k.hart.pc,
  });
  if (!t.process.addressSpace.copyOut(frame >>> 0, bytes)) return false;
  if ((alt.flags & SS_AUTODISARM) !== 0) t.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
  t.savedMask = undefined;
  let blocked = t.blocked | act.mask;
  if ((act.flags & SA_NODEFER) === 0) blocked |= sigBit(sig);
  t.blocked = blocked & ~UNBLOCKABLE;
  if ((act.flags & SA_RESETHAND) !== 0 && sig !== SIGTRAP) {
    t.process.sigactions.actions[sig] = { handler: 0, flags: 0, mask: 0n };
  }
  x[1] = SIGTRAMP_ADDR;
  x[2] = frame;
  x[10] = sig;
  x[11] = frame;
  x[12] = frame + 128;
  k.hart.pc = act.handler | 0;
  return true;
}

/** rt_sigreturn: restores the context the frame at sp saved; false for an unreadable frame. */
export function sigreturn(k: SignalKernel, t: Thread): boolean {
  const x = k.hart.x;
  const sp = x[2]! >>> 0;
  const bytes = t.process.addressSpace.copyIn(sp, FRAME_SIZE);
  if (bytes === undefined) return false;
  const ctx = parseFrame(bytes);
  for (let i = 1; i < 32; i++) x[i] = ctx.regs[i]!;
  x[0] = 0;
  k.hart.pc = ctx.pc;
  t.blocked = ctx.mask & ~UNBLOCKABLE;
  setAltStack(t, x[2]! >>> 0, ctx.stack); // errors other than EFAULT are ignored, as Linux does
  return true;
}
