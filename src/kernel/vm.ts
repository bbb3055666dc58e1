// Address spaces: Sv32 page tables kept in the machine's physical memory, a sorted list of regions
// (page-aligned ranges with protections), and everything that fills or changes the tables:
// demand-zero pages, copy-on-write sharing (fork, and a program's read-only pages shared between
// processes running the same image), shared-memory mappings, stacks that grow down to their limit
// with a guard gap, and the checked copy-in/copy-out the kernel uses for user buffers.
// Every PTE holds one reference on its frame. A user page is mapped with U set and A/D clear; the
// hart sets A/D as the privileged spec says. A copy-on-write page has W clear and PTE_COW set.
import { PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../machine/constants.js';
import type { PhysicalMemory } from '../machine/memory.js';
import { TlbSnapshot } from '../machine/tlb.js';
import { assert } from './assert.js';
import type { FrameAllocator } from './frames.js';
import { MMAP_TOP, USER_BASE, USER_TOP } from './limits.js';
import type { SharedMemory } from './shm.js';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

/** Protection bits from PTE bits (R/W/X). */
export function protOfPte(bits: number): number {
  return ((bits >> 1) & 1) | ((bits >> 1) & 2) | ((bits >> 1) & 4);
}

/** Software PTE bit (RSW): the page is shared copy-on-write; a write must copy it first. */
export const PTE_COW = 1 << 8;

export type RegionKind = 'image' | 'heap' | 'stack' | 'anon' | 'shared';

export interface Region {
  start: number;
  end: number;
  prot: number;
  name: string;
  kind: RegionKind;
  /** Shared memory object backing the region, and the object page that `start` maps. */
  shared?: SharedMemory;
  sharedPage?: number;
  /** A stack: grows down on a fault no lower than `limit`, keeping a guard page free below it. */
  limit?: number;
}

/** resolve() failures. */
export const RESOLVE_FAULT = -1;
export const RESOLVE_NOMEM = -2;
/** The page is not present yet (post-copy): it arrives through the kernel's PageSource. */
export const RESOLVE_ABSENT = -3;

const PAGE = 4096;
/** Slots of an address space's kernel translation cache (a power of two). */
const XLATE_SLOTS = 64;
/** Page directory entries that map user space. */
const USER_PDES = USER_TOP / 0x400000;
export const pageDown = (addr: number): number => addr - (addr % PAGE);
export const pageUp = (addr: number): number => Math.ceil(addr / PAGE) * PAGE;

export function pteBits(prot: number): number {
  let bits = PTE_V | PTE_U;
  if (prot & (PROT_READ | PROT_WRITE)) bits |= PTE_R;
  if (prot & PROT_WRITE) bits |= PTE_W;
  if (prot & PROT_EXEC) bits |= PTE_X;
  return bits;
}

export class AddressSpace {
  /** Frame number of the root (level-1) page table. */
  readonly root: number;
  readonly regions: Region[] = [];
  /** Pages mapped (resident) and the most this address space may hold. */
  resident = 0;
  pageLimit = Number.MAX_SAFE_INTEGER;
  /** Called after a PTE was narrowed, removed or pointed at another frame: drop cached translations. */
  onRemap: () => void = () => {};
  private destroyed = false;
  /**
   * The kernel's own translation cache for user buffers (system calls read and write them on every
   * IPC): user page → RAM offset of its frame, one tag for reads and one for writes, direct-mapped.
   * Filled by `translate` after a full `resolve`; cleared by every remap, as the hart's TLB is.
   */
  private readonly xlTagR = new Int32Array(XLATE_SLOTS).fill(-1);
  private readonly xlTagW = new Int32Array(XLATE_SLOTS).fill(-1);
  private readonly xlOff = new Int32Array(XLATE_SLOTS);
  /** The hart's TLB entries for this space while another space is on the hart (kernel switchTo). */
  readonly tlbSaved = new TlbSnapshot();

  private constructor(
    private readonly memory: PhysicalMemory,
    private readonly frames: FrameAllocator,
    root: number,
  ) {
    this.root = root;
  }

  /** A new empty address space, or undefined when no frame is free for its root table. */
  static create(memory: PhysicalMemory, frames: FrameAllocator): AddressSpace | undefined {
    const root = frames.alloc();
    return root < 0 ? undefined : new AddressSpace(memory, frames, root);
  }

  /** Physical memory, for the program loader's writes into pages it has resolved. */
  get memoryForLoader(): PhysicalMemory {
    return this.memory;
  }

  /** The satp value that selects this address space (Sv32, ASID 0); the root never moves. */
  get satp(): number {
    if (this.satpValue === 0) this.satpValue = 0x80000000 | (this.frames.paddr(this.root) / PAGE) | 0;
    return this.satpValue;
  }
  private satpValue = 0;

  // ---- regions ------------------------------------------------------------------------------

  /** Adds a region; returns false when it overlaps another or leaves user space. */
  addRegion(start: number, end: number, prot: number, name: string, kind: RegionKind = 'anon'): boolean {
    return this.insert({ start, end, prot, name, kind });
  }

  /** Adds a fully described region (shared mappings hold their object). */
  insert(region: Region): boolean {
    const { start, end } = region;
    assert(start % PAGE === 0 && end % PAGE === 0 && start < end, `bad region [${start}, ${end})`);
    if (start < USER_BASE || end > USER_TOP) return false;
    if (this.overlaps(start, end)) return false;
    region.shared?.hold();
    this.regions.push(region);
    this.regions.sort((a, b) => a.start - b.start);
    return true;
  }

  overlaps(start: number, end: number): boolean {
    return this.regions.some((r) => start < r.end && r.start < end);
  }

  findRegion(vaddr: number): Region | undefined {
    for (const r of this.regions) {
      if (vaddr < r.start) return undefined;
      if (vaddr < r.end) return r;
    }
    return undefined;
  }

  /** True when every page of [start, end) lies in some region. */
  covered(start: number, end: number): boolean {
    let at = start;
    for (const r of this.regions) {
      if (r.end <= at) continue;
      if (r.start > at) return false;
      at = r.end;
      if (at >= end) return true;
    }
    return at >= end;
  }

  /**
   * A free range of `len` bytes for mmap: at `hint` when that range is free, else the highest free
   * range below MMAP_TOP. Returns -1 when none is left.
   */
  findFree(len: number, hint: number): number {
    if (hint !== 0 && hint % PAGE === 0 && hint >= USER_BASE && hint + len <= MMAP_TOP) {
      if (!this.overlaps(hint, hint + len) && !this.inStackReserve(hint, hint + len)) return hint;
    }
    // Occupied ranges, highest first; a stack also reserves its growth range and guard page.
    const taken = this.regions
      .map((r) => [r.limit !== undefined ? r.limit - PAGE : r.start, r.end] as const)
      .sort((a, b) => b[0] - a[0]);
    let top = MMAP_TOP;
    for (const [start, end] of taken) {
      if (end <= top && top - end >= len) return top - len;
      top = Math.min(top, start);
    }
    return top - USER_BASE >= len ? top - len : -1;
  }

  /** True when [start, end) reaches into the range a stack may still grow into. */
  private inStackReserve(start: number, end: number): boolean {
    return this.regions.some((r) => r.limit !== undefined && start < r.start && r.limit - PAGE < end);
  }

  /** Splits the region containing `addr` so that a region boundary falls at `addr`. */
  private splitAt(addr: number): void {
    const r = this.findRegion(addr);
    if (r === undefined || r.start === addr) return;
    const upper: Region = { ...r, start: addr };
    if (r.shared !== undefined) {
      upper.sharedPage = (r.sharedPage ?? 0) + (addr - r.start) / PAGE;
      r.shared.hold();
    }
    delete upper.limit; // only the lowest piece of a stack grows
    r.end = addr;
    this.regions.push(upper);
    this.regions.sort((a, b) => a.start - b.start);
  }

  /** Removes every mapping in [start, end), splitting regions at the edges (munmap). */
  unmap(start: number, end: number): void {
    this.splitAt(start);
    this.splitAt(end);
    const gone = this.regions.filter((r) => r.start >= start && r.end <= end);
    for (const r of gone) {
      this.unmapRange(r.start, r.end);
      this.regions.splice(this.regions.indexOf(r), 1);
      r.shared?.release();
    }
    this.remapped();
  }

  /**
   * Changes the protection of [start, end) (mprotect). Every page must lie in a region. Present
   * pages get the new PTE bits at once; copy-on-write pages stay read-only until written.
   */
  protect(start: number, end: number, prot: number): boolean {
    if (!this.covered(start, end)) return false;
    this.splitAt(start);
    this.splitAt(end);
    for (const r of this.regions) {
      if (r.start < start || r.end > end) continue;
      r.prot = prot;
      this.forEachPte(r.start, r.end, (off, pte) => {
        let bits = pteBits(prot) | (pte & (PTE_A | PTE_D | PTE_COW));
        if (pte & PTE_COW) bits &= ~PTE_W;
        this.memory.write32(off, (pte & ~0x3ff) | bits);
      });
    }
    this.merge();
    this.remapped();
    return true;
  }

  /** Joins neighbouring private regions with the same kind, name and protection. */
  private merge(): void {
    for (let i = this.regions.length - 1; i > 0; i--) {
      const a = this.regions[i - 1]!;
      const b = this.regions[i]!;
      if (
        a.end === b.start &&
        a.prot === b.prot &&
        a.kind === b.kind &&
        a.name === b.name &&
        a.shared === undefined &&
        b.shared === undefined &&
        b.limit === undefined
      ) {
        a.end = b.end;
        this.regions.splice(i, 1);
      }
    }
  }

  /** Changes a region's end (brk); shrinking unmaps the pages beyond the new end. */
  resizeRegion(region: Region, end: number): boolean {
    assert(end % PAGE === 0 && end > region.start, 'bad region resize');
    if (end > USER_TOP) return false;
    if (end > region.end && this.regions.some((r) => r !== region && r.start < end && region.end < r.end))
      return false;
    if (end < region.end) {
      this.unmapRange(end, region.end);
      this.remapped();
    }
    region.end = end;
    return true;
  }

  /** Removes a whole region and its pages. */
  removeRegion(region: Region): void {
    const at = this.regions.indexOf(region);
    assert(at >= 0, 'removing a region that is not mapped');
    this.unmapRange(region.start, region.end);
    this.regions.splice(at, 1);
    region.shared?.release();
    this.remapped();
  }

  // ---- page tables --------------------------------------------------------------------------

  /** RAM offset of the level-0 PTE for `vaddr`, creating the level-0 table when `create`; -1 if absent. */
  private pteOffset(vaddr: number, create: boolean): number {
    const rootOff = this.root * PAGE + (vaddr >>> 22) * 4;
    let pde = this.memory.read32(rootOff);
    if ((pde & PTE_V) === 0) {
      if (!create) return -1;
      const table = this.frames.alloc();
      if (table < 0) return -1;
      pde = ((this.frames.paddr(table) / PAGE) << 10) | PTE_V;
      this.memory.write32(rootOff, pde);
    }
    const tableOff = this.memory.offsetOf((pde >>> 10) * PAGE, PAGE);
    assert(tableOff >= 0, 'page directory entry points outside RAM');
    return tableOff + ((vaddr >>> 12) & 0x3ff) * 4;
  }

  private frameOfPte(pte: number): number {
    return (pte >>> 10) - this.memory.base / PAGE;
  }

  /** Calls `fn` for every present PTE in [start, end) with its RAM offset and value. */
  forEachPte(start: number, end: number, fn: (off: number, pte: number, vaddr: number) => void): void {
    for (let vaddr = start; vaddr < end; ) {
      const off = this.pteOffset(vaddr, false);
      if (off < 0) {
        vaddr = (Math.floor(vaddr / 0x400000) + 1) * 0x400000; // no table: skip its 4 MiB
        continue;
      }
      const pte = this.memory.read32(off);
      if (pte & PTE_V) fn(off, pte, vaddr);
      vaddr += PAGE;
    }
  }

  /** Maps the page at `vaddr` to `frame` (taking over one reference). Returns false when out of memory. */
  mapPage(vaddr: number, frame: number, prot: number, extra = 0): boolean {
    const off = this.pteOffset(vaddr, true);
    if (off < 0) return false;
    assert((this.memory.read32(off) & PTE_V) === 0, `page 0x${vaddr.toString(16)} already mapped`);
    this.memory.write32(off, ((this.frames.paddr(frame) / PAGE) << 10) | pteBits(prot) | extra);
    this.resident++;
    return true;
  }

  /** Frame mapped at `vaddr`, or -1. */
  frameAt(vaddr: number): number {
    const off = this.pteOffset(vaddr, false);
    if (off < 0) return -1;
    const pte = this.memory.read32(off);
    return pte & PTE_V ? this.frameOfPte(pte) : -1;
  }

  /** The PTE for `vaddr` (0 when absent). */
  pteAt(vaddr: number): number {
    const off = this.pteOffset(vaddr, false);
    return off < 0 ? 0 : this.memory.read32(off);
  }

  /** Unmaps every page in [start, end) and releases its frame. */
  unmapRange(start: number, end: number): void {
    this.forEachPte(start, end, (off, pte) => {
      this.memory.write32(off, 0);
      this.frames.release(this.frameOfPte(pte));
      this.resident--;
    });
  }

  /** A region that can grow down to cover `vaddr` (a stack), grown; or undefined. */
  private growStack(vaddr: number): Region | undefined {
    const at = this.regions.findIndex((r) => r.start > vaddr);
    const stack = this.regions[at];
    if (stack === undefined || stack.limit === undefined || vaddr < stack.limit) return undefined;
    const below = this.regions[at - 1];
    const newStart = pageDown(vaddr);
    if (below !== undefined && below.end + PAGE > newStart) return undefined; // keep the guard page
    stack.start = newStart;
    return stack;
  }

  /** A PTE was narrowed, removed or repointed: drop the kernel's cached translations, tell the hart's. */
  private remapped(): void {
    this.xlTagR.fill(-1);
    this.xlTagW.fill(-1);
    this.tlbSaved.invalidate();
    this.onRemap();
  }

  /**
   * `resolve` for a read (PROT_READ) or a write (PROT_WRITE) by the kernel on the user's behalf,
   * through the translation cache: a page resolved once is not walked again until a remap.
   */
  translate(vaddr: number, prot: typeof PROT_READ | typeof PROT_WRITE): number {
    const vpn = vaddr >>> 12;
    const slot = vpn & (XLATE_SLOTS - 1);
    if ((prot === PROT_WRITE ? this.xlTagW[slot] : this.xlTagR[slot]) === vpn)
      return this.xlOff[slot]! + (vaddr & 0xfff);
    const off = this.resolve(vaddr, prot);
    if (off < 0) return off;
    const base = off - (vaddr & 0xfff);
    if (this.xlOff[slot] !== base || (this.xlTagR[slot] !== vpn && this.xlTagW[slot] !== vpn)) {
      this.xlTagR[slot] = -1;
      this.xlTagW[slot] = -1;
      this.xlOff[slot] = base;
    }
    if (prot === PROT_WRITE) this.xlTagW[slot] = vpn;
    else this.xlTagR[slot] = vpn;
    return off;
  }

  /** True when every page of [vaddr, vaddr+len) resolves for `prot` (no allocation). */
  rangeOk(vaddr: number, len: number, prot: typeof PROT_READ | typeof PROT_WRITE): boolean {
    if (len === 0) return true;
    if (vaddr < 0 || vaddr + len > USER_TOP || vaddr + len < vaddr) return false;
    const end = vaddr + len;
    for (let addr = vaddr; addr < end; addr = pageDown(addr) + PAGE) {
      if (this.translate(addr, prot) < 0) return false;
    }
    return true;
  }

  /**
   * Reads `n` 32-bit little-endian words at `vaddr` into `out`; false (nothing read) when any byte
   * is not readable. No allocation when `vaddr` is word-aligned.
   */
  readWords(vaddr: number, out: Int32Array, n: number): boolean {
    if (!this.rangeOk(vaddr, n * 4, PROT_READ)) return false;
    if ((vaddr & 3) !== 0) {
      const bytes = this.copyIn(vaddr, n * 4)!;
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) out[i] = view.getInt32(i * 4, true);
      return true;
    }
    const memory = this.memory;
    if ((vaddr & 0xfff) + n * 4 <= PAGE) {
      const off = this.translate(vaddr, PROT_READ);
      for (let i = 0; i < n; i++) out[i] = memory.read32(off + i * 4);
      return true;
    }
    for (let i = 0; i < n; i++) out[i] = memory.read32(this.translate(vaddr + i * 4, PROT_READ));
    return true;
  }

  /** Writes `n` words of `words` at `vaddr`; false (nothing written) when any byte is not writable. */
  writeWords(vaddr: number, words: Int32Array, n: number): boolean {
    if (!this.rangeOk(vaddr, n * 4, PROT_WRITE)) return false;
    if ((vaddr & 3) !== 0) {
      const bytes = new Uint8Array(n * 4);
      const view = new DataView(bytes.buffer);
      for (let i = 0; i < n; i++) view.setInt32(i * 4, words[i]!, true);
      return this.copyOut(vaddr, bytes);
    }
    const memory = this.memory;
    if ((vaddr & 0xfff) + n * 4 <= PAGE) {
      const off = this.translate(vaddr, PROT_WRITE);
      for (let i = 0; i < n; i++) memory.view.setInt32(off + i * 4, words[i]!, true);
      memory.noteWrite(off, n * 4);
      return true;
    }
    for (let i = 0; i < n; i++) memory.write32(this.translate(vaddr + i * 4, PROT_WRITE), words[i]!);
    return true;
  }

  /**
   * Makes the page at `vaddr` present for `prot` access on behalf of the user: demand-zero and
   * shared pages are mapped here, a stack grows, a copy-on-write page is copied on a write. Returns
   * the RAM offset of `vaddr`, RESOLVE_FAULT when the access is not allowed, or RESOLVE_NOMEM.
   * `prot` 0 is the loader's: any region, no permission check.
   */
  resolve(vaddr: number, prot: number): number {
    if (vaddr < USER_BASE || vaddr >= USER_TOP) return RESOLVE_FAULT;
    const region = this.findRegion(vaddr) ?? this.growStack(vaddr);
    if (region === undefined || (region.prot & prot) !== prot) return RESOLVE_FAULT;
    let off = this.pteOffset(vaddr, true);
    if (off < 0) return RESOLVE_NOMEM;
    let pte = this.memory.read32(off);
    if ((pte & PTE_V) === 0) {
      if (this.absent?.has(pageDown(vaddr))) {
        this.absentHit = pageDown(vaddr);
        return RESOLVE_ABSENT;
      }
      if (this.resident >= this.pageLimit) return RESOLVE_NOMEM;
      let frame: number;
      if (region.shared !== undefined) {
        frame = region.shared.frame((region.sharedPage ?? 0) + (pageDown(vaddr) - region.start) / PAGE);
        if (frame >= 0) this.frames.retain(frame);
      } else {
        frame = this.frames.alloc();
      }
      if (frame < 0) return RESOLVE_NOMEM;
      this.mapPage(pageDown(vaddr), frame, region.prot);
      off = this.pteOffset(vaddr, false);
      pte = this.memory.read32(off);
    } else if (pte & PTE_COW && (prot & PROT_WRITE || (prot === 0 && region.prot & PROT_WRITE))) {
      pte = this.breakCow(off, pte, region);
      if (pte === 0) return RESOLVE_NOMEM;
    }
    const wanted = PTE_A | (prot & PROT_WRITE ? PTE_D : 0);
    if ((pte & wanted) !== wanted) this.memory.write32(off, pte | wanted);
    const frameOff = this.memory.offsetOf((pte >>> 10) * PAGE, PAGE);
    assert(frameOff >= 0, 'user PTE points outside RAM');
    return frameOff + (vaddr % PAGE);
  }

  /** Gives a copy-on-write page its own frame (or takes over the last reference). New PTE or 0. */
  private breakCow(off: number, pte: number, region: Region): number {
    const frame = this.frameOfPte(pte);
    let target = frame;
    if (this.frames.refCount(frame) > 1) {
      target = this.frames.alloc();
      if (target < 0) return 0;
      this.memory.u8.copyWithin(target * PAGE, frame * PAGE, frame * PAGE + PAGE);
      this.memory.noteWrite(target * PAGE, PAGE);
      this.frames.release(frame);
    }
    const bits = pteBits(region.prot) | (pte & (PTE_A | PTE_D));
    const next = ((this.frames.paddr(target) / PAGE) << 10) | bits;
    this.memory.write32(off, next);
    this.remapped();
    return next;
  }

  /** Copies `len` user bytes from `vaddr`; undefined when any byte is not readable (EFAULT). */
  copyIn(vaddr: number, len: number): Uint8Array | undefined {
    if (!this.rangeOk(vaddr, len, PROT_READ)) return undefined;
    const out = new Uint8Array(len);
    const u8 = this.memory.u8;
    for (let done = 0; done < len; ) {
      const addr = vaddr + done;
      const n = Math.min(len - done, PAGE - (addr % PAGE));
      const off = this.translate(addr, PROT_READ);
      if (n === len) out.set(u8.subarray(off, off + n));
      else out.set(u8.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /**
   * A view of `len` readable user bytes at `vaddr` inside one page, straight onto RAM (no copy), or
   * undefined when they cross a page or are not readable. Valid only until the user runs again.
   */
  borrow(vaddr: number, len: number): Uint8Array | undefined {
    if (len === 0 || (vaddr & 0xfff) + len > PAGE) return undefined;
    const off = this.translate(vaddr, PROT_READ);
    return off < 0 ? undefined : this.memory.u8.subarray(off, off + len);
  }

  /** Copies `data` to user memory at `vaddr`; false (nothing written) when any byte is not writable. */
  copyOut(vaddr: number, data: Uint8Array): boolean {
    const len = data.length;
    if (!this.rangeOk(vaddr, len, PROT_WRITE)) return false;
    for (let done = 0; done < len; ) {
      const addr = vaddr + done;
      const n = Math.min(len - done, PAGE - (addr % PAGE));
      const off = this.translate(addr, PROT_WRITE);
      this.memory.writeBytes(off, n === len ? data : data.subarray(done, done + n));
      done += n;
    }
    return true;
  }

  /** Reads a NUL-terminated string of at most `max` bytes; undefined on a fault or when too long. */
  readString(vaddr: number, max: number): string | undefined {
    const bytes: number[] = [];
    for (let addr = vaddr; bytes.length < max; ) {
      const off = this.resolve(addr, PROT_READ);
      if (off < 0) return undefined;
      const n = Math.min(PAGE - (addr % PAGE), max - bytes.length);
      for (let i = 0; i < n; i++) {
        const b = this.memory.u8[off + i]!;
        if (b === 0) return new TextDecoder().decode(new Uint8Array(bytes));
        bytes.push(b);
      }
      addr += n;
    }
    return undefined;
  }

  /** Resolves every page of [vaddr, vaddr+len) before any side effect: (RAM offset, length) runs. */
  resolveRange(vaddr: number, len: number, prot: number): [number, number][] | undefined {
    if (len === 0) return [];
    if (vaddr < 0 || vaddr + len > USER_TOP || vaddr + len < vaddr) return undefined;
    const runs: [number, number][] = [];
    let addr = vaddr;
    const end = vaddr + len;
    while (addr < end) {
      const n = Math.min(end - addr, PAGE - (addr % PAGE));
      const off = this.resolve(addr, prot);
      if (off < 0) return undefined;
      runs.push([off, n]);
      addr += n;
    }
    return runs;
  }

  // ---- whole-space operations ---------------------------------------------------------------

  /**
   * A copy of this address space for fork: the same regions; private pages shared copy-on-write
   * (read-only in both until one writes), shared mappings shared. Undefined when out of memory.
   */
  fork(): AddressSpace | undefined {
    const child = AddressSpace.create(this.memory, this.frames);
    if (child === undefined) return undefined;
    child.pageLimit = this.pageLimit;
    for (const r of this.regions) child.insert({ ...r });
    let ok = true;
    for (const r of this.regions) {
      this.forEachPte(r.start, r.end, (off, pte, vaddr) => {
        if (!ok) return;
        let shared = pte;
        if (r.shared === undefined) {
          shared = (pte & ~PTE_W) | PTE_COW;
          if (shared !== pte) this.memory.write32(off, shared);
        }
        this.frames.retain(this.frameOfPte(pte));
        const childOff = child.pteOffset(vaddr, true);
        if (childOff < 0) {
          this.frames.release(this.frameOfPte(pte));
          ok = false;
          return;
        }
        this.memory.write32(childOff, shared);
        child.resident++;
      });
    }
    this.remapped();
    if (!ok) {
      child.destroy();
      return undefined;
    }
    return child;
  }

  /**
   * Pages of a restored image not fetched yet (post-copy), by virtual address, with their PTE bits:
   * an access to one resolves to RESOLVE_ABSENT until the kernel maps it.
   */
  absent: Map<number, number> | undefined = undefined;
  /**
   * The last absent page an access resolved to (RESOLVE_ABSENT): a system call that failed on one
   * waits for it and runs again (kernel-step.ts) instead of returning the error.
   */
  absentHit: number | undefined = undefined;

  /** Clears the dirty bit of every present page (the hart sets it again on the next store). */
  markClean(): void {
    for (const r of this.regions)
      this.forEachPte(r.start, r.end, (off, pte) => {
        if (pte & PTE_D) this.memory.write32(off, pte & ~PTE_D);
      });
    // Translations cached with D set would let stores skip the page table: the hart's, and the
    // kernel's own (a message or read() the kernel writes into the page must mark it dirty again).
    this.remapped();
  }

  /** Virtual addresses of the present pages written since the last markClean, ascending. */
  dirtyPages(): number[] {
    const out: number[] = [];
    for (const r of this.regions)
      this.forEachPte(r.start, r.end, (_off, pte, vaddr) => {
        if (pte & PTE_D) out.push(vaddr);
      });
    return out.sort((a, b) => a - b);
  }

  /** Calls `fn` for every present user page with its virtual address, PTE and RAM offset. */
  forEachPage(fn: (vaddr: number, pte: number, frameOff: number) => void): void {
    for (const r of this.regions) {
      this.forEachPte(r.start, r.end, (_off, pte, vaddr) => {
        fn(vaddr, pte, this.frameOfPte(pte) * PAGE);
      });
    }
  }

  /**
   * Calls `fn` for every frame this address space holds a reference on: its root table, its page
   * tables and every mapped page (walking the tables, not the regions; for the invariant checker).
   */
  forEachFrameHeld(fn: (frame: number) => void): void {
    if (this.destroyed) return;
    fn(this.root);
    for (let i = 0; i < USER_PDES; i++) {
      const pde = this.memory.read32(this.root * PAGE + i * 4);
      if ((pde & PTE_V) === 0) continue;
      const table = this.frameOfPte(pde);
      fn(table);
      for (let j = 0; j < 1024; j++) {
        const pte = this.memory.read32(table * PAGE + j * 4);
        if (pte & PTE_V) fn(this.frameOfPte(pte));
      }
    }
  }

  /** Releases every frame and page table. */
  destroy(): void {
    assert(!this.destroyed, 'address space destroyed twice');
    this.destroyed = true;
    for (const region of this.regions) {
      this.unmapRange(region.start, region.end);
      region.shared?.release();
    }
    this.regions.length = 0;
    for (let i = 0; i < USER_PDES; i++) {
      const pde = this.memory.read32(this.root * PAGE + i * 4);
      if (pde & PTE_V) this.frames.release(this.frameOfPte(pde));
    }
    this.frames.release(this.root);
    assert(this.resident === 0, `address space destroyed with ${this.resident} pages counted`);
  }
}
