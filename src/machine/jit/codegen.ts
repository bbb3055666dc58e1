// Code generation: turns a region (region.ts) into the source of one JavaScript function. Guest
// registers live in JS locals for the whole region and are written back once at its exit; blocks
// are cases of a `switch` inside a loop, so control flow inside the region (a hot loop) never
// leaves the function. Constants are propagated inside a block (lui+addi, auipc+jalr fold to
// immediates; a branch on constants is decided at compile time). Loads and stores use the
// interpreter's TLB arrays inline; a miss calls a fill helper and, if the access still cannot take
// the fast path (fault, MMIO, hooked or code frame, page crossing), the region exits with the pc of
// that instruction so the interpreter runs it — which is what makes traps precise. ex[1] is the
// slow-path helpers' "must exit" flag.
//
// The function: (b: block index, left: budget) => budget left. It sets h.pc and ex[0] (exit kind).
import { Op, X0_SINK } from '../opcodes.js';
import { TLB_MASK } from '../tlb.js';
import { type Block, END_BRANCH, END_FALL, END_JAL, END_SLOW, type RegionShape } from './region.js';

/** Exit kinds in ex[0]: continue dispatch at h.pc; run one instruction in the interpreter; budget short. */
export const EXIT_NEXT = 0;
export const EXIT_INTERPRET = 1;
export const EXIT_BUDGET_SHORT = 2;

/** Names the generated function closes over, in order (engine.ts passes the values, as `$name`). */
export const CLOSURE_NAMES = [
  'h',
  'x',
  'tagR',
  'tagW',
  'off',
  'i32',
  'i16',
  'u16',
  'u8',
  'view',
  'ldSlow',
  'stSlow',
  'mulh',
  'mulhsu',
  'mulhu',
  'ex',
] as const;

export interface RegionCode {
  /** Body of the factory: `return function (b, left) {...}`. */
  source: string;
  /** Block start pc → case index. */
  blockIndex: Map<number, number>;
  instructions: number;
}

const BRANCH_COND: Record<number, (a: string, b: string) => string> = {
  [Op.BEQ]: (a, b) => `${a} === ${b}`,
  [Op.BNE]: (a, b) => `${a} !== ${b}`,
  [Op.BLT]: (a, b) => `${a} < ${b}`,
  [Op.BGE]: (a, b) => `${a} >= ${b}`,
  [Op.BLTU]: (a, b) => `(${a} >>> 0) < (${b} >>> 0)`,
  [Op.BGEU]: (a, b) => `(${a} >>> 0) >= (${b} >>> 0)`,
};

/** Compile-time value of a branch on two constants. */
function branchTaken(op: number, a: number, b: number): boolean {
  switch (op) {
    case Op.BEQ:
      return a === b;
    case Op.BNE:
      return a !== b;
    case Op.BLT:
      return a < b;
    case Op.BGE:
      return a >= b;
    case Op.BLTU:
      return a >>> 0 < b >>> 0;
    default:
      return a >>> 0 >= b >>> 0;
  }
}

/** Compile-time value of an ALU operation on constants (int32), or undefined if not folded. */
function fold(op: number, a: number, b: number, imm: number): number | undefined {
  switch (op) {
    case Op.ADDI:
      return (a + imm) | 0;
    case Op.XORI:
      return a ^ imm;
    case Op.ORI:
      return a | imm;
    case Op.ANDI:
      return a & imm;
    case Op.SLLI:
      return a << imm;
    case Op.SRLI:
      return (a >>> imm) | 0;
    case Op.SRAI:
      return a >> imm;
    case Op.ADD:
      return (a + b) | 0;
    case Op.SUB:
      return (a - b) | 0;
    case Op.XOR:
      return a ^ b;
    case Op.OR:
      return a | b;
    case Op.AND:
      return a & b;
    case Op.SLL:
      return a << (b & 31);
    case Op.SRL:
      return (a >>> (b & 31)) | 0;
    case Op.SRA:
      return a >> (b & 31);
    default:
      return undefined;
  }
}

/** An expression (int32) for an ALU operation; a and b are operand expressions. */
function aluExpr(op: number, a: string, b: string, imm: number): string | undefined {
  switch (op) {
    case Op.ADDI:
      return imm === 0 ? a : `(${a} + ${imm}) | 0`;
    case Op.SLTI:
      return `${a} < ${imm} ? 1 : 0`;
    case Op.SLTIU:
      return `(${a} >>> 0) < ${imm >>> 0} ? 1 : 0`;
    case Op.XORI:
      return `${a} ^ ${imm}`;
    case Op.ORI:
      return `${a} | ${imm}`;
    case Op.ANDI:
      return `${a} & ${imm}`;
    case Op.SLLI:
      return `${a} << ${imm}`;
    case Op.SRLI:
      return `(${a} >>> ${imm}) | 0`;
    case Op.SRAI:
      return `${a} >> ${imm}`;
    case Op.ADD:
      return `(${a} + ${b}) | 0`;
    case Op.SUB:
      return `(${a} - ${b}) | 0`;
    case Op.SLL:
      return `${a} << (${b} & 31)`;
    case Op.SLT:
      return `${a} < ${b} ? 1 : 0`;
    case Op.SLTU:
      return `(${a} >>> 0) < (${b} >>> 0) ? 1 : 0`;
    case Op.XOR:
      return `${a} ^ ${b}`;
    case Op.SRL:
      return `(${a} >>> (${b} & 31)) | 0`;
    case Op.SRA:
      return `${a} >> (${b} & 31)`;
    case Op.OR:
      return `${a} | ${b}`;
    case Op.AND:
      return `${a} & ${b}`;
    case Op.MUL:
      return `Math.imul(${a}, ${b})`;
    case Op.MULH:
      return `mulh(${a}, ${b}) | 0`;
    case Op.MULHSU:
      return `mulhsu(${a}, ${b}) | 0`;
    case Op.MULHU:
      return `mulhu(${a}, ${b}) | 0`;
    default:
      return undefined;
  }
}

/**
 * Per-site translation cache: each load or store site keeps, in two locals, the page of its last
 * fast access (`p`, a page base, so -1 never matches) and the host-minus-guest address delta
 * (`d`). The site's test masks the address with the page bits and the alignment bits at once, so
 * one compare covers "same page" and "naturally aligned" (which also keeps the access in the page).
 * The locals live for one call; within it nothing can make a translation the TLB held wrong (no
 * sfence.vma, satp write or new code frame happens inside a region).
 */
const SITE_MASK: Record<number, number> = {
  [Op.LB]: -4096,
  [Op.LBU]: -4096,
  [Op.LH]: -4095,
  [Op.LHU]: -4095,
  [Op.LW]: -4093,
  [Op.SB]: -4096,
  [Op.SH]: -4095,
  [Op.SW]: -4093,
};
/** Alignment part of the TLB test: a naturally aligned access never crosses its page. */
const ALIGN_TEST: Record<number, string> = {
  [Op.LH]: ' && (a & 1) === 0',
  [Op.LHU]: ' && (a & 1) === 0',
  [Op.LW]: ' && (a & 3) === 0',
  [Op.SH]: ' && (a & 1) === 0',
  [Op.SW]: ' && (a & 3) === 0',
};
/** Host element expressions for address `a` plus delta `D`. */
const SITE_LOAD: Record<number, string> = {
  [Op.LB]: '(u8[(a + D) | 0] << 24) >> 24',
  [Op.LBU]: 'u8[(a + D) | 0]',
  [Op.LH]: 'i16[(a + D) >> 1]',
  [Op.LHU]: 'u16[(a + D) >> 1]',
  [Op.LW]: 'i32[(a + D) >> 2]',
};
const SITE_STORE: Record<number, string> = {
  [Op.SB]: 'u8[(a + D) | 0] = VALUE',
  [Op.SH]: 'i16[(a + D) >> 1] = VALUE',
  [Op.SW]: 'i32[(a + D) >> 2] = VALUE',
};

class BlockWriter {
  readonly lines: string[] = [];
  /** Registers whose value is a compile-time constant in this block. */
  private readonly known: (number | undefined)[] = new Array<number | undefined>(33).fill(undefined);

  constructor(
    private readonly used: Set<number>,
    private readonly written: Set<number>,
    private readonly sites: Map<string, number>,
    /** The block lies on a cycle inside the region: its memory sites keep translation caches. */
    readonly inLoop: boolean,
  ) {}

  /**
   * The page and delta locals of the translation cache for accesses of `kind` ('R' or 'W')
   * through base register `rs1` (sites sharing a base register usually share a page).
   */
  site(kind: string, rs1: number): [string, string] {
    const key = `${kind}${rs1}`;
    let k = this.sites.get(key);
    if (k === undefined) {
      k = this.sites.size;
      this.sites.set(key, k);
    }
    return [`p${k}`, `d${k}`];
  }

  /** Expression for reading register r. */
  r(reg: number): string {
    if (reg === 0) return '0';
    const k = this.known[reg];
    if (k !== undefined) return String(k);
    this.used.add(reg);
    return `r${reg}`;
  }

  konst(reg: number): number | undefined {
    return reg === 0 ? 0 : this.known[reg];
  }

  set(rd: number, expr: string): void {
    if (rd === X0_SINK) return;
    this.used.add(rd);
    this.written.add(rd);
    this.known[rd] = undefined;
    this.lines.push(`r${rd} = ${expr};`);
  }

  setConst(rd: number, value: number): void {
    if (rd === X0_SINK) return;
    this.used.add(rd);
    this.written.add(rd);
    this.known[rd] = value | 0;
    this.lines.push(`r${rd} = ${value | 0};`);
  }

  emit(line: string): void {
    this.lines.push(line);
  }
}

/** Generates the region function's source. */
export function generate(shape: RegionShape): RegionCode {
  const blockIndex = new Map<number, number>();
  shape.blocks.forEach((block, i) => {
    blockIndex.set(block.start, i);
  });
  const used = new Set<number>();
  const written = new Set<number>();
  const sites = new Map<string, number>();
  const looping = blocksOnCycles(shape, blockIndex);
  const cases: string[] = [];
  let instructions = 0;

  const goto = (target: number): string => {
    const idx = blockIndex.get(target | 0);
    return idx === undefined ? `{ pc = ${target | 0}; break L; }` : `{ b = ${idx}; continue L; }`;
  };

  // A jalr (a return, mostly) whose target is a call's return point in this region stays inside it.
  const returnPoints = shape.blocks
    .map((block, index) => ({ block, index }))
    .filter(({ block }) => {
      const last = block.packed.length - 1;
      const w = block.packed[last] ?? 0;
      const op = w & 0xff;
      return (op === Op.JAL || op === Op.JALR) && ((w >>> 8) & 63) !== X0_SINK && blockIndex.has(block.next);
    })
    .map(({ block }) => block.next);
  const returnDispatch = (target: string): string => {
    if (returnPoints.length === 0) return `pc = ${target}; break L;`;
    const cases = returnPoints.map((at) => `case ${at | 0}: b = ${blockIndex.get(at)}; continue L;`);
    return `switch (${target}) { ${cases.join(' ')} default: pc = ${target}; break L; }`;
  };

  shape.blocks.forEach((block, index) => {
    const w = new BlockWriter(used, written, sites, looping[index] ?? false);
    const n = block.packed.length;
    if (n === 0) throw new Error(`JIT: empty block at 0x${(block.start >>> 0).toString(16)}`);
    instructions += n;
    // A block that branches back to its own start loops in place (a JS loop V8 compiles tightly)
    // instead of going round the outer loop and the switch.
    const lastPc = block.pcs[n - 1] ?? 0;
    const lastOp = (block.packed[n - 1] ?? 0) & 0xff;
    const selfLoop =
      (block.end === END_BRANCH || (block.end === END_JAL && lastOp === Op.JAL)) &&
      (((block.imm[n - 1] ?? 0) + lastPc) | 0) === block.start;
    const blockGoto = selfLoop
      ? (target: number): string => ((target | 0) === block.start ? `continue S${index};` : goto(target))
      : goto;
    w.emit(`case ${index}: {`);
    if (selfLoop) w.emit(`S${index}: for (;;) {`);
    w.emit(`if (left < ${n}) { pc = ${block.start | 0}; e = ${EXIT_BUDGET_SHORT}; break L; }`);
    w.emit(`left -= ${n};`);
    for (let k = 0; k < n; k++) emitInstruction(w, block, k, blockGoto, returnDispatch);
    if (selfLoop) w.emit('break; }');
    const nextIsFallthrough = shape.blocks[index + 1]?.start === block.next;
    if (block.end === END_FALL) {
      if (!nextIsFallthrough) w.emit(goto(block.next));
    } else if (block.end === END_SLOW) {
      w.emit(`pc = ${block.next | 0}; e = ${EXIT_INTERPRET}; break L;`);
    } else if (block.end === END_BRANCH && !nextIsFallthrough) {
      w.emit(goto(block.next));
    }
    w.emit('}');
    cases.push(w.lines.join('\n'));
  });

  const regs = [...used].sort((a, b) => a - b);
  const load = regs.map((r) => `r${r} = x[${r}]`).join(', ');
  const store = [...written]
    .sort((a, b) => a - b)
    .map((r) => `x[${r}] = r${r};`)
    .join(' ');
  const name = `region_${(shape.entry >>> 0).toString(16)}`;
  const source = [
    "'use strict';",
    `return function ${name}(b0, left0) {`,
    // Closure values as local constants: one context load per call, not one per access.
    `const ${CLOSURE_NAMES.map((n) => `${n} = $${n}`).join(', ')};`,
    // Word32 from the start, so the loop's phis are never tagged numbers.
    'let b = b0 | 0, left = left0 | 0;',
    load === '' ? '' : `let ${load};`,
    'let pc = 0, e = 0, a = 0, s = 0, t = 0;',
    sites.size === 0
      ? ''
      : `let ${Array.from({ length: sites.size }, (_, k) => `p${k} = -1, d${k} = 0`).join(', ')};`,
    'L: for (;;) {',
    'switch (b) {',
    ...cases,
    `default: throw new Error('JIT: no block ' + b + ' in ${name}');`,
    '}',
    '}',
    store,
    'h.pc = pc; ex[0] = e;',
    'return left;',
    '};',
  ].join('\n');
  return { source, blockIndex, instructions };
}

/** Emits instruction k of `block`; the last one may be the block's branch or jump. */
function emitInstruction(
  w: BlockWriter,
  block: Block,
  k: number,
  goto: (target: number) => string,
  returnDispatch: (target: string) => string,
): void {
  const packed = block.packed[k] ?? 0;
  const imm = block.imm[k] ?? 0;
  const pc = block.pcs[k] ?? 0;
  const op = packed & 0xff;
  const rd = (packed >>> 8) & 63;
  const rs1 = (packed >>> 14) & 31;
  const rs2 = (packed >>> 19) & 31;
  const len = packed >>> 26;
  const n = block.packed.length;
  const slowExit = `{ left += ${n - k}; pc = ${pc | 0}; e = ${EXIT_INTERPRET}; break L; }`;

  switch (op) {
    case Op.LUI:
      return w.setConst(rd, imm);
    case Op.AUIPC:
      return w.setConst(rd, (pc + imm) | 0);
    case Op.FENCE:
      return;
    case Op.JAL:
      w.setConst(rd, (pc + len) | 0);
      return w.emit(goto((pc + imm) | 0));
    case Op.JALR: {
      const base = w.konst(rs1);
      if (base !== undefined) {
        w.setConst(rd, (pc + len) | 0);
        return w.emit(goto((base + imm) & ~1));
      }
      w.emit(`t = (${w.r(rs1)} + ${imm}) & -2;`);
      w.setConst(rd, (pc + len) | 0);
      return w.emit(returnDispatch('t'));
    }
    case Op.BEQ:
    case Op.BNE:
    case Op.BLT:
    case Op.BGE:
    case Op.BLTU:
    case Op.BGEU: {
      const target = (pc + imm) | 0;
      const ka = w.konst(rs1);
      const kb = w.konst(rs2);
      if (ka !== undefined && kb !== undefined) {
        if (branchTaken(op, ka, kb)) w.emit(goto(target));
        return;
      }
      const cond = BRANCH_COND[op]?.(w.r(rs1), w.r(rs2)) ?? 'false';
      return w.emit(`if (${cond}) ${goto(target)}`);
    }
    case Op.LB:
    case Op.LBU:
    case Op.LH:
    case Op.LHU:
    case Op.LW: {
      // Fast path: the site's cached page (see SITE_MASK), else a TLB hit with natural alignment
      // (which refills the site cache). Anything else goes to ldSlow, which fills the TLB and reads
      // (misaligned too), or flags an exit.
      emitAddress(w, rs1, imm);
      if (!w.inLoop) {
        w.emit(
          `s = (a >>> 12) & ${TLB_MASK}; if (tagR[s] === a >>> 12${ALIGN_TEST[op] ?? ''}) t = ${SITE_LOAD[op]?.replaceAll('D', '(off[s] - (a & -4096))')}; ` +
            `else { t = ldSlow(a, ${op}) | 0; if (ex[1] !== 0) ${slowExit} }`,
        );
        if (rd === X0_SINK) return;
        return w.set(rd, 't');
      }
      const [p, d] = w.site('R', rs1);
      const fast = (SITE_LOAD[op] ?? '').replaceAll('D', d);
      w.emit(
        `if ((a & ${SITE_MASK[op]}) === ${p}) t = ${fast}; ` +
          `else { s = (a >>> 12) & ${TLB_MASK}; ` +
          `if (tagR[s] === a >>> 12${ALIGN_TEST[op] ?? ''}) { ${p} = a & -4096; ${d} = (off[s] - ${p}) | 0; t = ${fast}; } ` +
          `else { t = ldSlow(a, ${op}) | 0; if (ex[1] !== 0) ${slowExit} } }`,
      );
      if (rd === X0_SINK) return;
      return w.set(rd, 't');
    }
    case Op.SB:
    case Op.SH:
    case Op.SW: {
      const value = w.r(rs2);
      emitAddress(w, rs1, imm);
      if (!w.inLoop) {
        const direct = (SITE_STORE[op] ?? '')
          .replaceAll('D', '(off[s] - (a & -4096))')
          .replace('VALUE', value);
        return w.emit(
          `s = (a >>> 12) & ${TLB_MASK}; if (tagW[s] === a >>> 12${ALIGN_TEST[op] ?? ''}) ${direct}; ` +
            `else if (!stSlow(a, ${value}, ${op})) ${slowExit}`,
        );
      }
      const [p, d] = w.site('W', rs1);
      const fast = (SITE_STORE[op] ?? '').replaceAll('D', d).replace('VALUE', value);
      return w.emit(
        `if ((a & ${SITE_MASK[op]}) === ${p}) ${fast}; ` +
          `else { s = (a >>> 12) & ${TLB_MASK}; ` +
          `if (tagW[s] === a >>> 12${ALIGN_TEST[op] ?? ''}) { ${p} = a & -4096; ${d} = (off[s] - ${p}) | 0; ${fast}; } ` +
          `else if (!stSlow(a, ${value}, ${op})) ${slowExit} }`,
      );
    }
    case Op.DIV:
    case Op.DIVU:
    case Op.REM:
    case Op.REMU: {
      const a = w.r(rs1);
      const unsigned = op === Op.DIVU || op === Op.REMU;
      w.emit(`t = ${w.r(rs2)}${unsigned ? ' >>> 0' : ''};`);
      const ua = unsigned ? `(${a} >>> 0)` : a;
      if (op === Op.DIV || op === Op.DIVU) return w.set(rd, `t === 0 ? -1 : (${ua} / t) | 0`);
      return w.set(rd, `t === 0 ? ${a} : (${ua} % t) | 0`);
    }
    default: {
      const ka = w.konst(rs1);
      const isImm = op >= Op.ADDI && op <= Op.SRAI;
      const kb = isImm ? 0 : w.konst(rs2);
      if (ka !== undefined && kb !== undefined) {
        const folded = fold(op, ka, kb, imm);
        if (folded !== undefined) return w.setConst(rd, folded);
      }
      const expr = aluExpr(op, w.r(rs1), isImm ? '0' : w.r(rs2), imm);
      if (expr === undefined) throw new Error(`JIT: no code for op ${op}`);
      return w.set(rd, expr);
    }
  }
}

/** For each block (by index): whether it lies on a cycle of control flow inside the region. */
function blocksOnCycles(shape: RegionShape, blockIndex: Map<number, number>): boolean[] {
  const succ = shape.blocks.map((block) => {
    const out: number[] = [];
    const last = block.packed.length - 1;
    const op = (block.packed[last] ?? 0) & 0xff;
    const target = ((block.pcs[last] ?? 0) + (block.imm[last] ?? 0)) | 0;
    if (block.end === END_BRANCH || (block.end === END_JAL && op === Op.JAL)) {
      const k = blockIndex.get(target);
      if (k !== undefined) out.push(k);
    }
    if (block.end === END_BRANCH || block.end === END_FALL) {
      const k = blockIndex.get(block.next);
      if (k !== undefined) out.push(k);
    }
    return out;
  });
  return shape.blocks.map((_, start) => {
    const seen = new Set<number>();
    const work = [...(succ[start] ?? [])];
    while (work.length > 0) {
      const k = work.pop() as number;
      if (k === start) return true;
      if (seen.has(k)) continue;
      seen.add(k);
      work.push(...(succ[k] ?? []));
    }
    return false;
  });
}

/** Emits a = effective address. */
function emitAddress(w: BlockWriter, rs1: number, imm: number): void {
  const base = w.konst(rs1);
  if (base !== undefined) {
    w.emit(`a = ${(base + imm) | 0};`);
    return;
  }
  w.emit(`a = ${imm === 0 ? w.r(rs1) : `(${w.r(rs1)} + ${imm}) | 0`};`);
}
