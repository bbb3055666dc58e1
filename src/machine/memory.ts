// Physical memory: one buffer allocated once and never grown, plus per-frame flags and the
// decoded-instruction pages. Every write into guest RAM that does not take the hart's TLB fast
// path — the hart's slow stores, page-table A/D updates, the kernel's copy-out, loaders — goes
// through `noteWrite`, which keeps the flags true: a write to a frame holding decoded code drops
// that frame's decoded instructions; a write to a hooked frame (HTIF tohost) reports to the hook.
import { PAGE_SHIFT, PAGE_SIZE } from './constants.js';

/** The frame holds decoded instructions: stores must invalidate them. */
export const FRAME_CODE = 1;
/** Writes to the frame are reported to the write hook (device-like RAM words such as tohost). */
export const FRAME_HOOK = 2;
/** Flags that force a store off the TLB fast path. */
export const FRAME_STORE_SLOW = FRAME_CODE | FRAME_HOOK;

export type WriteHook = (offset: number, size: number) => void;

export class PhysicalMemory {
  readonly base: number;
  readonly size: number;
  readonly frames: number;
  readonly wasm: WebAssembly.Memory;
  readonly u8: Uint8Array;
  readonly i32: Int32Array;
  readonly view: DataView;
  readonly frameFlags: Uint8Array;
  /** Decoded instruction slots per frame: 2048 halfword slots x (packed, imm). */
  readonly decoded: (Int32Array | undefined)[];
  /** Called when a frame becomes a code frame, so TLBs can drop fast store entries for it. */
  onCodeFrame: (frame: number) => void = () => {};
  /**
   * Called when a frame's decoded code is dropped, so the JIT drops its code too. `store` is true
   * for a small write (a guest store: self-modifying code), false for fence.i and bulk writes
   * (loaders, copy-out), which say nothing about the frame's future.
   */
  onCodeDropped: (frame: number, store: boolean) => void = () => {};
  writeHook: WriteHook = () => {};

  constructor(base: number, size: number) {
    if (!Number.isInteger(base) || base < 0 || base % PAGE_SIZE !== 0 || base >= 2 ** 32) {
      throw new RangeError(`memory base 0x${base.toString(16)} must be a page-aligned 32-bit address`);
    }
    if (
      !Number.isInteger(size) ||
      size <= 0 ||
      size % 65536 !== 0 ||
      size > 2 ** 31 ||
      base + size > 2 ** 32
    ) {
      throw new RangeError(
        `memory size ${size} must be a positive multiple of 64 KiB, at most 2 GiB, ending below 4 GiB`,
      );
    }
    this.base = base;
    this.size = size;
    this.frames = size >>> PAGE_SHIFT;
    const pages = size / 65536;
    this.wasm = new WebAssembly.Memory({ initial: pages, maximum: pages });
    this.u8 = new Uint8Array(this.wasm.buffer);
    this.i32 = new Int32Array(this.wasm.buffer);
    this.view = new DataView(this.wasm.buffer);
    this.frameFlags = new Uint8Array(this.frames);
    this.decoded = new Array<Int32Array | undefined>(this.frames).fill(undefined);
  }

  /** RAM offset of physical address `paddr`, or -1 when [paddr, paddr+len) is not all RAM. */
  offsetOf(paddr: number, len = 1): number {
    const off = paddr - this.base;
    return off >= 0 && off + len <= this.size ? off : -1;
  }

  /** The decoded-instruction page for the frame at RAM offset `off`, created on first use. */
  decodedPage(off: number): Int32Array {
    const frame = off >>> PAGE_SHIFT;
    let page = this.decoded[frame];
    if (page === undefined) {
      page = new Int32Array(PAGE_SIZE);
      this.decoded[frame] = page;
      const flags = this.frameFlags[frame] ?? 0;
      this.frameFlags[frame] = flags | FRAME_CODE;
      this.onCodeFrame(frame);
    }
    return page;
  }

  /** Drops every decoded instruction (fence.i, or a reset). */
  dropAllDecoded(): void {
    for (let frame = 0; frame < this.frames; frame++) {
      if (this.decoded[frame] !== undefined) {
        this.decoded[frame] = undefined;
        this.frameFlags[frame] = (this.frameFlags[frame] ?? 0) & ~FRAME_CODE;
        this.onCodeDropped(frame, false);
      }
    }
  }

  /**
   * Records a write of `size` bytes at RAM offset `off` (already performed or about to be).
   * Returns true when decoded code was dropped, so a running hart must refetch.
   */
  noteWrite(off: number, size: number): boolean {
    let dropped = false;
    const first = off >>> PAGE_SHIFT;
    const last = (off + size - 1) >>> PAGE_SHIFT;
    for (let frame = first; frame <= last; frame++) {
      const flags = this.frameFlags[frame] ?? 0;
      if ((flags & FRAME_STORE_SLOW) === 0) continue;
      if (flags & FRAME_CODE) {
        this.decoded[frame] = undefined;
        this.frameFlags[frame] = flags & ~FRAME_CODE;
        this.onCodeDropped(frame, size <= 8);
        dropped = true;
      }
    }
    for (let frame = first; frame <= last; frame++) {
      if ((this.frameFlags[frame] ?? 0) & FRAME_HOOK) this.writeHook(off, size);
    }
    return dropped;
  }

  /** Marks the frames covering [off, off+size) as hooked: writes there call `writeHook`. */
  hookFrames(off: number, size: number): void {
    for (let frame = off >>> PAGE_SHIFT; frame <= (off + size - 1) >>> PAGE_SHIFT; frame++) {
      this.frameFlags[frame] = (this.frameFlags[frame] ?? 0) | FRAME_HOOK;
    }
  }

  read8(off: number): number {
    return this.u8[off] ?? 0;
  }
  read16(off: number): number {
    return this.view.getUint16(off, true);
  }
  read32(off: number): number {
    return this.view.getInt32(off, true);
  }

  write8(off: number, value: number): void {
    this.u8[off] = value;
    this.noteWrite(off, 1);
  }
  write16(off: number, value: number): void {
    this.view.setUint16(off, value & 0xffff, true);
    this.noteWrite(off, 2);
  }
  write32(off: number, value: number): void {
    this.view.setInt32(off, value | 0, true);
    this.noteWrite(off, 4);
  }

  /** Copies `data` into RAM at offset `off` (loaders, kernel copy-out). */
  writeBytes(off: number, data: Uint8Array): void {
    if (data.length === 0) return;
    this.u8.set(data, off);
    this.noteWrite(off, data.length);
  }

  /** Zeroes [off, off+len). */
  fill(off: number, len: number, value = 0): void {
    if (len === 0) return;
    this.u8.fill(value, off, off + len);
    this.noteWrite(off, len);
  }

  readBytes(off: number, len: number): Uint8Array {
    return this.u8.slice(off, off + len);
  }
}
