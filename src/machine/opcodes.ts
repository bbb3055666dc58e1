// Internal operation numbers for decoded instructions and the packed layout of a decoded slot.
// A decoded instruction is two int32 words: `packed` (op, rd, rs1, rs2, length) and `imm`.
// Compressed instructions decode to the same operations as their 32-bit expansions.

// A const enum, so every use compiles to a numeric literal: V8 then turns the interpreter's
// `switch` into a jump table (with property loads as case labels it was a chain of compares).
// biome-ignore lint/suspicious/noConstEnum: inlined literals are the point; the project does not use isolatedModules
export const enum Op {
  // 0 is reserved: "slot not decoded yet".
  LUI = 1,
  AUIPC = 2,
  JAL = 3,
  JALR = 4,
  BEQ = 5,
  BNE = 6,
  BLT = 7,
  BGE = 8,
  BLTU = 9,
  BGEU = 10,
  LB = 11,
  LH = 12,
  LW = 13,
  LBU = 14,
  LHU = 15,
  SB = 16,
  SH = 17,
  SW = 18,
  ADDI = 19,
  SLTI = 20,
  SLTIU = 21,
  XORI = 22,
  ORI = 23,
  ANDI = 24,
  SLLI = 25,
  SRLI = 26,
  SRAI = 27,
  ADD = 28,
  SUB = 29,
  SLL = 30,
  SLT = 31,
  SLTU = 32,
  XOR = 33,
  SRL = 34,
  SRA = 35,
  OR = 36,
  AND = 37,
  MUL = 38,
  MULH = 39,
  MULHSU = 40,
  MULHU = 41,
  DIV = 42,
  DIVU = 43,
  REM = 44,
  REMU = 45,
  FENCE = 46,
  FENCE_I = 47,
  ECALL = 48,
  EBREAK = 49,
  MRET = 50,
  SRET = 51,
  WFI = 52,
  SFENCE_VMA = 53,
  CSRRW = 54,
  CSRRS = 55,
  CSRRC = 56,
  CSRRWI = 57,
  CSRRSI = 58,
  CSRRCI = 59,
  LR_W = 60,
  SC_W = 61,
  AMOSWAP_W = 62,
  AMOADD_W = 63,
  AMOXOR_W = 64,
  AMOAND_W = 65,
  AMOOR_W = 66,
  AMOMIN_W = 67,
  AMOMAX_W = 68,
  AMOMINU_W = 69,
  AMOMAXU_W = 70,
  ILLEGAL = 71,
}

/** Register index that absorbs writes to x0, so x0 always reads zero without a check. */
export const X0_SINK = 32;

export const RD_SHIFT = 8;
export const RS1_SHIFT = 14;
export const RS2_SHIFT = 19;
export const LEN_SHIFT = 26;

/** Packs decoded fields; rd 0 becomes X0_SINK. `len` is 2 or 4. */
export function pack(op: number, rd: number, rs1: number, rs2: number, len: number): number {
  const dest = rd === 0 ? X0_SINK : rd;
  return op | (dest << RD_SHIFT) | (rs1 << RS1_SHIFT) | (rs2 << RS2_SHIFT) | (len << LEN_SHIFT);
}

export const opOf = (packed: number): number => packed & 0xff;
export const rdOf = (packed: number): number => (packed >>> RD_SHIFT) & 63;
export const rs1Of = (packed: number): number => (packed >>> RS1_SHIFT) & 31;
export const rs2Of = (packed: number): number => (packed >>> RS2_SHIFT) & 31;
export const lenOf = (packed: number): number => packed >>> LEN_SHIFT;
