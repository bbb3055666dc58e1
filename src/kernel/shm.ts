// Shared memory objects: a run of frames that several address spaces map at once. Frames are
// allocated on first touch and live until the last holder — a handle or a mapping — lets go.
// MAP_SHARED anonymous mappings and the shm_* system calls both use this object.
import { assert } from './assert.js';
import type { FrameAllocator } from './frames.js';

export class SharedMemory {
  readonly kind = 'shm';
  /** Frame per page, or -1 until first touched. */
  readonly pageFrames: Int32Array;
  /** Handles plus mappings that hold this object. */
  private holders = 0;

  constructor(
    readonly id: number,
    readonly pages: number,
    private readonly frames: FrameAllocator,
  ) {
    assert(pages > 0, 'empty shared memory object');
    this.pageFrames = new Int32Array(pages).fill(-1);
  }

  get size(): number {
    return this.pages * 4096;
  }

  hold(): void {
    this.holders++;
  }

  /** Drops one holder; the frames are released with the last one. */
  release(): void {
    assert(this.holders > 0, `shared memory ${this.id} released too often`);
    if (--this.holders > 0) return;
    for (let i = 0; i < this.pages; i++) {
      const frame = this.pageFrames[i]!;
      if (frame >= 0) this.frames.release(frame);
      this.pageFrames[i] = -1;
    }
  }

  /** Handles plus mappings holding it now (for the invariant checker). */
  get holderCount(): number {
    return this.holders;
  }

  get held(): boolean {
    return this.holders > 0;
  }

  /** The frame backing page `index`, allocated (zeroed) on first use; -1 when memory is exhausted. */
  frame(index: number): number {
    assert(index >= 0 && index < this.pages, `shared page ${index} out of range`);
    let frame = this.pageFrames[index]!;
    if (frame < 0) {
      frame = this.frames.alloc();
      if (frame < 0) return -1;
      this.pageFrames[index] = frame;
    }
    return frame;
  }
}
