// Signal numbers (Linux generic ABI) for faults that kill a process, and how a trap cause maps to one.
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

export const SIGILL = 4;
export const SIGTRAP = 5;
export const SIGBUS = 7;
export const SIGKILL = 9;
export const SIGSEGV = 11;

export const SIGNAL_NAMES: Record<number, string> = {
  [SIGILL]: 'SIGILL',
  [SIGTRAP]: 'SIGTRAP',
  [SIGBUS]: 'SIGBUS',
  [SIGKILL]: 'SIGKILL',
  [SIGSEGV]: 'SIGSEGV',
};

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
