// The CSR file: reads and writes of every implemented CSR with the privilege, read-only and
// counter-enable checks of the privileged spec. An access that is not allowed raises an illegal
// instruction exception; the caller supplies the instruction bits for mtval.
import {
  CAUSE_ILLEGAL_INSTRUCTION,
  CSR,
  MEDELEG_WRITABLE,
  MIDELEG_WRITABLE,
  MIE_WRITABLE,
  MIP_MEIP,
  MIP_MSIP,
  MIP_MTIP,
  MIP_WRITABLE,
  MISA_VALUE,
  MSTATUS_MPP,
  MSTATUS_MPRV,
  MSTATUS_MXR,
  MSTATUS_SUM,
  MSTATUS_TVM,
  MSTATUS_WRITABLE,
  PRIV_M,
  PRIV_S,
  PRIV_U,
  SSTATUS_MASK,
} from './constants.js';
import type { HartState } from './hart-state.js';

const TWO32 = 4294967296;

/** mip as software sees it: software bits plus the CLINT's timer and software lines. */
export function readMip(h: HartState): number {
  let mip = h.mipSoft;
  if (h.msip !== 0) mip |= MIP_MSIP;
  if (h.mtime >= h.mtimecmp) mip |= MIP_MTIP;
  if (h.meip !== 0) mip |= MIP_MEIP;
  return mip;
}

const low = (value: number): number => (value % TWO32) | 0;
const high = (value: number): number => Math.floor(value / TWO32) | 0;

function counterAllowed(h: HartState, index: number): boolean {
  const bit = 1 << index;
  if (h.priv < PRIV_M && (h.mcounteren & bit) === 0) return false;
  if (h.priv === PRIV_U && (h.scounteren & bit) === 0) return false;
  return true;
}

/**
 * Checks that CSR `num` exists and may be accessed at the current privilege (and written, when
 * `write`). Returns false after raising illegal instruction with tval `raw`.
 */
export function csrAccessible(h: HartState, num: number, write: boolean, raw: number): boolean {
  const ok =
    h.priv >= ((num >>> 8) & 3) &&
    !(write && num >>> 10 === 3) &&
    csrExists(num) &&
    !(num === CSR.satp && h.priv === PRIV_S && (h.mstatus & MSTATUS_TVM) !== 0) &&
    !(isUserCounter(num) && !counterAllowed(h, num & 31));
  if (!ok) h.raise(CAUSE_ILLEGAL_INSTRUCTION, raw);
  return ok;
}

const isUserCounter = (num: number): boolean =>
  (num >= 0xc00 && num <= 0xc1f) || (num >= 0xc80 && num <= 0xc9f);
const isHpm = (num: number): boolean =>
  (num >= 0xb03 && num <= 0xb1f) || (num >= 0xb83 && num <= 0xb9f) || (num >= 0x323 && num <= 0x33f);

function csrExists(num: number): boolean {
  if (isUserCounter(num) || isHpm(num)) return true;
  if (num >= CSR.pmpcfg0 && num <= CSR.pmpcfg0 + 3) return true;
  if (num >= CSR.pmpaddr0 && num <= CSR.pmpaddr0 + 15) return true;
  return KNOWN.has(num);
}

const KNOWN = new Set<number>(Object.values(CSR));

/** Reads CSR `num` (access already checked). */
export function csrRead(h: HartState, num: number): number {
  switch (num) {
    case CSR.sstatus:
      return h.mstatus & SSTATUS_MASK;
    case CSR.sie:
      return h.mie & h.mideleg;
    case CSR.stvec:
      return h.stvec;
    case CSR.scounteren:
      return h.scounteren;
    case CSR.senvcfg:
      return h.senvcfg;
    case CSR.sscratch:
      return h.sscratch;
    case CSR.sepc:
      return h.sepc;
    case CSR.scause:
      return h.scause;
    case CSR.stval:
      return h.stval;
    case CSR.sip:
      return readMip(h) & h.mideleg;
    case CSR.satp:
      return h.satp;
    case CSR.mstatus:
      return h.mstatus;
    case CSR.misa:
      return MISA_VALUE;
    case CSR.medeleg:
      return h.medeleg;
    case CSR.mideleg:
      return h.mideleg;
    case CSR.mie:
      return h.mie;
    case CSR.mtvec:
      return h.mtvec;
    case CSR.mcounteren:
      return h.mcounteren;
    case CSR.menvcfg:
      return h.menvcfg;
    case CSR.mscratch:
      return h.mscratch;
    case CSR.mepc:
      return h.mepc;
    case CSR.mcause:
      return h.mcause;
    case CSR.mtval:
      return h.mtval;
    case CSR.mip:
      return readMip(h);
    case CSR.mhartid:
      return h.hartId;
    case CSR.mcycle:
    case CSR.cycle:
      return low(h.instret + h.cycleBias);
    case CSR.mcycleh:
    case CSR.cycleh:
      return high(h.instret + h.cycleBias);
    case CSR.minstret:
    case CSR.instret:
      return low(h.instret + h.instretBias);
    case CSR.minstreth:
    case CSR.instreth:
      return high(h.instret + h.instretBias);
    case CSR.time:
      return low(h.mtime);
    case CSR.timeh:
      return high(h.mtime);
    default:
      // mvendorid, marchid, mimpid, mconfigptr, mstatush, menvcfgh, medelegh, mcountinhibit, PMP,
      // the trigger module, and the hardware performance counters: implemented as read-only zero
      // (the spec allows zero PMP entries, no triggers, and hardwired-zero hpm counters).
      return 0;
  }
}

/**
 * Writes CSR `num` (access already checked). Returns true when the write can change translation
 * or interrupt state, so the hart must flush its TLB / recheck interrupts.
 */
export function csrWrite(h: HartState, num: number, value: number): boolean {
  value |= 0;
  switch (num) {
    case CSR.sstatus:
      return writeMstatus(h, (h.mstatus & ~SSTATUS_MASK) | (value & SSTATUS_MASK));
    case CSR.sie:
      h.mie = (h.mie & ~h.mideleg) | (value & h.mideleg);
      return true;
    case CSR.stvec:
      h.stvec = legalTvec(value);
      return false;
    case CSR.scounteren:
      h.scounteren = value;
      return false;
    case CSR.senvcfg:
      h.senvcfg = value & 1;
      return false;
    case CSR.sscratch:
      h.sscratch = value;
      return false;
    case CSR.sepc:
      h.sepc = value & ~1;
      return false;
    case CSR.scause:
      h.scause = value;
      return false;
    case CSR.stval:
      h.stval = value;
      return false;
    case CSR.sip: {
      const mask = h.mideleg & 2; // only SSIP is writable through sip
      h.mipSoft = (h.mipSoft & ~mask) | (value & mask);
      return true;
    }
    case CSR.satp:
      h.satp = value;
      h.tlb.flush();
      return true;
    case CSR.mstatus:
      return writeMstatus(h, value);
    case CSR.medeleg:
      h.medeleg = value & MEDELEG_WRITABLE;
      return false;
    case CSR.mideleg:
      h.mideleg = value & MIDELEG_WRITABLE;
      return true;
    case CSR.mie:
      h.mie = value & MIE_WRITABLE;
      return true;
    case CSR.mtvec:
      h.mtvec = legalTvec(value);
      return false;
    case CSR.mcounteren:
      h.mcounteren = value;
      return false;
    case CSR.menvcfg:
      h.menvcfg = value & 1;
      return false;
    case CSR.mscratch:
      h.mscratch = value;
      return false;
    case CSR.mepc:
      h.mepc = value & ~1;
      return false;
    case CSR.mcause:
      h.mcause = value;
      return false;
    case CSR.mtval:
      h.mtval = value;
      return false;
    case CSR.mip:
      h.mipSoft = (h.mipSoft & ~MIP_WRITABLE) | (value & MIP_WRITABLE);
      return true;
    // A counter write takes effect after the writing instruction retires: that instruction does
    // not count, so the next read returns exactly the value written.
    case CSR.mcycle:
      h.cycleBias = high(h.instret + h.cycleBias) * TWO32 + (value >>> 0) - (h.instret + 1);
      return false;
    case CSR.mcycleh:
      h.cycleBias = (value >>> 0) * TWO32 + (low(h.instret + h.cycleBias) >>> 0) - (h.instret + 1);
      return false;
    case CSR.minstret:
      h.instretBias = high(h.instret + h.instretBias) * TWO32 + (value >>> 0) - (h.instret + 1);
      return false;
    case CSR.minstreth:
      h.instretBias = (value >>> 0) * TWO32 + (low(h.instret + h.instretBias) >>> 0) - (h.instret + 1);
      return false;
    default:
      return false; // read-only-zero CSRs ignore writes
  }
}

function writeMstatus(h: HartState, value: number): boolean {
  let next = (h.mstatus & ~MSTATUS_WRITABLE) | (value & MSTATUS_WRITABLE);
  // MPP is WARL over the implemented modes: the reserved encoding 2 becomes U.
  if ((next & MSTATUS_MPP) >>> 11 === 2) next &= ~MSTATUS_MPP;
  const translationBits = MSTATUS_MPRV | MSTATUS_MPP | MSTATUS_SUM | MSTATUS_MXR;
  if ((next ^ h.mstatus) & translationBits) h.tlb.flush();
  h.mstatus = next;
  return true;
}

/** Trap vectors: direct (0) or vectored (1); a reserved mode becomes direct. */
function legalTvec(value: number): number {
  return (value & 3) >= 2 ? value & ~3 : value;
}
