// Signal numbers (Linux generic ABI), their default actions, sigaction flags, the per-process and
// per-thread signal state (dispositions, blocked masks, pending signals with their siginfo, the
// alternate stack), and how a trap cause maps to the signal it raises. Generation and delivery are
// signal-delivery.ts; the frame on the user stack is signal-frame.ts.
import {
  CAUSE_BREAKPOINT,
  CAUSE_FETCH_ACCESS,
  CAUSE_FETCH_PAGE_FAULT,
  CAUSE_ILLEGAL_INSTRUCTION,
  CAUSE_LOAD_ACCESS,
  CAUSE_LOAD_PAGE_FAULT,
  CAUSE_MISALIGNED_FETCH,
  CAUSE_MISALIGNED_LOAD,
  CAUSE_MISALIGNED_STORE,
  CAUSE_STORE_ACCESS,
  CAUSE_STORE_PAGE_FAULT,
} from '../machine/constants.js';

export const SIGHUP = 1;
export const SIGINT = 2;
export const SIGQUIT = 3;
export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGABRT = 6;
export const SIGBUS = 7;
export const SIGFPE = 8;
export const SIGKILL = 9;
export const SIGUSR1 = 10;
export const SIGSEGV = 11;
export const SIGUSR2 = 12;
export const SIGPIPE = 13;
export const SIGALRM = 14;
export const SIGTERM = 15;
export const SIGCHLD = 17;
export const SIGCONT = 18;
export const SIGSTOP = 19;
export const SIGTSTP = 20;
export const SIGTTIN = 21;
export const SIGTTOU = 22;
export const SIGURG = 23;
export const SIGWINCH = 28;
/** Highest signal number (Linux _NSIG - 1). */
export const SIGNAL_MAX = 64;

export const SIGNAL_NAMES: Record<number, string> = {
  [SIGHUP]: 'SIGHUP',
  [SIGINT]: 'SIGINT',
  [SIGQUIT]: 'SIGQUIT',
  [SIGILL]: 'SIGILL',
  [SIGTRAP]: 'SIGTRAP',
  [SIGABRT]: 'SIGABRT',
  [SIGBUS]: 'SIGBUS',
  [SIGFPE]: 'SIGFPE',
  [SIGKILL]: 'SIGKILL',
  [SIGUSR1]: 'SIGUSR1',
  [SIGSEGV]: 'SIGSEGV',
  [SIGUSR2]: 'SIGUSR2',
  [SIGPIPE]: 'SIGPIPE',
  [SIGALRM]: 'SIGALRM',
  [SIGTERM]: 'SIGTERM',
  [SIGCHLD]: 'SIGCHLD',
  [SIGCONT]: 'SIGCONT',
  [SIGSTOP]: 'SIGSTOP',
  [SIGTSTP]: 'SIGTSTP',
  [SIGTTIN]: 'SIGTTIN',
  [SIGTTOU]: 'SIGTTOU',
  [SIGURG]: 'SIGURG',
  [SIGWINCH]: 'SIGWINCH',
};

export type SignalAction = 'terminate' | 'core' | 'stop' | 'continue' | 'ignore';

/** The default action of a signal (signal(7)); 'core' ends the process as 'terminate' does. */
export function signalAction(signal: number): SignalAction {
  switch (signal) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH:
      return 'ignore';
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU:
      return 'stop';
    case SIGCONT:
      return 'continue';
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case 24: // SIGXCPU
    case 25: // SIGXFSZ
    case 31: // SIGSYS
      return 'core';
    default:
      return 'terminate';
  }
}

// ---- dispositions and flags (Linux riscv: asm-generic/signal-defs.h, no SA_RESTORER) --------

export const SIG_DFL = 0;
export const SIG_IGN = 1;
export const SA_NOCLDSTOP = 0x1;
export const SA_NOCLDWAIT = 0x2;
export const SA_SIGINFO = 0x4;
export const SA_EXPOSE_TAGBITS = 0x800;
export const SA_ONSTACK = 0x08000000;
export const SA_RESTART = 0x10000000;
export const SA_NODEFER = 0x40000000;
export const SA_RESETHAND = 0x80000000 | 0;
/** The flags Linux keeps (and reports back in oldact); other bits are dropped (UAPI_SA_FLAGS). */
export const SA_KNOWN =
  SA_NOCLDSTOP |
  SA_NOCLDWAIT |
  SA_SIGINFO |
  SA_EXPOSE_TAGBITS |
  SA_ONSTACK |
  SA_RESTART |
  SA_NODEFER |
  SA_RESETHAND;

/** sigaltstack flags. */
export const SS_ONSTACK = 1;
export const SS_DISABLE = 2;
export const SS_AUTODISARM = 0x80000000 | 0;
/** Smallest alternate stack sigaltstack accepts (riscv MINSIGSTKSZ). */
export const MINSIGSTKSZ = 2048;

/** siginfo si_code values. */
export const SI_USER = 0;
export const SI_KERNEL = 0x80;
export const SI_TKILL = -6;
export const SEGV_MAPERR = 1;
export const SEGV_ACCERR = 2;
export const ILL_ILLOPC = 1;
export const BUS_ADRALN = 1;
export const TRAP_BRKPT = 1;
export const CLD_EXITED = 1;
export const CLD_KILLED = 2;

/** A signal set (Linux's 64-bit sigset_t): bit sig-1 for signal sig. */
export type SigSet = bigint;
export const sigBit = (signal: number): SigSet => 1n << BigInt(signal - 1);
export const SIGSET_ALL: SigSet = (1n << 64n) - 1n;
/** SIGKILL and SIGSTOP can be neither blocked, caught nor ignored. */
export const UNBLOCKABLE: SigSet = sigBit(SIGKILL) | sigBit(SIGSTOP);

/** One signal's disposition: SIG_DFL, SIG_IGN or a handler address, with flags and mask. */
export interface SigAction {
  handler: number;
  flags: number;
  mask: SigSet;
}

export const defaultAction = (): SigAction => ({ handler: SIG_DFL, flags: 0, mask: 0n });

/** What a pending signal carries into the handler's siginfo_t. */
export interface SigInfo {
  signo: number;
  code: number;
  /** Sender (kill, tkill) or child (SIGCHLD) pid; 0 otherwise. */
  pid: number;
  /** Faulting address for SIGSEGV/SIGBUS/SIGILL/SIGTRAP; 0 otherwise. */
  addr: number;
  /** SIGCHLD: exit status or signal. */
  status: number;
}

export function sigInfo(signo: number, code: number, pid = 0, addr = 0, status = 0): SigInfo {
  return { signo, code, pid, addr, status };
}

/** The dispositions of a process's signals (index 1..SIGNAL_MAX; shared by its threads). */
export class SignalActions {
  readonly actions: SigAction[] = Array.from({ length: SIGNAL_MAX + 1 }, defaultAction);

  get(signal: number): SigAction {
    return this.actions[signal]!;
  }

  /** fork: a copy. */
  copy(): SignalActions {
    const out = new SignalActions();
    this.actions.forEach((a, i) => {
      out.actions[i] = { ...a };
    });
    return out;
  }

  /** exec: caught signals go back to their default; ignored ones stay ignored. */
  resetForExec(): void {
    for (let i = 1; i <= SIGNAL_MAX; i++) {
      const a = this.actions[i]!;
      if (a.handler !== SIG_IGN) this.actions[i] = defaultAction();
      else a.flags = 0;
    }
  }

  /** True when the signal is thrown away: SIG_IGN, or SIG_DFL with an ignore/continue default. */
  ignores(signal: number): boolean {
    const a = this.actions[signal]!;
    if (a.handler === SIG_IGN) return true;
    const dfl = signalAction(signal);
    return a.handler === SIG_DFL && (dfl === 'ignore' || dfl === 'continue');
  }

  /** True when the signal runs a user handler. */
  caught(signal: number): boolean {
    const h = this.actions[signal]!.handler;
    return h !== SIG_DFL && h !== SIG_IGN;
  }
}

/** Pending signals (standard signals coalesce: one instance each, the first one's siginfo). */
export type PendingSignals = Map<number, SigInfo>;

/** A thread's alternate signal stack (sigaltstack); size 0 = disabled. */
export interface AltStack {
  sp: number;
  size: number;
  flags: number;
}

export const CAUSE_NAMES: Record<number, string> = {
  [CAUSE_MISALIGNED_FETCH]: 'instruction address misaligned',
  [CAUSE_FETCH_ACCESS]: 'instruction access fault',
  [CAUSE_ILLEGAL_INSTRUCTION]: 'illegal instruction',
  [CAUSE_BREAKPOINT]: 'breakpoint',
  [CAUSE_MISALIGNED_LOAD]: 'load address misaligned',
  [CAUSE_LOAD_ACCESS]: 'load access fault',
  [CAUSE_MISALIGNED_STORE]: 'store address misaligned',
  [CAUSE_STORE_ACCESS]: 'store access fault',
  [CAUSE_FETCH_PAGE_FAULT]: 'instruction page fault',
  [CAUSE_LOAD_PAGE_FAULT]: 'load page fault',
  [CAUSE_STORE_PAGE_FAULT]: 'store page fault',
};

/** The signal Linux delivers for an unhandled trap cause. */
export function signalForCause(cause: number): number {
  switch (cause) {
    case CAUSE_ILLEGAL_INSTRUCTION:
      return SIGILL;
    case CAUSE_BREAKPOINT:
      return SIGTRAP;
    case CAUSE_MISALIGNED_FETCH:
    case CAUSE_MISALIGNED_LOAD:
    case CAUSE_MISALIGNED_STORE:
      return SIGBUS;
    default:
      return SIGSEGV;
  }
}

/**
 * The siginfo of a fault, as Linux riscv fills it: SIGSEGV with the faulting address (MAPERR where
 * nothing is mapped, ACCERR where the protection forbids), SIGILL and SIGTRAP with the pc, SIGBUS
 * (a misaligned jump) with the address.
 */
export function faultInfo(signal: number, pc: number, tval: number, mapped: boolean): SigInfo {
  switch (signal) {
    case SIGSEGV:
      return sigInfo(signal, mapped ? SEGV_ACCERR : SEGV_MAPERR, 0, tval);
    case SIGILL:
      return sigInfo(signal, ILL_ILLOPC, 0, pc);
    case SIGTRAP:
      return sigInfo(signal, TRAP_BRKPT, 0, pc);
    default:
      return sigInfo(signal, BUS_ADRALN, 0, tval);
  }
}
