// A random RV32IMAC program generator for fuzzing the two engines against each other. A seed gives
// a RAM image: boot code, an M-mode trap handler, two pages of random code (straight-line ALU/M ops,
// loads and stores to mapped, read-only and unmapped pages and across page ends, counted loops,
// forward branches, calls, compressed forms, CSR counter reads, ecall/ebreak/illegal/wfi, LR/SC and
// AMOs, self-modifying stores with and without fence.i), and either M-mode with no paging or U-mode
// under Sv32, where an ecall remaps a data page and a code page (the JIT must notice) and arms the
// timer (interrupts land at arbitrary points). Every trap is handled and skipped, so the program
// runs forever; a test runs a budget of it and compares the engines.

export const RAM_BASE = 0x80000000;
export const RAM_SIZE = 1 << 20;
const HANDLER = 0x80000400;
const CODE = 0x80002000;
const CODE_ALT = 0x80005000; // second copy of the code's second page (U-mode remap)
const DATA = 0x80010000;
const DATA_ALT = 0x80014000;
const ROOT_PT = 0x80020000;
const LEAF_PT = 0x80021000;
const CLINT_MTIMECMP = 0x02004000;

/** Registers random code may write; x8 (data base), x16 (loop counter), x17/x18 (temps) and x28..x31 (handler) are kept. */
const DEST = [5, 6, 7, 9, 10, 11, 12, 13, 14, 15, 19, 20, 21, 22, 23, 24, 25, 26, 27];
const COMPRESSED_DEST = [9, 10, 11, 12, 13, 14, 15];

class Rng {
  constructor(private state: number) {
    this.state = state >>> 0 || 1;
  }
  next(): number {
    // mulberry32
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  below(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)] as T;
  }
  chance(p: number): boolean {
    return this.next() / 2 ** 32 < p;
  }
}

// 32-bit encoders.
const r = (f7: number, rs2: number, rs1: number, f3: number, rd: number, op: number): number =>
  ((f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const i = (imm: number, rs1: number, f3: number, rd: number, op: number): number =>
  (((imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | op) >>> 0;
const s = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((imm & 31) << 7) | 0x23) >>> 0;
const b = (imm: number, rs2: number, rs1: number, f3: number): number =>
  ((((imm >> 12) & 1) << 31) |
    (((imm >> 5) & 0x3f) << 25) |
    (rs2 << 20) |
    (rs1 << 15) |
    (f3 << 12) |
    (((imm >> 1) & 0xf) << 8) |
    (((imm >> 11) & 1) << 7) |
    0x63) >>>
  0;
const u = (imm20: number, rd: number, op: number): number =>
  (((imm20 & 0xfffff) << 12) | (rd << 7) | op) >>> 0;
const j = (imm: number, rd: number): number =>
  ((((imm >> 20) & 1) << 31) |
    (((imm >> 1) & 0x3ff) << 21) |
    (((imm >> 11) & 1) << 20) |
    (((imm >> 12) & 0xff) << 12) |
    (rd << 7) |
    0x6f) >>>
  0;
const addi = (rd: number, rs1: number, imm: number): number => i(imm, rs1, 0, rd, 0x13);
const csrrs = (rd: number, csr: number, rs1: number): number => i(csr, rs1, 2, rd, 0x73);
const csrrw = (rd: number, csr: number, rs1: number): number => i(csr, rs1, 1, rd, 0x73);
const MRET = 0x30200073;

/** li as lui+addi (always two instructions, so sizes are known). */
function li(rd: number, value: number): number[] {
  const lo = (value << 20) >> 20;
  const hi = ((value - lo) >>> 12) & 0xfffff;
  return [u(hi, rd, 0x37), addi(rd, rd, lo)];
}

/** Halfword stream being assembled. */
class Code {
  readonly h: number[] = [];
  get bytes(): number {
    return this.h.length * 2;
  }
  w(...words: number[]): this {
    for (const word of words) this.h.push(word & 0xffff, word >>> 16);
    return this;
  }
  c(half: number): this {
    this.h.push(half & 0xffff);
    return this;
  }
  append(other: Code): this {
    this.h.push(...other.h);
    return this;
  }
}

const cReg = (reg: number): number => reg - 8;

function genAlu(rng: Rng, c: Code): void {
  const rd = rng.pick(DEST);
  const srcs = [0, 8, ...DEST, 1, 16];
  const rs1 = rng.pick(srcs);
  const rs2 = rng.pick(srcs);
  const k = rng.below(6);
  if (k === 0) {
    const f3 = rng.pick([0, 2, 3, 4, 6, 7]);
    c.w(i(rng.chance(0.3) ? rng.pick([0, -1, 1, 2047, -2048]) : rng.below(4096), rs1, f3, rd, 0x13));
  } else if (k === 1) {
    const f3 = rng.pick([1, 5]);
    c.w(r(f3 === 5 && rng.chance(0.5) ? 0x20 : 0, rng.below(32), rs1, f3, rd, 0x13));
  } else if (k === 2) {
    const [f7, f3] = rng.pick([
      [0, 0],
      [0x20, 0],
      [0, 1],
      [0, 2],
      [0, 3],
      [0, 4],
      [0, 5],
      [0x20, 5],
      [0, 6],
      [0, 7],
    ] as const);
    c.w(r(f7, rs2, rs1, f3, rd, 0x33));
  } else if (k === 3) {
    c.w(r(1, rs2, rs1, rng.below(8), rd, 0x33)); // M extension
  } else if (k === 4) {
    c.w(u(rng.next(), rd, rng.chance(0.5) ? 0x37 : 0x17));
  } else {
    // Compressed ALU forms.
    const cd = rng.pick(COMPRESSED_DEST);
    const imm = (rng.below(63) + 1) & 63;
    const form = rng.below(5);
    if (form === 0)
      c.c((0 << 13) | ((imm >> 5) << 12) | (cd << 7) | ((imm & 31) << 2) | 1); // c.addi
    else if (form === 1)
      c.c((2 << 13) | ((imm >> 5) << 12) | (cd << 7) | ((imm & 31) << 2) | 1); // c.li
    else if (form === 2)
      c.c((4 << 13) | (0 << 12) | (cd << 7) | (rng.pick(DEST) << 2) | 2); // c.mv
    else if (form === 3)
      c.c((4 << 13) | (1 << 12) | (cd << 7) | (rng.pick(DEST) << 2) | 2); // c.add
    else c.c((0 << 13) | (cd << 7) | ((imm & 31) << 2) | 2); // c.slli
  }
}

function genMemory(rng: Rng, c: Code): void {
  const rd = rng.pick(DEST);
  // Mostly the data pages (page 0 read-write, page 1 read-only, page 2 unmapped under Sv32),
  // sometimes around page ends (misaligned, crossing), sometimes a random register (faults).
  let base = 8;
  let off = rng.below(3 * 4096) - 2048;
  if (rng.chance(0.15)) off = 4096 * rng.below(3) - 3 + rng.below(6);
  if (rng.chance(0.05)) {
    base = rng.pick(DEST);
    off = rng.below(64);
  }
  if (off < -2048 || off > 2047) {
    c.w(...li(17, DATA + off));
    base = 17;
    off = 0;
  }
  const k = rng.below(7);
  if (k <= 2) c.w(i(off, base, rng.pick([0, 1, 2, 4, 5]), rd, 0x03));
  else if (k <= 4) c.w(s(off, rng.pick([0, ...DEST]), base, rng.pick([0, 1, 2])));
  else if (k === 5) {
    const uimm = rng.below(32) * 4;
    const rdc = cReg(rng.pick(COMPRESSED_DEST));
    const enc =
      (((uimm >> 3) & 7) << 10) | (0 << 7) | (((uimm >> 2) & 1) << 6) | (((uimm >> 6) & 1) << 5) | (rdc << 2);
    c.c(((rng.chance(0.5) ? 2 : 6) << 13) | enc); // c.lw / c.sw with base x8
  } else {
    // LR/SC/AMO on an aligned data word.
    c.w(addi(17, 8, rng.below(512) * 4));
    const f5 = rng.pick([2, 3, 0, 1, 4, 8, 12, 16, 20, 24, 28]);
    c.w(r((f5 << 2) | 0, f5 === 2 ? 0 : rng.pick(DEST), 17, 2, rd, 0x2f));
  }
}

function genSystem(rng: Rng, c: Code): void {
  const k = rng.below(8);
  if (k === 0)
    c.w(0x00000073); // ecall (the handler remaps and arms the timer)
  else if (k === 1)
    c.w(0x00100073); // ebreak
  else if (k === 2)
    c.w(rng.chance(0.5) ? 0 : 0xffffffff); // illegal
  else if (k === 3)
    c.w(0x10500073); // wfi (illegal in U-mode)
  else if (k === 4) c.w(csrrs(rng.pick(DEST), rng.pick([0xc00, 0xc02, 0xc01, 0xb02, 0xb00, 0x340]), 0));
  else if (k === 5)
    c.w(csrrw(rng.pick(DEST), 0x340, rng.pick(DEST))); // mscratch
  else if (k === 6)
    c.w(0x0000100f); // fence.i
  else c.w(0x0ff0000f); // fence
}

/** A store that rewrites an instruction a little ahead (then maybe fence.i), then that instruction. */
function genSelfModifying(rng: Rng, c: Code): void {
  const fence = rng.chance(0.25);
  const target = rng.chance(0.5)
    ? addi(rng.pick(DEST), rng.pick(DEST), rng.below(4096))
    : r(0, rng.pick(DEST), rng.pick(DEST), 4, rng.pick(DEST), 0x33);
  c.w(u(0, 17, 0x17)); // auipc x17, 0
  c.w(...li(18, target | 0));
  c.w(s(fence ? 20 : 16, 18, 17, 2)); // sw x18, off(x17)
  if (fence) c.w(0x0000100f);
  c.w(addi(5, 5, 1)); // overwritten before it runs
}

function genStraight(rng: Rng, n: number): Code {
  const c = new Code();
  for (let k = 0; k < n; k++) {
    const roll = rng.below(1000);
    if (roll < 600) genAlu(rng, c);
    else if (roll < 930) genMemory(rng, c);
    else if (roll < 996) genSystem(rng, c);
    else genSelfModifying(rng, c);
  }
  return c;
}

function genPiece(rng: Rng, c: Code): void {
  const roll = rng.below(100);
  if (roll < 50) {
    c.append(genStraight(rng, 1 + rng.below(6)));
  } else if (roll < 65) {
    // Counted loop: li x16, k; body; addi x16, x16, -1; bne x16, x0, body.
    const body = genStraight(rng, 1 + rng.below(8));
    c.w(addi(16, 0, 1 + rng.below(6)));
    c.append(body);
    c.w(addi(16, 16, -1));
    c.w(b(-(body.bytes + 4), 0, 16, 1));
  } else if (roll < 80) {
    // Forward branch over a few instructions (or a compressed beqz/bnez, or c.j).
    const skip = genStraight(rng, 1 + rng.below(4));
    const form = rng.below(3);
    if (form === 0) {
      c.w(b(skip.bytes + 4, rng.pick([0, ...DEST]), rng.pick([0, 8, ...DEST]), rng.pick([0, 1, 4, 5, 6, 7])));
    } else if (form === 1) {
      const off = skip.bytes + 2;
      const rs = cReg(rng.pick(COMPRESSED_DEST));
      c.c(
        ((rng.chance(0.5) ? 6 : 7) << 13) |
          (((off >> 8) & 1) << 12) |
          (((off >> 3) & 3) << 10) |
          (rs << 7) |
          (((off >> 6) & 3) << 5) |
          (((off >> 1) & 3) << 3) |
          (((off >> 5) & 1) << 2) |
          1,
      );
    } else {
      const off = skip.bytes + 2;
      c.c(
        (5 << 13) |
          (((off >> 11) & 1) << 12) |
          (((off >> 4) & 1) << 11) |
          (((off >> 8) & 3) << 9) |
          (((off >> 10) & 1) << 8) |
          (((off >> 6) & 1) << 7) |
          (((off >> 7) & 1) << 6) |
          (((off >> 1) & 7) << 3) |
          (((off >> 5) & 1) << 2) |
          1,
      );
    }
    c.append(skip);
  } else if (roll < 92) {
    // Call a leaf and return: jal x1, L1; j L2; L1: body; ret; L2:
    const body = genStraight(rng, 1 + rng.below(5));
    c.w(j(8, 1));
    c.w(j(4 + body.bytes + 4, 0));
    c.append(body);
    c.w(i(0, 1, 0, 0, 0x67));
  } else if (roll < 98) {
    // auipc + jalr to a constant target a little ahead.
    const skip = genStraight(rng, 1 + rng.below(3));
    c.w(u(0, 17, 0x17));
    c.w(i(8 + skip.bytes, 17, 0, rng.chance(0.5) ? 0 : 1, 0x67));
    c.append(skip);
  } else {
    c.w(i(rng.below(16) * 2, rng.pick(DEST), 0, 0, 0x67)); // jalr to a random register: usually a fetch fault
  }
}

/** The M-mode trap handler; `paging` adds the remap on ecall. */
function handler(paging: boolean): Code {
  const c = new Code();
  const skipAt = 64; // byte offsets inside the handler, fixed by padding below
  const recoverAt = 112;
  const irqAt = 128;
  const ecallAt = 152;
  c.w(addi(28, 28, 1)); // 0
  c.w(csrrs(30, 0x342, 0)); // 4: mcause
  c.w(b(irqAt - 8, 0, 30, 4)); // 8: blt x30, x0, irq
  c.w(addi(31, 0, 8)); // 12
  c.w(b(ecallAt - 16, 31, 30, 0)); // 16: ecall from U
  c.w(addi(31, 0, 11)); // 20
  c.w(b(ecallAt - 24, 31, 30, 0)); // 24: ecall from M
  c.w(addi(31, 0, 1)); // 28
  c.w(b(recoverAt - 32, 31, 30, 0)); // 32: fetch access fault
  c.w(addi(31, 0, 12)); // 36
  c.w(b(recoverAt - 40, 31, 30, 0)); // 40: fetch page fault
  while (c.bytes < skipAt) c.w(addi(0, 0, 0));
  // skip: mepc += length of the instruction at mepc
  c.w(csrrs(30, 0x341, 0)); // 64
  c.w(i(0, 30, 5, 31, 0x03)); // 68: lhu x31, 0(x30)
  c.w(i(3, 31, 7, 31, 0x13)); // 72: andi x31, x31, 3
  c.w(addi(30, 30, 2)); // 76
  c.w(addi(29, 0, 3)); // 80
  c.w(b(8, 29, 31, 1)); // 84: bne x31, x29, +8
  c.w(addi(30, 30, 2)); // 88
  c.w(csrrw(0, 0x341, 30)); // 92
  c.w(MRET); // 96
  while (c.bytes < recoverAt) c.w(addi(0, 0, 0));
  c.w(...li(30, CODE)); // 112
  c.w(csrrw(0, 0x341, 30)); // 120
  c.w(MRET); // 124
  // irq: disarm the timer
  c.w(addi(30, 0, -1)); // 128
  c.w(u(CLINT_MTIMECMP >>> 12, 31, 0x37)); // 132
  c.w(s(0, 30, 31, 2)); // 136
  c.w(s(4, 30, 31, 2)); // 140
  c.w(MRET); // 144
  while (c.bytes < ecallAt) c.w(addi(0, 0, 0));
  // ecall: arm the timer at mtime + (x9 & 255) + 8, remap under paging, then skip the ecall.
  c.w(u(0x0200c, 31, 0x37)); // lui x31, 0x200c
  c.w(i(-8, 31, 2, 30, 0x03)); // lw x30, -8(x31): mtime low
  c.w(i(255, 9, 7, 29, 0x13)); // andi x29, x9, 255
  c.w(r(0, 29, 30, 0, 30, 0x33)); // add x30, x30, x29
  c.w(addi(30, 30, 8));
  c.w(u(CLINT_MTIMECMP >>> 12, 31, 0x37));
  c.w(s(4, 0, 31, 2)); // mtimecmp high = 0
  c.w(s(0, 30, 31, 2)); // mtimecmp low
  if (paging) {
    for (const [vaddr, flip] of [
      [DATA, ((DATA ^ DATA_ALT) >>> 12) << 10],
      [CODE + 0x1000, (((CODE + 0x1000) ^ CODE_ALT) >>> 12) << 10],
    ] as const) {
      c.w(...li(31, LEAF_PT + ((vaddr >>> 12) & 0x3ff) * 4));
      c.w(i(0, 31, 2, 30, 0x03)); // lw x30, 0(x31)
      c.w(...li(29, flip));
      c.w(r(0, 29, 30, 4, 30, 0x33)); // xor
      c.w(s(0, 30, 31, 2)); // sw
    }
    c.w(0x12000073); // sfence.vma
  }
  const back = c.bytes;
  c.w(j(skipAt - back, 0));
  return c;
}

export interface GeneratedProgram {
  /** RAM image from RAM_BASE. */
  image: Uint8Array;
  entry: number;
  paging: boolean;
}

/** Builds the program for `seed`. */
export function generateProgram(seed: number): GeneratedProgram {
  const rng = new Rng(seed * 2654435761);
  const paging = seed % 2 === 1;
  const image = new Uint8Array(0x30000);
  const put = (addr: number, code: Code): void => {
    const at = addr - RAM_BASE;
    code.h.forEach((half, k) => {
      image[at + 2 * k] = half & 0xff;
      image[at + 2 * k + 1] = half >>> 8;
    });
  };
  // Boot.
  const boot = new Code();
  boot.w(u(DATA >>> 12, 8, 0x37));
  boot.w(...li(30, HANDLER), csrrw(0, 0x305, 30)); // mtvec
  boot.w(addi(30, 0, 7), csrrw(0, 0x306, 30)); // mcounteren
  boot.w(addi(30, 0, 0x80), csrrw(0, 0x304, 30)); // mie.MTIE
  for (const reg of DEST) boot.w(...li(reg, rng.next() | 0));
  boot.w(...li(30, CODE));
  if (paging) {
    boot.w(...li(31, (1 << 31) | (ROOT_PT >>> 12)), csrrw(0, 0x180, 31)); // satp
    boot.w(csrrw(0, 0x341, 30)); // mepc = CODE, MPP = U (reset value 0)
    boot.w(MRET);
  } else {
    boot.w(addi(31, 0, 8), i(0x300, 31, 2, 0, 0x73)); // csrrs mstatus, MIE
    boot.w(i(0, 30, 0, 0, 0x67)); // jr x30
  }
  put(RAM_BASE, boot);
  put(HANDLER, handler(paging));
  // Code: two pages, ending with a jump back to the start; the alternate second page.
  const code = new Code();
  while (code.bytes < 0x2000 - 256) genPiece(rng, code);
  code.w(j(-code.bytes, 0));
  put(CODE, code);
  const alt = new Code();
  while (alt.bytes < 0x1000 - 64) genPiece(rng, alt);
  put(CODE_ALT, alt);
  // Data: random words.
  for (let k = 0; k < 0x5000; k++) image[DATA - RAM_BASE + k] = rng.below(256);
  if (paging) {
    const pte = (paddr: number, flags: number): number => (((paddr >>> 12) << 10) | flags) >>> 0;
    const V = 1;
    const R = 2;
    const W = 4;
    const X = 8;
    const U = 16;
    const A = 64;
    const D = 128;
    const view = new DataView(image.buffer);
    const leaf = (vaddr: number, value: number): void =>
      view.setUint32(LEAF_PT - RAM_BASE + ((vaddr >>> 12) & 0x3ff) * 4, value, true);
    view.setUint32(ROOT_PT - RAM_BASE + (CODE >>> 22) * 4, pte(LEAF_PT, V), true);
    leaf(CODE, pte(CODE, V | R | W | X | U));
    leaf(CODE + 0x1000, pte(CODE + 0x1000, V | R | W | X | U | A | D));
    leaf(DATA, pte(DATA, V | R | W | U));
    leaf(DATA + 0x1000, pte(DATA + 0x1000, V | R | U | A));
  }
  return { image, entry: RAM_BASE, paging };
}
