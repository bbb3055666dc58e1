// Address spaces: Sv32 page tables kept in the machine's physical memory, a list of regions
// (page-aligned ranges with protections, filled with zero pages on demand), and the checked
// copy-in/copy-out the kernel uses for user buffers. A user page is mapped with PTE U set and
// A/D clear; the hart sets A/D as the privileged spec says.
import { PTE_A, PTE_D, PTE_R, PTE_U, PTE_V, PTE_W, PTE_X } from '../machine/constants.js';
import type { PhysicalMemory } from '../machine/memory.js';
import { assert } from './assert.js';
import type { FrameAllocator } from './frames.js';
import { USER_BASE, USER_TOP } from './limits.js';

export const PROT_READ = 1;
export const PROT_WRITE = 2;
export const PROT_EXEC = 4;

export interface Region {
  start: number;
  end: number;
  prot: number;
  name: string;
}

const PAGE = 4096;
export const pageDown = (addr: number): number => addr - (addr % PAGE);
export const pageUp = (addr: number): number => Math.ceil(addr / PAGE) * PAGE;

function pteBits(prot: number): number {
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
  private destroyed = false;

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

  /** The satp value that selects this address space (Sv32, ASID 0). */
  get satp(): number {
    return 0x80000000 | (this.frames.paddr(this.root) / PAGE) | 0;
  }

  /** Adds a region; returns false when it overlaps another or leaves user space. */
  addRegion(start: number, end: number, prot: number, name: string): boolean {
    assert(start % PAGE === 0 && end % PAGE === 0 && start < end, `bad region [${start}, ${end})`);
    if (start < USER_BASE || end > USER_TOP) return false;
    if (this.regions.some((r) => start < r.end && r.start < end)) return false;
    this.regions.push({ start, end, prot, name });
    this.regions.sort((a, b) => a.start - b.start);
    return true;
  }

  findRegion(vaddr: number): Region | undefined {
    return this.regions.find((r) => vaddr >= r.start && vaddr < r.end);
  }

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

  /** Maps the page at `vaddr` to `frame` (taking over one reference). Returns false when out of memory. */
  mapPage(vaddr: number, frame: number, prot: number): boolean {
    const off = this.pteOffset(vaddr, true);
    if (off < 0) return false;
    assert((this.memory.read32(off) & PTE_V) === 0, `page 0x${vaddr.toString(16)} already mapped`);
    this.memory.write32(off, ((this.frames.paddr(frame) / PAGE) << 10) | pteBits(prot));
    return true;
  }

  /** Frame mapped at `vaddr`, or -1. */
  frameAt(vaddr: number): number {
    const off = this.pteOffset(vaddr, false);
    if (off < 0) return -1;
    const pte = this.memory.read32(off);
    if ((pte & PTE_V) === 0) return -1;
    return (pte >>> 10) - this.memory.base / PAGE;
  }

  /** Unmaps every page in [start, end) and releases its frame. The caller flushes TLBs. */
  unmapRange(start: number, end: number): void {
    for (let vaddr = start; vaddr < end; vaddr += PAGE) {
      const off = this.pteOffset(vaddr, false);
      if (off < 0) {
        vaddr = (Math.floor(vaddr / 0x400000) + 1) * 0x400000 - PAGE; // skip the absent table
        continue;
      }
      const pte = this.memory.read32(off);
      if ((pte & PTE_V) === 0) continue;
      this.memory.write32(off, 0);
      this.frames.release((pte >>> 10) - this.memory.base / PAGE);
    }
  }

  /** Changes a region's end (brk); shrinking unmaps the pages beyond the new end. */
  resizeRegion(region: Region, end: number): boolean {
    assert(end % PAGE === 0 && end > region.start, 'bad region resize');
    if (end > region.end && this.regions.some((r) => r !== region && r.start < end && region.end < r.end))
      return false;
    if (end > USER_TOP) return false;
    if (end < region.end) this.unmapRange(end, region.end);
    region.end = end;
    return true;
  }

  /**
   * Makes the page at `vaddr` present for `prot` access on behalf of the user: demand-zero pages in
   * a region are allocated here. Returns the RAM offset of `vaddr`, or -1 when the access is not
   * allowed (the caller turns that into EFAULT or a fault signal).
   */
  resolve(vaddr: number, prot: number): number {
    const region = this.findRegion(vaddr);
    if (region === undefined || (region.prot & prot) !== prot) return -1;
    let off = this.pteOffset(vaddr, true);
    if (off < 0) return -1;
    let pte = this.memory.read32(off);
    if ((pte & PTE_V) === 0) {
      const frame = this.frames.alloc();
      if (frame < 0) return -1;
      if (!this.mapPage(vaddr, frame, region.prot)) {
        this.frames.release(frame);
        return -1;
      }
      off = this.pteOffset(vaddr, false);
      pte = this.memory.read32(off);
    }
    const wanted = PTE_A | (prot & PROT_WRITE ? PTE_D : 0);
    if ((pte & wanted) !== wanted) this.memory.write32(off, pte | wanted);
    const frameOff = this.memory.offsetOf((pte >>> 10) * PAGE, PAGE);
    assert(frameOff >= 0, 'user PTE points outside RAM');
    return frameOff + (vaddr % PAGE);
  }

  /** Copies `len` user bytes from `vaddr`; undefined when any byte is not readable (EFAULT). */
  copyIn(vaddr: number, len: number): Uint8Array | undefined {
    const out = new Uint8Array(len);
    const offsets = this.resolveRange(vaddr, len, PROT_READ);
    if (offsets === undefined) return undefined;
    let done = 0;
    for (const [off, n] of offsets) {
      out.set(this.memory.u8.subarray(off, off + n), done);
      done += n;
    }
    return out;
  }

  /** Copies `data` to user memory at `vaddr`; false (nothing written) when any byte is not writable. */
  copyOut(vaddr: number, data: Uint8Array): boolean {
    const offsets = this.resolveRange(vaddr, data.length, PROT_WRITE);
    if (offsets === undefined) return false;
    let done = 0;
    for (const [off, n] of offsets) {
      this.memory.writeBytes(off, data.subarray(done, done + n));
      done += n;
    }
    return true;
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

  /** Releases every frame and page table. */
  destroy(): void {
    assert(!this.destroyed, 'address space destroyed twice');
    this.destroyed = true;
    for (const region of this.regions) this.unmapRange(region.start, region.end);
    for (let i = 0; i < 1024; i++) {
      const pde = this.memory.read32(this.root * PAGE + i * 4);
      if (pde & PTE_V) this.frames.release((pde >>> 10) - this.memory.base / PAGE);
    }
    this.frames.release(this.root);
  }
}
