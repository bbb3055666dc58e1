// Instruction decoder: turns a raw RV32IMAC + Zicsr + Zifencei instruction into a decoded slot
// (packed fields + immediate). Compressed instructions expand to their 32-bit operation.
// Anything not valid decodes to Op.ILLEGAL with the raw bits as the immediate (for mtval).
import { Op, pack } from './opcodes.js';

const sext = (value: number, bits: number): number => (value << (32 - bits)) >> (32 - bits);

/** Decodes `raw` (a 32-bit word, or a 16-bit parcel in the low half) into out[at], out[at + 1]. */
export function decodeInto(raw: number, out: Int32Array, at: number): void {
  if ((raw & 3) === 3) decode32(raw | 0, out, at);
  else decode16(raw & 0xffff, out, at);
}

function put(out: Int32Array, at: number, packed: number, imm: number): void {
  out[at] = packed;
  out[at + 1] = imm;
}

function illegal(out: Int32Array, at: number, raw: number, len: number): void {
  put(out, at, pack(Op.ILLEGAL, 0, 0, 0, len), raw);
}

const BRANCH_OPS = [Op.BEQ, Op.BNE, 0, 0, Op.BLT, Op.BGE, Op.BLTU, Op.BGEU];
const LOAD_OPS = [Op.LB, Op.LH, Op.LW, 0, Op.LBU, Op.LHU, 0, 0];
const STORE_OPS = [Op.SB, Op.SH, Op.SW, 0, 0, 0, 0, 0];
const OPIMM_OPS = [Op.ADDI, Op.SLLI, Op.SLTI, Op.SLTIU, Op.XORI, Op.SRLI, Op.ORI, Op.ANDI];
const OP_OPS = [Op.ADD, Op.SLL, Op.SLT, Op.SLTU, Op.XOR, Op.SRL, Op.OR, Op.AND];
const MULDIV_OPS = [Op.MUL, Op.MULH, Op.MULHSU, Op.MULHU, Op.DIV, Op.DIVU, Op.REM, Op.REMU];
const CSR_OPS = [0, Op.CSRRW, Op.CSRRS, Op.CSRRC, 0, Op.CSRRWI, Op.CSRRSI, Op.CSRRCI];
const AMO_OPS: Record<number, number> = {
  0: Op.AMOADD_W,
  1: Op.AMOSWAP_W,
  2: Op.LR_W,
  3: Op.SC_W,
  4: Op.AMOXOR_W,
  8: Op.AMOOR_W,
  12: Op.AMOAND_W,
  16: Op.AMOMIN_W,
  20: Op.AMOMAX_W,
  24: Op.AMOMINU_W,
  28: Op.AMOMAXU_W,
};

function decode32(raw: number, out: Int32Array, at: number): void {
  const opcode = raw & 0x7f;
  const rd = (raw >>> 7) & 31;
  const f3 = (raw >>> 12) & 7;
  const rs1 = (raw >>> 15) & 31;
  const rs2 = (raw >>> 20) & 31;
  const f7 = raw >>> 25;
  const immI = raw >> 20;
  switch (opcode) {
    case 0x37:
      return put(out, at, pack(Op.LUI, rd, 0, 0, 4), raw & 0xfffff000);
    case 0x17:
      return put(out, at, pack(Op.AUIPC, rd, 0, 0, 4), raw & 0xfffff000);
    case 0x6f: {
      const imm =
        ((raw >> 31) << 20) | (raw & 0xff000) | (((raw >>> 20) & 1) << 11) | (((raw >>> 21) & 0x3ff) << 1);
      return put(out, at, pack(Op.JAL, rd, 0, 0, 4), imm);
    }
    case 0x67:
      if (f3 !== 0) return illegal(out, at, raw, 4);
      return put(out, at, pack(Op.JALR, rd, rs1, 0, 4), immI);
    case 0x63: {
      const op = BRANCH_OPS[f3] ?? 0;
      if (op === 0) return illegal(out, at, raw, 4);
      const imm =
        ((raw >> 31) << 12) |
        (((raw >>> 7) & 1) << 11) |
        (((raw >>> 25) & 0x3f) << 5) |
        (((raw >>> 8) & 0xf) << 1);
      return put(out, at, pack(op, 0, rs1, rs2, 4), imm);
    }
    case 0x03: {
      const op = LOAD_OPS[f3] ?? 0;
      if (op === 0) return illegal(out, at, raw, 4);
      return put(out, at, pack(op, rd, rs1, 0, 4), immI);
    }
    case 0x23: {
      const op = STORE_OPS[f3] ?? 0;
      if (op === 0) return illegal(out, at, raw, 4);
      return put(out, at, pack(op, 0, rs1, rs2, 4), ((raw >> 25) << 5) | ((raw >>> 7) & 31));
    }
    case 0x13: {
      let op = OPIMM_OPS[f3] ?? 0;
      if (f3 === 1) {
        if (f7 !== 0) return illegal(out, at, raw, 4);
        return put(out, at, pack(op, rd, rs1, 0, 4), rs2);
      }
      if (f3 === 5) {
        if (f7 === 0x20) op = Op.SRAI;
        else if (f7 !== 0) return illegal(out, at, raw, 4);
        return put(out, at, pack(op, rd, rs1, 0, 4), rs2);
      }
      return put(out, at, pack(op, rd, rs1, 0, 4), immI);
    }
    case 0x33: {
      let op = 0;
      if (f7 === 0) op = OP_OPS[f3] ?? 0;
      else if (f7 === 1) op = MULDIV_OPS[f3] ?? 0;
      else if (f7 === 0x20 && f3 === 0) op = Op.SUB;
      else if (f7 === 0x20 && f3 === 5) op = Op.SRA;
      if (op === 0) return illegal(out, at, raw, 4);
      return put(out, at, pack(op, rd, rs1, rs2, 4), 0);
    }
    case 0x0f:
      if (f3 === 0) return put(out, at, pack(Op.FENCE, 0, 0, 0, 4), 0);
      if (f3 === 1) return put(out, at, pack(Op.FENCE_I, 0, 0, 0, 4), 0);
      return illegal(out, at, raw, 4);
    case 0x73:
      return decodeSystem(raw, out, at, rd, f3, rs1, rs2, f7);
    case 0x2f: {
      const op = f3 === 2 ? (AMO_OPS[raw >>> 27] ?? 0) : 0;
      if (op === 0 || (op === Op.LR_W && rs2 !== 0)) return illegal(out, at, raw, 4);
      return put(out, at, pack(op, rd, rs1, rs2, 4), 0);
    }
    default:
      return illegal(out, at, raw, 4);
  }
}

function decodeSystem(
  raw: number,
  out: Int32Array,
  at: number,
  rd: number,
  f3: number,
  rs1: number,
  rs2: number,
  f7: number,
): void {
  if (f3 === 0) {
    if (rd === 0 && f7 === 0x09) return put(out, at, pack(Op.SFENCE_VMA, 0, rs1, rs2, 4), 0);
    switch (raw >>> 0) {
      case 0x00000073:
        return put(out, at, pack(Op.ECALL, 0, 0, 0, 4), 0);
      case 0x00100073:
        return put(out, at, pack(Op.EBREAK, 0, 0, 0, 4), 0);
      case 0x30200073:
        return put(out, at, pack(Op.MRET, 0, 0, 0, 4), 0);
      case 0x10200073:
        return put(out, at, pack(Op.SRET, 0, 0, 0, 4), 0);
      case 0x10500073:
        return put(out, at, pack(Op.WFI, 0, 0, 0, 4), 0);
      default:
        return illegal(out, at, raw, 4);
    }
  }
  const op = CSR_OPS[f3] ?? 0;
  if (op === 0) return illegal(out, at, raw, 4);
  // The CSR number rides in the immediate; the raw bits are needed for mtval on an illegal access,
  // so the low 12 bits hold the CSR and the decoder leaves the raw word recoverable from memory.
  return put(out, at, pack(op, rd, rs1, 0, 4), raw >>> 20);
}

function decode16(raw: number, out: Int32Array, at: number): void {
  const quadrant = raw & 3;
  const f3 = raw >>> 13;
  const rdFull = (raw >>> 7) & 31;
  const rs2Full = (raw >>> 2) & 31;
  const rdP = 8 + ((raw >>> 2) & 7); // rd' / rs2' in bits 4:2
  const rs1P = 8 + ((raw >>> 7) & 7); // rs1' / rd' in bits 9:7
  const imm6 = sext(((raw >>> 7) & 0x20) | ((raw >>> 2) & 0x1f), 6);
  if (quadrant === 0) {
    if (f3 === 0) {
      const imm = ((raw >>> 7) & 0x30) | ((raw >>> 1) & 0x3c0) | ((raw >>> 4) & 4) | ((raw >>> 2) & 8);
      if (imm === 0) return illegal(out, at, raw, 2);
      return put(out, at, pack(Op.ADDI, rdP, 2, 0, 2), imm);
    }
    const uimm = ((raw >>> 7) & 0x38) | ((raw >>> 4) & 4) | ((raw << 1) & 0x40);
    if (f3 === 2) return put(out, at, pack(Op.LW, rdP, rs1P, 0, 2), uimm);
    if (f3 === 6) return put(out, at, pack(Op.SW, 0, rs1P, rdP, 2), uimm);
    return illegal(out, at, raw, 2);
  }
  if (quadrant === 1) {
    switch (f3) {
      case 0:
        return put(out, at, pack(Op.ADDI, rdFull, rdFull, 0, 2), imm6);
      case 1:
        return put(out, at, pack(Op.JAL, 1, 0, 0, 2), cjOffset(raw));
      case 2:
        return put(out, at, pack(Op.ADDI, rdFull, 0, 0, 2), imm6);
      case 3: {
        if (rdFull === 2) {
          const imm = sext(
            ((raw >>> 3) & 0x200) |
              ((raw >>> 2) & 0x10) |
              ((raw << 1) & 0x40) |
              ((raw << 4) & 0x180) |
              ((raw << 3) & 0x20),
            10,
          );
          if (imm === 0) return illegal(out, at, raw, 2);
          return put(out, at, pack(Op.ADDI, 2, 2, 0, 2), imm);
        }
        if (imm6 === 0) return illegal(out, at, raw, 2);
        return put(out, at, pack(Op.LUI, rdFull, 0, 0, 2), imm6 << 12);
      }
      case 4:
        return decodeCompressedAlu(raw, out, at, rs1P, rdP, imm6);
      case 5:
        return put(out, at, pack(Op.JAL, 0, 0, 0, 2), cjOffset(raw));
      default: {
        const imm = sext(
          ((raw >>> 4) & 0x100) |
            ((raw >>> 7) & 0x18) |
            ((raw << 1) & 0xc0) |
            ((raw >>> 2) & 6) |
            ((raw << 3) & 0x20),
          9,
        );
        return put(out, at, pack(f3 === 6 ? Op.BEQ : Op.BNE, 0, rs1P, 0, 2), imm);
      }
    }
  }
  if (quadrant === 2) {
    switch (f3) {
      case 0:
        if (raw & 0x1000) return illegal(out, at, raw, 2);
        return put(out, at, pack(Op.SLLI, rdFull, rdFull, 0, 2), rs2Full);
      case 2: {
        if (rdFull === 0) return illegal(out, at, raw, 2);
        const imm = ((raw >>> 7) & 0x20) | ((raw >>> 2) & 0x1c) | ((raw << 4) & 0xc0);
        return put(out, at, pack(Op.LW, rdFull, 2, 0, 2), imm);
      }
      case 4:
        if ((raw & 0x1000) === 0) {
          if (rs2Full === 0) {
            if (rdFull === 0) return illegal(out, at, raw, 2);
            return put(out, at, pack(Op.JALR, 0, rdFull, 0, 2), 0);
          }
          return put(out, at, pack(Op.ADD, rdFull, 0, rs2Full, 2), 0);
        }
        if (rs2Full === 0) {
          if (rdFull === 0) return put(out, at, pack(Op.EBREAK, 0, 0, 0, 2), 0);
          return put(out, at, pack(Op.JALR, 1, rdFull, 0, 2), 0);
        }
        return put(out, at, pack(Op.ADD, rdFull, rdFull, rs2Full, 2), 0);
      case 6: {
        const imm = ((raw >>> 7) & 0x3c) | ((raw >>> 1) & 0xc0);
        return put(out, at, pack(Op.SW, 0, 2, rs2Full, 2), imm);
      }
      default:
        return illegal(out, at, raw, 2);
    }
  }
  return illegal(out, at, raw, 2);
}

function decodeCompressedAlu(
  raw: number,
  out: Int32Array,
  at: number,
  rd: number,
  rs2: number,
  imm6: number,
): void {
  const f2 = (raw >>> 10) & 3;
  const shamt = (raw >>> 2) & 0x1f;
  if (f2 === 0 || f2 === 1) {
    if (raw & 0x1000) return illegal(out, at, raw, 2); // shamt[5] = 1 is reserved on RV32C
    return put(out, at, pack(f2 === 0 ? Op.SRLI : Op.SRAI, rd, rd, 0, 2), shamt);
  }
  if (f2 === 2) return put(out, at, pack(Op.ANDI, rd, rd, 0, 2), imm6);
  if (raw & 0x1000) return illegal(out, at, raw, 2); // c.subw/c.addw are RV64-only
  const ops = [Op.SUB, Op.XOR, Op.OR, Op.AND];
  return put(out, at, pack(ops[(raw >>> 5) & 3] ?? Op.SUB, rd, rd, rs2, 2), 0);
}

function cjOffset(raw: number): number {
  return sext(
    ((raw >>> 1) & 0x800) |
      ((raw >>> 7) & 0x10) |
      ((raw >>> 1) & 0x300) |
      ((raw << 2) & 0x400) |
      ((raw >>> 1) & 0x40) |
      ((raw << 1) & 0x80) |
      ((raw >>> 2) & 0xe) |
      ((raw << 3) & 0x20),
    12,
  );
}
