// Encodes outgoing frames into write chunks: headers and small payloads are copied into pooled
// batch buffers (one write for many small messages), large payloads are referenced, not copied.
import type { BufferPool } from './buffers.js';
import { HEADER_BYTES, writeHeader } from './frame.js';

/** Payloads up to this size are copied into the batch; larger ones are written by reference. */
const COPY_THRESHOLD = 2048;

/** Takes frames: `prefix` is valid only during the call (copy it); `body` may be kept by reference. */
export interface FrameSink {
  frame(
    type: number,
    lane: number,
    appType: number,
    prefix: Uint8Array | undefined,
    body: Uint8Array,
    start: number,
    end: number,
  ): void;
}

/** Collects frames; take() returns the chunks to write and the pooled buffers they use. */
export class FrameWriter implements FrameSink {
  private chunks: Uint8Array[] = [];
  private buffers: Uint8Array[] = [];
  private buf: Uint8Array | undefined;
  private start = 0;
  private pos = 0;
  bytes = 0;
  /** Frames written since the last take(). */
  frames = 0;

  constructor(private readonly pool: BufferPool) {}

  frame(
    type: number,
    lane: number,
    appType: number,
    prefix: Uint8Array | undefined,
    body: Uint8Array,
    start: number,
    end: number,
  ): void {
    const plen = prefix ? prefix.length : 0;
    const copy = end - start <= COPY_THRESHOLD;
    const need = HEADER_BYTES + plen + (copy ? end - start : 0);
    let buf = this.buf;
    if (!buf || this.pos + need > buf.length) {
      this.cut();
      buf = this.pool.acquire();
      this.buffers.push(buf);
      this.buf = buf;
      this.start = 0;
      this.pos = 0;
    }
    writeHeader(buf, this.pos, type, lane, appType, prefix, body, start, end);
    this.pos += HEADER_BYTES;
    if (prefix) {
      buf.set(prefix, this.pos);
      this.pos += plen;
    }
    if (copy) {
      buf.set(body.subarray(start, end), this.pos);
      this.pos += end - start;
    } else {
      this.cut();
      this.chunks.push(start === 0 && end === body.length ? body : body.subarray(start, end));
    }
    this.bytes += HEADER_BYTES + plen + (end - start);
    this.frames++;
  }

  get empty(): boolean {
    return this.bytes === 0;
  }

  /** The chunks written since the last take(), in order, and the pool buffers they live in. */
  take(): { chunks: Uint8Array[]; buffers: Uint8Array[] } {
    this.cut();
    const out = { chunks: this.chunks, buffers: this.buffers };
    this.chunks = [];
    this.buffers = [];
    this.buf = undefined;
    this.bytes = 0;
    this.frames = 0;
    return out;
  }

  private cut(): void {
    if (this.buf && this.pos > this.start) {
      this.chunks.push(this.buf.subarray(this.start, this.pos));
      this.start = this.pos;
    }
  }
}
