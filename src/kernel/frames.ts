// The frame allocator: reference-counted 4 KiB physical frames of the machine's RAM. Frames are
// handed out zeroed (through PhysicalMemory, so stale decoded code in a reused frame is dropped).
import type { PhysicalMemory } from '../machine/memory.js';
import { assert } from './assert.js';

export class FrameAllocator {
  private readonly free: Int32Array;
  private freeCount: number;
  private readonly refs: Uint16Array;

  constructor(private readonly memory: PhysicalMemory) {
    const frames = memory.frames;
    this.free = new Int32Array(frames);
    this.refs = new Uint16Array(frames);
    // Hand out low frames first: push in descending order onto the stack.
    for (let i = 0; i < frames; i++) this.free[i] = frames - 1 - i;
    this.freeCount = frames;
  }

  get available(): number {
    return this.freeCount;
  }

  get total(): number {
    return this.memory.frames;
  }

  /** Allocates a zeroed frame; returns its frame number, or -1 when memory is exhausted. */
  alloc(): number {
    if (this.freeCount === 0) return -1;
    const frame = this.free[--this.freeCount]!;
    assert(this.refs[frame] === 0, `frame ${frame} on the free list has references`);
    this.refs[frame] = 1;
    this.memory.fill(frame * 4096, 4096);
    return frame;
  }

  /** Adds a reference to an allocated frame (sharing). */
  retain(frame: number): void {
    assert(this.refs[frame]! > 0 && this.refs[frame]! < 0xffff, `retain of frame ${frame} with bad count`);
    this.refs[frame]!++;
  }

  /** Drops a reference; the frame returns to the free list when none remain. */
  release(frame: number): void {
    assert(this.refs[frame]! > 0, `release of free frame ${frame}`);
    if (--this.refs[frame]! === 0) this.free[this.freeCount++] = frame;
  }

  refCount(frame: number): number {
    return this.refs[frame] ?? 0;
  }

  /** Physical address of a frame. */
  paddr(frame: number): number {
    return this.memory.base + frame * 4096;
  }
}
