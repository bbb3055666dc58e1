// Instructions executed off the interpreter's hot path: CSR access, ecall/ebreak, mret/sret, wfi,
// sfence.vma, fence.i, LR/SC and AMOs, and illegal instructions. Each either completes (setting
// h.pc to the next instruction) or leaves a trap pending with h.pc still at the instruction.
import {
  ACCESS_LOAD,
  ACCESS_STORE,
  CAUSE_BREAKPOINT,
  CAUSE_ILLEGAL_INSTRUCTION,
  CAUSE_MISALIGNED_LOAD,
  CAUSE_MISALIGNED_STORE,
  CAUSE_USER_ECALL,
  MIP_MTIP,
  MSTATUS_TSR,
  MSTATUS_TVM,
  MSTATUS_TW,
  PRIV_M,
  PRIV_S,
  PRIV_U,
} from './constants.js';
import { csrAccessible, csrRead, csrWrite, readMip } from './csr.js';
import type { HartState } from './hart-state.js';
import { raiseAccessFault, translate } from './mmu.js';
import { Op, X0_SINK } from './opcodes.js';
import { returnFromMachine, returnFromSupervisor } from './trap.js';

const CSR_FUNCT3: Record<number, number> = {
  [Op.CSRRW]: 1,
  [Op.CSRRS]: 2,
  [Op.CSRRC]: 3,
  [Op.CSRRWI]: 5,
  [Op.CSRRSI]: 6,
  [Op.CSRRCI]: 7,
};

/** Executes the system/atomic instruction `op` at `pc`. */
export function execSystem(
  h: HartState,
  op: number,
  rd: number,
  rs1: number,
  rs2: number,
  imm: number,
  pc: number,
  len: number,
): void {
  const next = (pc + len) | 0;
  switch (op) {
    case Op.ECALL:
      h.raise(CAUSE_USER_ECALL + h.priv, 0);
      return;
    case Op.EBREAK:
      h.raise(CAUSE_BREAKPOINT, pc);
      return;
    case Op.ILLEGAL:
      h.raise(CAUSE_ILLEGAL_INSTRUCTION, imm);
      return;
    case Op.MRET:
      if (h.priv < PRIV_M) return illegal(h, 0x30200073);
      returnFromMachine(h);
      h.stopSlice = true;
      return;
    case Op.SRET:
      if (h.priv < PRIV_S || (h.priv === PRIV_S && (h.mstatus & MSTATUS_TSR) !== 0))
        return illegal(h, 0x10200073);
      returnFromSupervisor(h);
      h.stopSlice = true;
      return;
    case Op.WFI:
      if (h.priv === PRIV_U || (h.priv === PRIV_S && (h.mstatus & MSTATUS_TW) !== 0))
        return illegal(h, 0x10500073);
      waitForInterrupt(h);
      h.pc = next;
      return;
    case Op.SFENCE_VMA:
      if (h.priv === PRIV_U || (h.priv === PRIV_S && (h.mstatus & MSTATUS_TVM) !== 0)) {
        return illegal(h, 0x12000073 | (rs1 << 15) | (rs2 << 20));
      }
      h.tlb.flush();
      h.pc = next;
      return;
    case Op.FENCE_I:
      h.memory.dropAllDecoded();
      h.refetch = true;
      h.pc = next;
      return;
    case Op.LR_W:
    case Op.SC_W:
      loadReservedStoreConditional(h, op, rd, rs1, rs2);
      if (!h.trapPending) h.pc = next;
      return;
    default:
      if (op >= Op.AMOSWAP_W && op <= Op.AMOMAXU_W) {
        atomicMemoryOp(h, op, rd, rs1, rs2);
        if (!h.trapPending) h.pc = next;
        return;
      }
      csrOp(h, op, rd, rs1, imm);
      if (!h.trapPending) h.pc = next;
  }
}

function illegal(h: HartState, raw: number): void {
  h.raise(CAUSE_ILLEGAL_INSTRUCTION, raw);
}

/** wfi: a legal implementation may resume at once; guest time skips ahead to a pending timer. */
function waitForInterrupt(h: HartState): void {
  if ((readMip(h) & h.mie) === 0 && (h.mie & MIP_MTIP) !== 0 && h.mtimecmp > h.mtime) {
    if (h.mtimecmp < Number.MAX_SAFE_INTEGER) h.timeOffset += h.mtimecmp - h.mtime;
  }
  h.stopSlice = true;
}

function csrOp(h: HartState, op: number, rd: number, rs1: number, num: number): void {
  const f3 = CSR_FUNCT3[op] ?? 0;
  const immediate = f3 >= 5;
  const source = immediate ? rs1 : h.x[rs1]! | 0;
  const writes = op === Op.CSRRW || op === Op.CSRRWI || rs1 !== 0;
  const rdField = rd === X0_SINK ? 0 : rd;
  const raw = (num << 20) | (rs1 << 15) | (f3 << 12) | (rdField << 7) | 0x73;
  if (!csrAccessible(h, num, writes, raw)) return;
  const old = csrRead(h, num);
  if (writes) {
    let value = source;
    if (op === Op.CSRRS || op === Op.CSRRSI) value = old | source;
    else if (op === Op.CSRRC || op === Op.CSRRCI) value = old & ~source;
    if (csrWrite(h, num, value)) {
      h.stopSlice = true;
      h.refetch = true;
    }
  }
  h.x[rd] = old;
}

/** Resolves a word-aligned atomic address to a RAM offset, or raises the right fault and returns -1. */
function atomicOffset(h: HartState, vaddr: number, load: boolean): number {
  if ((vaddr & 3) !== 0) {
    h.raise(load ? CAUSE_MISALIGNED_LOAD : CAUSE_MISALIGNED_STORE, vaddr);
    return -1;
  }
  const access = load ? ACCESS_LOAD : ACCESS_STORE;
  const paddr = translate(h, vaddr, access);
  if (paddr < 0) return -1;
  const off = h.memory.offsetOf(paddr, 4);
  if (off < 0) raiseAccessFault(h, access, vaddr);
  return off;
}

function loadReservedStoreConditional(h: HartState, op: number, rd: number, rs1: number, rs2: number): void {
  const vaddr = h.x[rs1]! | 0;
  if (op === Op.LR_W) {
    const off = atomicOffset(h, vaddr, true);
    if (off < 0) return;
    h.reservation = off;
    h.x[rd] = h.memory.read32(off);
    return;
  }
  const off = atomicOffset(h, vaddr, false);
  if (off < 0) return;
  const success = h.reservation === off;
  h.reservation = -1;
  if (success) writeWord(h, off, h.x[rs2]! | 0);
  h.x[rd] = success ? 0 : 1;
}

function atomicMemoryOp(h: HartState, op: number, rd: number, rs1: number, rs2: number): void {
  const off = atomicOffset(h, h.x[rs1]! | 0, false);
  if (off < 0) return;
  const old = h.memory.read32(off);
  const src = h.x[rs2]! | 0;
  let value: number;
  switch (op) {
    case Op.AMOSWAP_W:
      value = src;
      break;
    case Op.AMOADD_W:
      value = (old + src) | 0;
      break;
    case Op.AMOXOR_W:
      value = old ^ src;
      break;
    case Op.AMOAND_W:
      value = old & src;
      break;
    case Op.AMOOR_W:
      value = old | src;
      break;
    case Op.AMOMIN_W:
      value = Math.min(old, src);
      break;
    case Op.AMOMAX_W:
      value = Math.max(old, src);
      break;
    case Op.AMOMINU_W:
      value = old >>> 0 < src >>> 0 ? old : src;
      break;
    default:
      value = old >>> 0 > src >>> 0 ? old : src;
  }
  writeWord(h, off, value);
  h.x[rd] = old;
}

function writeWord(h: HartState, off: number, value: number): void {
  h.memory.view.setInt32(off, value, true);
  if (h.memory.noteWrite(off, 4)) h.refetch = true;
}
