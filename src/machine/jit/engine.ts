// The JIT engine: a dispatcher with the interpreter's `runSlice` contract. It looks up the block at
// the hart's pc through the fetch TLB (virtual → RAM frame) and the code cache (frame, offset →
// entry); a compiled entry runs its region function, a cold one is stepped by the interpreter one
// basic block at a time and compiled once hot. Every instruction the region does not finish —
// system instructions, accesses that miss the fast path, the tail of a short budget — is run by the
// interpreter, so traps, interrupts (between slices), MMIO, hooks and refetches keep the reference
// semantics, and `budget` is honoured exactly: regions charge each block before running it.
import { ACCESS_LOAD, ACCESS_STORE } from '../constants.js';
import type { HartState } from '../hart-state.js';
import { translate } from '../mmu.js';
import { mulh, mulhsu, mulhu } from '../muldiv.js';
import { Op } from '../opcodes.js';
import { TLB_MASK } from '../tlb.js';
import { CodeCache, Entry, frameOf, Region, type RegionFn } from './cache.js';
import { CLOSURE_NAMES, EXIT_INTERPRET, EXIT_NEXT, generate } from './codegen.js';
import { HOT_THRESHOLD } from './limits.js';
import { blockLength, discoverRegion } from './region.js';

/** What the engine needs from the hart beyond its state: the interpreter. */
export interface JitHart extends HartState {
  /** The interpreter's slice: runs up to n instructions, returns how many retired. */
  interpret(n: number): number;
  /** True when the last slice left the hart on a hosted-mode trap. */
  readonly exited: boolean;
}

/** Host-time and event counters for `--profile`. */
export class JitStats {
  compiles = 0;
  compiledInstructions = 0;
  /** Host milliseconds spent generating and compiling code (only with a clock). */
  compileMs = 0;
  regionCalls = 0;
  /** Region exits that handed one instruction to the interpreter. */
  interpretExits = 0;
  /** Cold steps: interpreter runs of one block. */
  coldSteps = 0;
  coldInstructions = 0;
  /** Fetch TLB misses seen by the dispatcher (the interpreter then fills or faults). */
  fetchMisses = 0;
  /** Data TLB fills from compiled code, and how many still had to leave the region. */
  dataFills = 0;
  dataFillFailures = 0;
}

export class JitEngine {
  readonly cache: CodeCache;
  readonly stats = new JitStats();
  /** Count guest instructions per region / cold entry (slightly slower). */
  profiling = false;
  /** Dispatcher arrivals at a cold block start before it is compiled (tests lower it). */
  hotThreshold = HOT_THRESHOLD;
  /** Host clock in milliseconds, handed in from outside the machine layer for the profile. */
  clock: (() => number) | undefined = undefined;
  /** [0]: exit kind written by region functions; [1]: set by ldSlow when the region must exit. */
  private readonly ex = new Int32Array(2);
  private readonly closure: unknown[];

  constructor(private readonly hart: JitHart) {
    const mem = hart.memory;
    this.cache = new CodeCache(mem.frames);
    const tlb = hart.tlb;
    const ex = this.ex;
    const view = mem.view;
    const ldSlow = (a: number, op: number): number => {
      const size = op === Op.LW ? 4 : op === Op.LH || op === Op.LHU ? 2 : 1;
      if (!this.fill(a, 0x1000 - size, ACCESS_LOAD)) {
        ex[1] = 1;
        return 0;
      }
      const p = (tlb.off[(a >>> 12) & TLB_MASK] ?? 0) + (a & 0xfff);
      if (op === Op.LW) return view.getInt32(p, true);
      if (op === Op.LH) return view.getInt16(p, true);
      if (op === Op.LHU) return view.getUint16(p, true);
      if (op === Op.LB) return view.getInt8(p);
      return view.getUint8(p);
    };
    const stSlow = (a: number, value: number, op: number): boolean => {
      const size = op === Op.SW ? 4 : op === Op.SH ? 2 : 1;
      if (!this.fill(a, 0x1000 - size, ACCESS_STORE)) return false;
      const p = (tlb.off[(a >>> 12) & TLB_MASK] ?? 0) + (a & 0xfff);
      if (op === Op.SW) view.setInt32(p, value, true);
      else if (op === Op.SH) view.setInt16(p, value, true);
      else view.setInt8(p, value);
      return true;
    };
    const buffer = mem.wasm.buffer;
    const values: Record<(typeof CLOSURE_NAMES)[number], unknown> = {
      h: hart,
      x: hart.x,
      tagR: tlb.tagR,
      tagW: tlb.tagW,
      off: tlb.off,
      i32: mem.i32,
      i16: new Int16Array(buffer),
      u16: new Uint16Array(buffer),
      u8: mem.u8,
      view: mem.view,
      ldSlow,
      stSlow,
      mulh,
      mulhsu,
      mulhu,
      ex: this.ex,
    };
    this.closure = CLOSURE_NAMES.map((name) => values[name]);
    mem.onCodeDropped = (frame, store) => this.cache.dropFrame(frame, store);
  }

  /**
   * Fills the TLB for a data access at `a` from compiled code (the access must end in the page:
   * page offset at most `limit`). True when the access may now use the TLB entry; false (no trap left pending) when the region must exit so the interpreter runs
   * the instruction — a fault, MMIO, a hooked or code frame, a page crossing, or code just dropped.
   */
  private fill(a: number, limit: number, access: number): boolean {
    const h = this.hart;
    this.stats.dataFills++;
    if ((a & 0xfff) <= limit) {
      const drops = this.cache.drops;
      translate(h, a, access);
      if (h.trapPending) h.trapPending = false;
      else if (this.cache.drops === drops) {
        const vpn = a >>> 12;
        const tags = access === ACCESS_LOAD ? h.tlb.tagR : h.tlb.tagW;
        if (tags[vpn & TLB_MASK] === vpn) return true;
      }
    }
    this.stats.dataFillFailures++;
    return false;
  }

  /** Runs up to `n` instructions with the interpreter's slice contract; returns how many retired. */
  runSlice(n: number): number {
    const h = this.hart;
    const tagX = h.tlb.tagX;
    const tlbOff = h.tlb.off;
    const table = this.cache.table;
    const ex = this.ex;
    const base = h.instret;
    let left = n;
    h.stopSlice = false;
    while (left > 0) {
      const pc = h.pc;
      const vpn = pc >>> 12;
      const slot = vpn & TLB_MASK;
      let step = 1;
      if (tagX[slot] === vpn) {
        const frameOff = tlbOff[slot]!;
        const tab = table[frameOff >>> 12];
        let entry = tab === undefined ? undefined : tab[(pc & 0xfff) >>> 1];
        if (entry !== undefined && entry.fn !== null && entry.vpn === vpn) {
          const before = left;
          left = entry.fn(entry.block, left);
          if (this.profiling) this.noteRegion(entry, before - left);
          const kind = ex[0];
          if (kind === EXIT_NEXT) continue;
          ex[1] = 0;
          step = kind === EXIT_INTERPRET ? 1 : left;
          if (kind === EXIT_INTERPRET) this.stats.interpretExits++;
        } else {
          if (entry === undefined || entry.vpn !== vpn) {
            entry = new Entry(vpn, blockLength(h.memory, frameOff, pc));
            this.cache.frameTable(frameOff >>> 12)[(pc & 0xfff) >>> 1] = entry;
          }
          if (++entry.count >= this.hotThreshold && entry.fn === null) {
            this.compile(entry, pc, frameOff);
            if (entry.fn !== null) continue;
          }
          step = Math.min(entry.len, left);
          this.stats.coldSteps++;
          if (this.profiling) entry.retired += step;
        }
      } else {
        this.stats.fetchMisses++;
      }
      if (step > left) step = left; // a region may exit for the interpreter with its budget spent
      if (step <= 0) break;
      h.instret = base + (n - left);
      const retired = h.interpret(step);
      left -= retired;
      this.stats.coldInstructions += retired;
      if (h.exited || h.trapPending || h.stopSlice) break;
    }
    h.instret = base + (n - left);
    return n - left;
  }

  private noteRegion(entry: Entry, retired: number): void {
    const region = entry.region;
    if (region === null) return;
    region.calls++;
    region.retired += retired;
    this.stats.regionCalls++;
  }

  /** Compiles the region entered at `pc`; on success the entry (and the region's other block starts) get code. */
  private compile(entry: Entry, pc: number, frameOff: number): void {
    const frame = frameOf(frameOff);
    const mem = this.hart.memory;
    if (!this.cache.mayCompile(frame)) {
      entry.count = Number.MIN_SAFE_INTEGER; // never again until a flush replaces the entry
      return;
    }
    const started = this.clock?.() ?? 0;
    const vpn = pc >>> 12;
    const known = this.cache.table[frame];
    const seen = (at: number): boolean => known?.[(at & 0xfff) >>> 1]?.vpn === vpn;
    const shape = discoverRegion(mem, frameOff, pc, seen);
    const code = generate(shape);
    const index = code.blockIndex.get(pc);
    if (index === undefined || code.instructions === 0) {
      entry.count = Number.MIN_SAFE_INTEGER;
      return;
    }
    this.cache.reserve(code.instructions);
    // The generated source is built from decoded instructions only (numbers), never from guest
    // strings; the factory closes over the hart's arrays and the slow-path helpers.
    const factory = new Function(...CLOSURE_NAMES.map((n) => `$${n}`), code.source) as (
      ...args: unknown[]
    ) => RegionFn;
    const fn = factory(...this.closure);
    const region = new Region(fn, pc, frame, code.instructions);
    this.cache.add(region);
    const tab = this.cache.frameTable(frame);
    for (const [start, block] of code.blockIndex) {
      const slot = (start & 0xfff) >>> 1;
      let e = start === pc ? entry : tab[slot];
      if (e !== undefined && e.fn !== null && start !== pc) continue; // keep an existing region's entry
      if (e === undefined || e.vpn !== vpn) {
        e = new Entry(vpn, 1);
        tab[slot] = e;
      }
      e.fn = fn;
      e.block = block;
      e.region = region;
    }
    // A reserve() flush may have dropped the table holding `entry`: make sure it is reachable.
    tab[(pc & 0xfff) >>> 1] = entry;
    // Instructions inside the region's blocks are not entries: a slice that starts there (after a
    // budget ran out mid-block) is stepped by the interpreter to the block's end, then re-enters
    // this region, instead of compiling another copy of the loop split at that pc.
    for (const block of shape.blocks) {
      const n = block.pcs.length;
      for (let k = 1; k < n; k++) {
        const at = block.pcs[k] ?? 0;
        const slot = (at & 0xfff) >>> 1;
        const old = tab[slot];
        if (old !== undefined && old.fn !== null && old.vpn === vpn) continue;
        const interior = new Entry(vpn, n - k);
        interior.count = Number.MIN_SAFE_INTEGER;
        tab[slot] = interior;
      }
    }
    this.stats.compiles++;
    this.stats.compiledInstructions += code.instructions;
    if (this.clock !== undefined) this.stats.compileMs += this.clock() - started;
  }
}
