// RV32IMAC + Zicsr + Zifencei disassembler for `--trace`: one instruction to text in the style of
// GNU `objdump -d -M no-aliases` (ABI register names, branch and jump targets as absolute addresses,
// compressed forms with their `c.` names). It accepts exactly what the hart's decoder accepts:
// anything else prints as `unknown 0x%08x` (or `unknown 0x%04x` for a 16-bit parcel).

// biome-ignore format: sixteen registers a row
const REGS = [
  'zero', 'ra', 'sp', 'gp', 'tp', 't0', 't1', 't2', 's0', 's1', 'a0', 'a1', 'a2', 'a3', 'a4', 'a5',
  'a6', 'a7', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9', 's10', 's11', 't3', 't4', 't5', 't6',
];

/** 2 for a compressed instruction (low two bits not 11), else 4. */
export function instructionLength(raw: number): 2 | 4 {
  return (raw & 3) === 3 ? 4 : 2;
}

/** The instruction `raw` (a 32-bit word; only the low 16 bits for a compressed one) at `pc`. */
export function disassemble(raw: number, pc: number): string {
  if (instructionLength(raw) === 4) {
    const word = raw >>> 0;
    return dis32(word, pc >>> 0) ?? `unknown 0x${word.toString(16).padStart(8, '0')}`;
  }
  const half = raw & 0xffff;
  return dis16(half, pc >>> 0) ?? `unknown 0x${half.toString(16).padStart(4, '0')}`;
}

// ---- helpers --------------------------------------------------------------------------------------

const reg = (n: number): string => REGS[n & 31] ?? `x${n}`;
const hex = (n: number): string => `0x${(n >>> 0).toString(16)}`;
const target = (pc: number, offset: number): string => hex(pc + offset);
const sext = (value: number, bits: number): number => (value << (32 - bits)) >> (32 - bits);
const bit = (raw: number, n: number): number => (raw >>> n) & 1;
const op = (name: string, ...operands: string[]): string =>
  operands.length === 0 ? name : `${name} ${operands.join(',')}`;
const mem = (offset: number, base: number): string => `${offset}(${reg(base)})`;

/**
 * Gathers an immediate scattered over instruction bits: the bits from `high` downwards go to the
 * immediate bit positions listed in `dest` (the order the ISA manual's encoding tables use).
 */
function gather(raw: number, high: number, dest: number[]): number {
  let value = 0;
  dest.forEach((to, i) => {
    value |= bit(raw, high - i) << to;
  });
  return value;
}

// ---- 32-bit instructions ---------------------------------------------------------------------------

const BRANCHES = ['beq', 'bne', '', '', 'blt', 'bge', 'bltu', 'bgeu'];
const LOADS = ['lb', 'lh', 'lw', '', 'lbu', 'lhu', '', ''];
const STORES = ['sb', 'sh', 'sw', '', '', '', '', ''];
const OP_IMM = ['addi', '', 'slti', 'sltiu', 'xori', '', 'ori', 'andi'];
const OP = ['add', 'sll', 'slt', 'sltu', 'xor', 'srl', 'or', 'and'];
const MULDIV = ['mul', 'mulh', 'mulhsu', 'mulhu', 'div', 'divu', 'rem', 'remu'];
const CSR_OPS = ['', 'csrrw', 'csrrs', 'csrrc', '', 'csrrwi', 'csrrsi', 'csrrci'];
const AMOS: Record<number, string> = {
  0: 'amoadd.w',
  1: 'amoswap.w',
  2: 'lr.w',
  3: 'sc.w',
  4: 'amoxor.w',
  8: 'amoor.w',
  12: 'amoand.w',
  16: 'amomin.w',
  20: 'amomax.w',
  24: 'amominu.w',
  28: 'amomaxu.w',
};
const SYSTEM: Record<number, string> = {
  115: 'ecall',
  1048691: 'ebreak',
  270532723: 'sret',
  807403635: 'mret',
  273678451: 'wfi',
};

/** imm[20|10:1|11|19:12] in bits 31:12. */
const JAL_BITS = [20, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 11, 19, 18, 17, 16, 15, 14, 13, 12];

function dis32(raw: number, pc: number): string | undefined {
  const rd = (raw >>> 7) & 31;
  const f3 = (raw >>> 12) & 7;
  const rs1 = (raw >>> 15) & 31;
  const rs2 = (raw >>> 20) & 31;
  const f7 = raw >>> 25;
  const immI = raw >> 20;
  switch (raw & 0x7f) {
    case 0x37:
      return op('lui', reg(rd), hex(raw >>> 12));
    case 0x17:
      return op('auipc', reg(rd), hex(raw >>> 12));
    case 0x6f:
      return op('jal', reg(rd), target(pc, sext(gather(raw, 31, JAL_BITS), 21)));
    case 0x67:
      return f3 === 0 ? op('jalr', reg(rd), mem(immI, rs1)) : undefined;
    case 0x63: {
      const offset = sext(gather(raw, 31, [12, 10, 9, 8, 7, 6, 5]) | gather(raw, 11, [4, 3, 2, 1, 11]), 13);
      return named(BRANCHES[f3], (name) => op(name, reg(rs1), reg(rs2), target(pc, offset)));
    }
    case 0x03:
      return named(LOADS[f3], (name) => op(name, reg(rd), mem(immI, rs1)));
    case 0x23:
      return named(STORES[f3], (name) => op(name, reg(rs2), mem(((raw >> 25) << 5) | rd, rs1)));
    case 0x13:
      return opImm(rd, f3, rs1, rs2, f7, immI);
    case 0x33:
      return opReg(rd, f3, rs1, rs2, f7);
    case 0x0f:
      return miscMem(raw, f3);
    case 0x73:
      return system(raw, rd, f3, rs1, rs2, f7);
    case 0x2f:
      return atomic(raw, rd, f3, rs1, rs2);
    default:
      return undefined;
  }
}

function named(name: string | undefined, format: (name: string) => string): string | undefined {
  return name ? format(name) : undefined;
}

function opImm(
  rd: number,
  f3: number,
  rs1: number,
  shamt: number,
  f7: number,
  imm: number,
): string | undefined {
  if (f3 === 1) return f7 === 0 ? op('slli', reg(rd), reg(rs1), hex(shamt)) : undefined;
  if (f3 === 5) {
    if (f7 === 0) return op('srli', reg(rd), reg(rs1), hex(shamt));
    return f7 === 0x20 ? op('srai', reg(rd), reg(rs1), hex(shamt)) : undefined;
  }
  return op(OP_IMM[f3] ?? '', reg(rd), reg(rs1), String(imm));
}

function opReg(rd: number, f3: number, rs1: number, rs2: number, f7: number): string | undefined {
  let name: string | undefined;
  if (f7 === 0) name = OP[f3];
  else if (f7 === 1) name = MULDIV[f3];
  else if (f7 === 0x20 && f3 === 0) name = 'sub';
  else if (f7 === 0x20 && f3 === 5) name = 'sra';
  return named(name, (n) => op(n, reg(rd), reg(rs1), reg(rs2)));
}

/** FENCE ignores rd, rs1 and reserved fm values (the ISA says to treat them as a normal fence). */
function miscMem(raw: number, f3: number): string | undefined {
  if (f3 === 1) return 'fence.i';
  if (f3 !== 0) return undefined;
  const pred = (raw >>> 24) & 15;
  const succ = (raw >>> 20) & 15;
  if (raw >>> 28 === 8 && pred === 3 && succ === 3) return 'fence.tso';
  return op('fence', fenceSet(pred), fenceSet(succ));
}

function fenceSet(set: number): string {
  const text = ['i', 'o', 'r', 'w'].filter((_, i) => (set & (8 >> i)) !== 0).join('');
  return text === '' ? '0' : text;
}

function system(
  raw: number,
  rd: number,
  f3: number,
  rs1: number,
  rs2: number,
  f7: number,
): string | undefined {
  if (f3 === 0) {
    if (f7 === 0x09 && rd === 0) return op('sfence.vma', reg(rs1), reg(rs2));
    return SYSTEM[raw];
  }
  const name = CSR_OPS[f3];
  if (!name) return undefined;
  const csr = csrName(raw >>> 20);
  return op(name, reg(rd), csr, f3 >= 5 ? String(rs1) : reg(rs1));
}

function atomic(raw: number, rd: number, f3: number, rs1: number, rs2: number): string | undefined {
  const base = f3 === 2 ? AMOS[raw >>> 27] : undefined;
  if (base === undefined) return undefined;
  const order = ['', '.rl', '.aq', '.aqrl'][(raw >>> 25) & 3] ?? '';
  const addr = `(${reg(rs1)})`;
  if (base === 'lr.w') return rs2 === 0 ? op(base + order, reg(rd), addr) : undefined;
  return op(base + order, reg(rd), reg(rs2), addr);
}

// ---- CSR names --------------------------------------------------------------------------------------

const CSR_NAMES = buildCsrNames();

/** The standard unprivileged, supervisor and machine CSRs (counters, trap setup, PMP, debug). */
function buildCsrNames(): Map<number, string> {
  const names = new Map<number, string>();
  // biome-ignore format: grouped as in the privileged spec's CSR tables
  const fixed: [number, string][] = [
    [0x001, 'fflags'], [0x002, 'frm'], [0x003, 'fcsr'],
    [0xc00, 'cycle'], [0xc01, 'time'], [0xc02, 'instret'],
    [0xc80, 'cycleh'], [0xc81, 'timeh'], [0xc82, 'instreth'],
    [0x100, 'sstatus'], [0x104, 'sie'], [0x105, 'stvec'], [0x106, 'scounteren'], [0x10a, 'senvcfg'],
    [0x140, 'sscratch'], [0x141, 'sepc'], [0x142, 'scause'], [0x143, 'stval'], [0x144, 'sip'],
    [0x14d, 'stimecmp'], [0x15d, 'stimecmph'], [0x180, 'satp'], [0x5a8, 'scontext'],
    [0xf11, 'mvendorid'], [0xf12, 'marchid'], [0xf13, 'mimpid'], [0xf14, 'mhartid'], [0xf15, 'mconfigptr'],
    [0x300, 'mstatus'], [0x301, 'misa'], [0x302, 'medeleg'], [0x303, 'mideleg'], [0x304, 'mie'],
    [0x305, 'mtvec'], [0x306, 'mcounteren'], [0x30a, 'menvcfg'], [0x310, 'mstatush'], [0x31a, 'menvcfgh'],
    [0x320, 'mcountinhibit'], [0x340, 'mscratch'], [0x341, 'mepc'], [0x342, 'mcause'], [0x343, 'mtval'],
    [0x344, 'mip'], [0x34a, 'mtinst'], [0x34b, 'mtval2'], [0x747, 'mseccfg'], [0x757, 'mseccfgh'],
    [0xb00, 'mcycle'], [0xb02, 'minstret'], [0xb80, 'mcycleh'], [0xb82, 'minstreth'],
    [0x7a0, 'tselect'], [0x7a1, 'tdata1'], [0x7a2, 'tdata2'], [0x7a3, 'tdata3'], [0x7a4, 'tinfo'],
    [0x7a5, 'tcontrol'], [0x7a8, 'mcontext'], [0x7aa, 'mscontext'],
    [0x7b0, 'dcsr'], [0x7b1, 'dpc'], [0x7b2, 'dscratch0'], [0x7b3, 'dscratch1'],
  ];
  for (const [number, name] of fixed) names.set(number, name);
  for (let i = 3; i < 32; i++) {
    names.set(0xc00 + i, `hpmcounter${i}`);
    names.set(0xc80 + i, `hpmcounter${i}h`);
    names.set(0xb00 + i, `mhpmcounter${i}`);
    names.set(0xb80 + i, `mhpmcounter${i}h`);
    names.set(0x320 + i, `mhpmevent${i}`);
    names.set(0x720 + i, `mhpmevent${i}h`);
  }
  for (let i = 0; i < 16; i++) names.set(0x3a0 + i, `pmpcfg${i}`);
  for (let i = 0; i < 64; i++) names.set(0x3b0 + i, `pmpaddr${i}`);
  return names;
}

/** The CSR's standard name, or its number in hex. */
export function csrName(csr: number): string {
  return CSR_NAMES.get(csr) ?? hex(csr);
}

// ---- 16-bit (RVC) instructions ----------------------------------------------------------------------

function dis16(raw: number, pc: number): string | undefined {
  const f3 = raw >>> 13;
  switch (raw & 3) {
    case 0:
      return quadrant0(raw, f3);
    case 1:
      return quadrant1(raw, f3, pc);
    default:
      return quadrant2(raw, f3);
  }
}

/** rd'/rs2' in bits 4:2 and rs1'/rd' in bits 9:7 name x8..x15. */
const low3 = (raw: number): string => reg(8 + ((raw >>> 2) & 7));
const high3 = (raw: number): string => reg(8 + ((raw >>> 7) & 7));
/** The full register field in bits 11:7 and in bits 6:2. */
const rdFull = (raw: number): number => (raw >>> 7) & 31;
const rs2Full = (raw: number): number => (raw >>> 2) & 31;
/** CI-format imm[5] in bit 12 and imm[4:0] in bits 6:2, sign-extended. */
const immCI = (raw: number): number => sext(gather(raw, 12, [5]) | gather(raw, 6, [4, 3, 2, 1, 0]), 6);

function quadrant0(raw: number, f3: number): string | undefined {
  if (f3 === 0) {
    const imm = gather(raw, 12, [5, 4, 9, 8, 7, 6, 2, 3]);
    return imm === 0 ? undefined : op('c.addi4spn', low3(raw), 'sp', String(imm));
  }
  const offset = gather(raw, 12, [5, 4, 3]) | gather(raw, 6, [2, 6]);
  if (f3 === 2) return op('c.lw', low3(raw), `${offset}(${high3(raw)})`);
  if (f3 === 6) return op('c.sw', low3(raw), `${offset}(${high3(raw)})`);
  return undefined;
}

function quadrant1(raw: number, f3: number, pc: number): string | undefined {
  const rd = rdFull(raw);
  const imm = immCI(raw);
  switch (f3) {
    case 0:
      return rd === 0 && imm === 0 ? 'c.nop' : op('c.addi', reg(rd), String(imm));
    case 1:
      return op('c.jal', target(pc, jumpOffset(raw)));
    case 2:
      return op('c.li', reg(rd), String(imm));
    case 3:
      return rd === 2 ? addi16sp(raw) : imm === 0 ? undefined : op('c.lui', reg(rd), hex(imm & 0xfffff));
    case 4:
      return arithmetic(raw, imm);
    case 5:
      return op('c.j', target(pc, jumpOffset(raw)));
    default: {
      const offset = sext(gather(raw, 12, [8, 4, 3]) | gather(raw, 6, [7, 6, 2, 1, 5]), 9);
      return op(f3 === 6 ? 'c.beqz' : 'c.bnez', high3(raw), target(pc, offset));
    }
  }
}

function addi16sp(raw: number): string | undefined {
  const imm = sext(gather(raw, 12, [9]) | gather(raw, 6, [4, 6, 8, 7, 5]), 10);
  return imm === 0 ? undefined : op('c.addi16sp', 'sp', String(imm));
}

/** CJ format: offset[11|4|9:8|10|6|7|3:1|5] in bits 12:2. */
function jumpOffset(raw: number): number {
  return sext(gather(raw, 12, [11, 4, 9, 8, 10, 6, 7, 3, 2, 1, 5]), 12);
}

/** c.srli, c.srai, c.andi and the CA-format register operations. */
function arithmetic(raw: number, imm: number): string | undefined {
  const rd = high3(raw);
  const f2 = (raw >>> 10) & 3;
  if (f2 === 2) return op('c.andi', rd, String(imm));
  if (bit(raw, 12)) return undefined; // shamt[5] = 1 is reserved on RV32; c.subw/c.addw are RV64
  if (f2 === 3) return op(['c.sub', 'c.xor', 'c.or', 'c.and'][(raw >>> 5) & 3] ?? '', rd, low3(raw));
  const name = f2 === 0 ? 'c.srli' : 'c.srai';
  const shamt = rs2Full(raw);
  return shamt === 0 ? op(`${name}64`, rd) : op(name, rd, hex(shamt));
}

function quadrant2(raw: number, f3: number): string | undefined {
  const rd = rdFull(raw);
  const rs2 = rs2Full(raw);
  switch (f3) {
    case 0:
      if (bit(raw, 12)) return undefined; // shamt[5] = 1 is reserved on RV32
      return rs2 === 0 ? op('c.slli64', reg(rd)) : op('c.slli', reg(rd), hex(rs2));
    case 2: {
      const offset = gather(raw, 12, [5]) | gather(raw, 6, [4, 3, 2, 7, 6]);
      return rd === 0 ? undefined : op('c.lwsp', reg(rd), `${offset}(sp)`);
    }
    case 4:
      return registerOps(raw, rd, rs2);
    case 6:
      return op('c.swsp', reg(rs2), `${gather(raw, 12, [5, 4, 3, 2, 7, 6])}(sp)`);
    default:
      return undefined;
  }
}

/** c.jr, c.mv, c.ebreak, c.jalr, c.add. */
function registerOps(raw: number, rd: number, rs2: number): string | undefined {
  if (!bit(raw, 12)) {
    if (rs2 !== 0) return op('c.mv', reg(rd), reg(rs2));
    return rd === 0 ? undefined : op('c.jr', reg(rd));
  }
  if (rs2 !== 0) return op('c.add', reg(rd), reg(rs2));
  return rd === 0 ? 'c.ebreak' : op('c.jalr', reg(rd));
}
