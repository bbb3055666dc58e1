// Signal numbers (Linux generic ABI), their default actions, and how a trap cause maps to the
// signal that kills a process. Pakaya has no user signal handlers yet: every signal takes its
// default action (terminate, stop, continue or ignore), as it would for a program that set none.
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

export type SignalAction = 'terminate' | 'stop' | 'continue' | 'ignore';

/** The default action of a signal (signal(7)). */
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
    default:
      return 'terminate';
  }
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
