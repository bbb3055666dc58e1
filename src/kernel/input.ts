// Console input for fd 0: bytes the node delivers (from its stdin) queue here until a process
// reads them. Bounded: the node stops delivering while the queue is full.
import { INPUT_BUFFER_MAX } from './limits.js';

export class InputQueue {
  private readonly chunks: Uint8Array[] = [];
  private queued = 0;
  /** No more input will come (the node's stdin ended). */
  ended = false;

  get size(): number {
    return this.queued;
  }

  /** Room left before the node should pause its input. */
  get room(): number {
    return Math.max(0, INPUT_BUFFER_MAX - this.queued);
  }

  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.chunks.push(data);
    this.queued += data.length;
  }

  /** Takes up to `max` bytes (fewer when fewer are queued). */
  take(max: number): Uint8Array {
    const n = Math.min(max, this.queued);
    const out = new Uint8Array(n);
    let done = 0;
    while (done < n) {
      const chunk = this.chunks[0]!;
      const part = Math.min(chunk.length, n - done);
      out.set(chunk.subarray(0, part), done);
      done += part;
      if (part === chunk.length) this.chunks.shift();
      else this.chunks[0] = chunk.subarray(part);
    }
    this.queued -= n;
    return out;
  }
}
