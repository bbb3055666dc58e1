// Trap entry and return: exceptions and interrupts vectored to M or S mode with delegation,
// interrupt selection by priority and enable rules, and mret/sret.
import {
  IRQ_M_EXT,
  IRQ_M_SOFT,
  IRQ_M_TIMER,
  IRQ_S_EXT,
  IRQ_S_SOFT,
  IRQ_S_TIMER,
  MSTATUS_MIE,
  MSTATUS_MPIE,
  MSTATUS_MPP,
  MSTATUS_MPRV,
  MSTATUS_SIE,
  MSTATUS_SPIE,
  MSTATUS_SPP,
  PRIV_M,
  PRIV_S,
  PRIV_U,
} from './constants.js';
import { readMip } from './csr.js';
import type { HartState } from './hart-state.js';

const INTERRUPT = 0x80000000 | 0;

/** Interrupts in decreasing priority, as the privileged spec orders them. */
const PRIORITY = [IRQ_M_EXT, IRQ_M_SOFT, IRQ_M_TIMER, IRQ_S_EXT, IRQ_S_SOFT, IRQ_S_TIMER];

/** Enters the trap handler for `cause` (interrupt bit in bit 31) raised at `pc`. */
export function enterTrap(h: HartState, cause: number, tval: number, pc: number): void {
  const interrupt = (cause & INTERRUPT) !== 0;
  const code = cause & 0x7fffffff;
  const delegated = h.priv <= PRIV_S && (((interrupt ? h.mideleg : h.medeleg) >>> code) & 1) === 1;
  const from = h.priv;
  let status = h.mstatus;
  if (delegated) {
    h.scause = cause;
    h.sepc = pc;
    h.stval = tval;
    status = (status & ~MSTATUS_SPIE) | ((status & MSTATUS_SIE) !== 0 ? MSTATUS_SPIE : 0);
    status = (status & ~(MSTATUS_SIE | MSTATUS_SPP)) | (from === PRIV_S ? MSTATUS_SPP : 0);
    h.priv = PRIV_S;
    h.pc = vector(h.stvec, interrupt, code);
  } else {
    h.mcause = cause;
    h.mepc = pc;
    h.mtval = tval;
    status = (status & ~MSTATUS_MPIE) | ((status & MSTATUS_MIE) !== 0 ? MSTATUS_MPIE : 0);
    status = (status & ~(MSTATUS_MIE | MSTATUS_MPP)) | (from << 11);
    h.priv = PRIV_M;
    h.pc = vector(h.mtvec, interrupt, code);
  }
  h.mstatus = status;
  h.tlb.flush();
}

function vector(tvec: number, interrupt: boolean, code: number): number {
  const base = tvec & ~3;
  return interrupt && (tvec & 3) === 1 ? (base + 4 * code) | 0 : base;
}

/**
 * The interrupt the hart should take now (cause with bit 31 set), or 0. M-level interrupts are
 * enabled below M or with MIE; delegated ones below S or in S with SIE, never in M.
 */
export function pendingInterrupt(h: HartState): number {
  const pending = readMip(h) & h.mie;
  if (pending === 0) return 0;
  const machine = pending & ~h.mideleg;
  const mEnabled = h.priv < PRIV_M || (h.mstatus & MSTATUS_MIE) !== 0;
  const supervisor = pending & h.mideleg;
  const sEnabled = h.priv < PRIV_S || (h.priv === PRIV_S && (h.mstatus & MSTATUS_SIE) !== 0);
  const takeable = (mEnabled ? machine : 0) | (sEnabled ? supervisor : 0);
  if (takeable === 0) return 0;
  for (const irq of PRIORITY) {
    if ((takeable >>> irq) & 1) return INTERRUPT | irq;
  }
  return 0;
}

/** mret: back to MPP with MIE restored. The caller has checked the hart is in M-mode. */
export function returnFromMachine(h: HartState): void {
  let status = h.mstatus;
  const target = (status & MSTATUS_MPP) >>> 11;
  status = (status & ~MSTATUS_MIE) | ((status & MSTATUS_MPIE) !== 0 ? MSTATUS_MIE : 0);
  status = (status | MSTATUS_MPIE) & ~MSTATUS_MPP; // MPP becomes U, the least-privileged mode
  if (target !== PRIV_M) status &= ~MSTATUS_MPRV;
  h.mstatus = status;
  h.priv = target;
  h.pc = h.mepc;
  h.tlb.flush();
}

/** sret: back to SPP with SIE restored. The caller has checked privilege and TSR. */
export function returnFromSupervisor(h: HartState): void {
  let status = h.mstatus;
  const target = (status & MSTATUS_SPP) !== 0 ? PRIV_S : PRIV_U;
  status = (status & ~MSTATUS_SIE) | ((status & MSTATUS_SPIE) !== 0 ? MSTATUS_SIE : 0);
  status = (status | MSTATUS_SPIE) & ~MSTATUS_SPP;
  status &= ~MSTATUS_MPRV;
  h.mstatus = status;
  h.priv = target;
  h.pc = h.sepc;
  h.tlb.flush();
}
