// Region discovery: from a hot entry pc, finds the basic blocks reachable inside the same 4 KiB page
// through static control flow (branch targets, fall-throughs, jal targets and call return points),
// splits them at every block start, and returns them in address order. A region never leaves its
// page, so one fetch-TLB check on entry covers every instruction it holds. Instructions the JIT does
// not compile (system, atomics, CSRs, illegal, a 32-bit instruction across the page end) end a block.
import { decodeInto } from '../decoder.js';
import type { PhysicalMemory } from '../memory.js';
import { Op } from '../opcodes.js';
import { REGION_MAX_BLOCKS, REGION_MAX_INSTRUCTIONS } from './limits.js';

/** How a block ends. */
export const END_BRANCH = 0; // conditional branch: successors taken and fall-through
export const END_JAL = 1; // jal: static target
export const END_JALR = 2; // jalr: dynamic target
export const END_FALL = 3; // straight into the next block start (or off the page / a limit)
export const END_SLOW = 4; // the next instruction must run in the interpreter

export interface Block {
  /** Virtual pc of the first instruction. */
  start: number;
  /** Decoded words (packed, imm) per instruction, and their pcs. */
  packed: number[];
  imm: number[];
  pcs: number[];
  end: number;
  /** pc after the block's last instruction (fall-through / slow-path pc). */
  next: number;
}

export interface RegionShape {
  entry: number;
  /** Virtual page base. */
  pageBase: number;
  blocks: Block[];
}

/** True for operations the JIT compiles (everything the interpreter's hot switch handles). */
export function compilable(op: number): boolean {
  return op >= Op.LUI && op <= Op.FENCE;
}

const isBranch = (op: number): boolean => op >= Op.BEQ && op <= Op.BGEU;

/**
 * Reads the decoded slot of the instruction at page offset `inPage`, decoding it on first use.
 * Returns the packed word, or 0 when it is a 32-bit instruction crossing the page end.
 */
export function slotAt(mem: PhysicalMemory, page: Int32Array, frameOff: number, inPage: number): number {
  const slot = inPage & 0xffe;
  const w = page[slot] ?? 0;
  if (w !== 0) return w;
  const low = mem.view.getUint16(frameOff + slot, true);
  if ((low & 3) !== 3) decodeInto(low, page, slot);
  else if (slot !== 0xffe) decodeInto(mem.view.getInt32(frameOff + slot, true), page, slot);
  else return 0;
  return page[slot] ?? 0;
}

/**
 * Number of instructions the interpreter may run from `pc` before the block ends (its terminator
 * included); at least 1. Used to step cold code one block at a time.
 */
export function blockLength(mem: PhysicalMemory, frameOff: number, pc: number): number {
  const page = mem.decodedPage(frameOff);
  let inPage = pc & 0xfff;
  let n = 0;
  while (inPage < 0x1000 && n < REGION_MAX_INSTRUCTIONS) {
    const w = slotAt(mem, page, frameOff, inPage);
    const op = w & 0xff;
    n++;
    if (w === 0 || !compilable(op) || isBranch(op) || op === Op.JAL || op === Op.JALR) break;
    inPage += w >>> 26;
  }
  return n;
}

/** Scans one block from `start`, stopping before any other block start in `starts`. */
function scanBlock(
  mem: PhysicalMemory,
  page: Int32Array,
  frameOff: number,
  pageBase: number,
  start: number,
  starts: Set<number>,
): Block {
  const block: Block = { start, packed: [], imm: [], pcs: [], end: END_FALL, next: start };
  let pc = start;
  for (;;) {
    if (pc - pageBase >= 0x1000 || block.packed.length >= REGION_MAX_INSTRUCTIONS) break;
    if (pc !== start && starts.has(pc)) break;
    const w = slotAt(mem, page, frameOff, pc - pageBase);
    const op = w & 0xff;
    if (w === 0 || !compilable(op)) {
      block.end = END_SLOW;
      break;
    }
    block.packed.push(w);
    block.imm.push(page[(pc - pageBase) | 1] ?? 0);
    block.pcs.push(pc);
    pc = (pc + (w >>> 26)) | 0;
    if (isBranch(op)) {
      block.end = END_BRANCH;
      break;
    }
    if (op === Op.JAL) {
      block.end = END_JAL;
      break;
    }
    if (op === Op.JALR) {
      block.end = END_JALR;
      break;
    }
  }
  block.next = pc;
  return block;
}

/** Static successors of a block that lie in the page. */
function successors(block: Block, pageBase: number): number[] {
  const out: number[] = [];
  const last = block.packed.length - 1;
  const w = block.packed[last] ?? 0;
  const lastPc = block.pcs[last] ?? 0;
  const imm = block.imm[last] ?? 0;
  const inPage = (t: number): boolean => t >>> 12 === pageBase >>> 12;
  if (block.end === END_BRANCH) {
    const taken = (lastPc + imm) | 0;
    if (inPage(taken)) out.push(taken);
    if (inPage(block.next)) out.push(block.next);
  } else if (block.end === END_JAL) {
    const target = (lastPc + imm) | 0;
    if (inPage(target)) out.push(target);
    // A call's return point is entered by the callee's return: worth compiling in the region.
    if (((w >>> 8) & 63) !== 32 && inPage(block.next)) out.push(block.next);
  } else if (block.end === END_JALR) {
    if (((w >>> 8) & 63) !== 32 && inPage(block.next)) out.push(block.next);
  } else if (block.end === END_FALL && block.packed.length > 0 && inPage(block.next)) {
    out.push(block.next);
  }
  return out;
}

/**
 * Discovers the region entered at `entry` in the frame at RAM offset `frameOff`, following only
 * successors for which `seen` holds (block starts the dispatcher has already reached: the paths
 * actually taken, so the block budget goes to the hot loop, not to its error paths). Blocks come in
 * address order (so a fall-through is usually the next block); the entry block is among them.
 */
export function discoverRegion(
  mem: PhysicalMemory,
  frameOff: number,
  entry: number,
  seen: (pc: number) => boolean = () => true,
): RegionShape {
  const page = mem.decodedPage(frameOff);
  const pageBase = entry & ~0xfff;
  const starts = new Set<number>([entry]);
  const work = [entry];
  let instructions = 0;
  while (work.length > 0) {
    const start = work.shift() as number;
    const block = scanBlock(mem, page, frameOff, pageBase, start, starts);
    instructions += block.packed.length;
    if (instructions >= REGION_MAX_INSTRUCTIONS) break;
    for (const next of successors(block, pageBase)) {
      if (starts.has(next) || starts.size >= REGION_MAX_BLOCKS || !seen(next)) continue;
      starts.add(next);
      work.push(next);
    }
  }
  // Final pass: every block stops at the next block start, so each instruction belongs to one block.
  let total = 0;
  const blocks: Block[] = [];
  const ordered = [...starts].sort((a, b) => (a >>> 0) - (b >>> 0));
  for (const start of ordered) {
    const block = scanBlock(mem, page, frameOff, pageBase, start, starts);
    if (block.packed.length === 0) continue;
    if (total + block.packed.length > REGION_MAX_INSTRUCTIONS && start !== entry) continue;
    total += block.packed.length;
    blocks.push(block);
  }
  return { entry, pageBase, blocks };
}
