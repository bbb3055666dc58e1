// The architectural state of one hart: registers, privilege, CSR values, counters, the timer
// comparator, the LR/SC reservation, the software TLB, and the exit record that hosted mode fills.
// Behaviour lives in the modules that take a HartState (csr.ts, mmu.ts, trap.ts, system.ts, hart.ts).
import { PRIV_M } from './constants.js';
import type { Device } from './device.js';
import type { PhysicalMemory } from './memory.js';
import { X0_SINK } from './opcodes.js';
import { Tlb } from './tlb.js';

/** Why `run` returned. */
export const EXIT_BUDGET = 0;
/** Hosted mode only: a trap (ecall, fault, illegal instruction) left the hart; see exitInfo. */
export const EXIT_TRAP = 1;
/** Something outside the hart asked it to stop (a device hook, the host). */
export const EXIT_STOP = 2;

/** Slots of `exitInfo`. */
export const EXIT_REASON = 0;
export const EXIT_CAUSE = 1;
export const EXIT_TVAL = 2;
export const EXIT_PC = 3;

export class HartState {
  /** x0..x31 plus X0_SINK, which absorbs writes to x0. */
  readonly x = new Int32Array(X0_SINK + 1);
  pc = 0;
  priv = PRIV_M;
  /** Hosted mode: every trap leaves `run` with an exit record instead of vectoring to the guest. */
  hosted = false;
  readonly memory: PhysicalMemory;
  readonly tlb = new Tlb();
  /** Memory-mapped devices outside RAM. */
  readonly devices: Device[] = [];

  // CSRs (values as int32).
  mstatus = 0;
  mie = 0;
  /** The software-writable part of mip (SSIP, STIP, SEIP). MTIP/MSIP come from the CLINT. */
  mipSoft = 0;
  medeleg = 0;
  mideleg = 0;
  mtvec = 0;
  stvec = 0;
  mepc = 0;
  sepc = 0;
  mcause = 0;
  scause = 0;
  mtval = 0;
  stval = 0;
  mscratch = 0;
  sscratch = 0;
  satp = 0;
  mcounteren = 0;
  scounteren = 0;
  menvcfg = 0;
  senvcfg = 0;
  mcountinhibit = 0;
  readonly hartId: number;

  /** Instructions retired since reset (exact up to 2^53). */
  instret = 0;
  /** minstret = instret + instretBias; mcycle = instret + cycleBias. */
  instretBias = 0;
  cycleBias = 0;
  /** CLINT: mtime = instret + timeOffset (guest time is retired instructions). */
  timeOffset = 0;
  mtimecmp = Number.MAX_SAFE_INTEGER;
  msip = 0;
  /** External interrupt line into mip.MEIP (set by the platform). */
  meip = 0;

  /** LR/SC reservation: RAM offset of the reserved word, or -1. */
  reservation = -1;

  /** A trap raised by the current instruction, not yet taken. */
  trapPending = false;
  trapCause = 0;
  trapTval = 0;
  /** Set by slow paths and hooks: end the current slice after this instruction. */
  stopSlice = false;
  /** Set from outside (device hooks, host): make `run` return EXIT_STOP. */
  stopRequested = false;
  /** Set when decoded code was dropped under the running hart: refetch before the next instruction. */
  refetch = false;

  /** Hosted-mode exit record: reason, cause, tval, pc. */
  readonly exitInfo = new Int32Array(4);

  constructor(memory: PhysicalMemory, hartId = 0) {
    this.memory = memory;
    this.hartId = hartId;
  }

  get mtime(): number {
    return this.instret + this.timeOffset;
  }

  /** Records a synchronous exception for the current instruction. */
  raise(cause: number, tval: number): void {
    this.trapPending = true;
    this.trapCause = cause;
    this.trapTval = tval | 0;
  }
}
