// The code cache: per physical frame, a table of block-start entries (pc offset in the page →
// entry). An entry counts how often the dispatcher reached a cold block start and, once compiled,
// holds the region function and the case index of that block. Compiled code is keyed by the
// physical frame and checked against the virtual page it was compiled for (its pcs are virtual),
// dropped whole when the frame's decoded code is dropped (memory.onCodeDropped: any write into the
// frame, fence.i), and bounded: past CACHE_MAX_INSTRUCTIONS the whole cache is flushed. A frame
// invalidated too often (code and data sharing a page) is left to the interpreter until the next flush.
import { PAGE_SHIFT } from '../constants.js';
import { CACHE_MAX_INSTRUCTIONS, FRAME_MAX_INVALIDATIONS } from './limits.js';

/** A compiled region: (block index, budget) => budget left; sets hart.pc and the exit kind. */
export type RegionFn = (block: number, left: number) => number;

export class Region {
  /** Guest instructions retired inside this region (profile mode). */
  retired = 0;
  calls = 0;
  constructor(
    readonly fn: RegionFn,
    readonly entryPc: number,
    readonly frame: number,
    readonly instructions: number,
  ) {}
}

export class Entry {
  /** Dispatcher arrivals while cold. */
  count = 0;
  fn: RegionFn | null = null;
  block = 0;
  region: Region | null = null;
  /** Instructions retired by the interpreter from this cold entry (profile mode). */
  retired = 0;
  constructor(
    /** Virtual page number the entry belongs to. */
    readonly vpn: number,
    /** Cold-step length: instructions up to and including the block's terminator. */
    readonly len: number,
  ) {}
}

/** Slots per frame table: one per halfword. */
const SLOTS = 2048;

export class CodeCache {
  /** Per frame: entries by (pc & 0xfff) >> 1, or undefined when the frame has none. */
  readonly table: ((Entry | undefined)[] | undefined)[];
  private readonly invalidations: Uint8Array;
  /** Compiled guest instructions held per frame. */
  private readonly frameInstructions: Int32Array;
  /** Every region compiled since the last flush, dropped ones included (for the profile). */
  regions: Region[] = [];
  compiledInstructions = 0;
  /** Counters for the profile. */
  drops = 0;
  flushes = 0;

  constructor(frames: number) {
    this.table = new Array<(Entry | undefined)[] | undefined>(frames).fill(undefined);
    this.invalidations = new Uint8Array(frames);
    this.frameInstructions = new Int32Array(frames);
  }

  /** The entry table of `frame`, created on first use. */
  frameTable(frame: number): (Entry | undefined)[] {
    let tab = this.table[frame];
    if (tab === undefined) {
      tab = new Array<Entry | undefined>(SLOTS).fill(undefined);
      this.table[frame] = tab;
    }
    return tab;
  }

  /** False when `frame` has been invalidated too often to be worth compiling. */
  mayCompile(frame: number): boolean {
    return (this.invalidations[frame] ?? 0) < FRAME_MAX_INVALIDATIONS;
  }

  /** Room for `instructions` more compiled instructions, flushing everything if needed. */
  reserve(instructions: number): void {
    if (this.compiledInstructions + instructions > CACHE_MAX_INSTRUCTIONS) this.flush();
  }

  /** Records a compiled region. */
  add(region: Region): void {
    this.compiledInstructions += region.instructions;
    this.frameInstructions[region.frame] = (this.frameInstructions[region.frame] ?? 0) + region.instructions;
    this.regions.push(region);
  }

  /**
   * Drops everything known about `frame` (its code changed). Only a guest store into compiled code
   * (`store`) counts towards leaving the frame to the interpreter; a loader reusing the frame does not.
   */
  dropFrame(frame: number, store: boolean): void {
    if (this.table[frame] === undefined) return;
    this.table[frame] = undefined;
    const held = this.frameInstructions[frame] ?? 0;
    if (held > 0) {
      this.compiledInstructions -= held;
      this.frameInstructions[frame] = 0;
      if (store) this.invalidations[frame] = Math.min(255, (this.invalidations[frame] ?? 0) + 1);
    }
    this.drops++;
  }

  /** Drops all compiled code and forgets invalidation history. */
  flush(): void {
    this.table.fill(undefined);
    this.invalidations.fill(0);
    this.frameInstructions.fill(0);
    this.compiledInstructions = 0;
    this.regions = [];
    this.flushes++;
  }
}

export const frameOf = (ramOffset: number): number => ramOffset >>> PAGE_SHIFT;
