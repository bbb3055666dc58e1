// Per-process output rings the owner keeps for `pakaya logs`: the last LOG_RING_BYTES of stdout
// and of stderr, addressed by absolute byte offsets so a follower asks "from offset N" and learns
// when older bytes were dropped. Rings outlive their process (logs after exit); only the
// LOG_EXITED_KEPT_MAX most recently ended ones are kept.
import { LOG_CHUNK_MAX, LOG_EXITED_KEPT_MAX, LOG_RING_BYTES } from './limits.js';

/** One stream's ring: bytes [start, end) of everything written, the last `capacity` of them. */
export class ByteRing {
  private readonly buf: Uint8Array;
  /** Total bytes ever written. */
  end = 0;

  constructor(readonly capacity = LOG_RING_BYTES) {
    this.buf = new Uint8Array(capacity);
  }

  get start(): number {
    return Math.max(0, this.end - this.capacity);
  }

  write(data: Uint8Array): void {
    const src = data.length > this.capacity ? data.subarray(data.length - this.capacity) : data;
    const skipped = data.length - src.length;
    let at = (this.end + skipped) % this.capacity;
    let done = 0;
    while (done < src.length) {
      const n = Math.min(src.length - done, this.capacity - at);
      this.buf.set(src.subarray(done, done + n), at);
      done += n;
      at = (at + n) % this.capacity;
    }
    this.end += data.length;
  }

  /** Bytes from offset `from` (clamped to what is kept), at most `max`; with their start offset. */
  read(from: number, max = LOG_CHUNK_MAX): { start: number; data: Uint8Array } {
    const start = Math.min(Math.max(from, this.start), this.end);
    const n = Math.min(this.end - start, max);
    const out = new Uint8Array(n);
    let at = start % this.capacity;
    let done = 0;
    while (done < n) {
      const k = Math.min(n - done, this.capacity - at);
      out.set(this.buf.subarray(at, at + k), done);
      done += k;
      at = (at + k) % this.capacity;
    }
    return { start, data: out };
  }
}

export interface LogChunkView {
  outStart: number;
  out: Uint8Array;
  errStart: number;
  err: Uint8Array;
  ended: boolean;
}

interface Rings {
  out: ByteRing;
  err: ByteRing;
  ended: boolean;
}

/** The rings of every local process, by NPID. */
export class LogRings {
  private readonly rings = new Map<string, Rings>();
  /** Ended processes, oldest first. */
  private readonly ended: string[] = [];

  constructor(
    private readonly ringBytes = LOG_RING_BYTES,
    private readonly keptEnded = LOG_EXITED_KEPT_MAX,
  ) {}

  write(npid: string, fd: 1 | 2, data: Uint8Array): void {
    let r = this.rings.get(npid);
    if (r === undefined) {
      r = { out: new ByteRing(this.ringBytes), err: new ByteRing(this.ringBytes), ended: false };
      this.rings.set(npid, r);
    }
    if (r.ended) return;
    (fd === 2 ? r.err : r.out).write(data);
  }

  /** Starts a ring for a new process (so logs before any output answers "nothing yet"). */
  open(npid: string): void {
    if (!this.rings.has(npid))
      this.rings.set(npid, {
        out: new ByteRing(this.ringBytes),
        err: new ByteRing(this.ringBytes),
        ended: false,
      });
  }

  end(npid: string): void {
    const r = this.rings.get(npid);
    if (r === undefined || r.ended) return;
    r.ended = true;
    this.ended.push(npid);
    while (this.ended.length > this.keptEnded) {
      const old = this.ended.shift();
      if (old !== undefined) this.rings.delete(old);
    }
  }

  has(npid: string): boolean {
    return this.rings.has(npid);
  }

  read(npid: string, outFrom: number, errFrom: number): LogChunkView | undefined {
    const r = this.rings.get(npid);
    if (r === undefined) return undefined;
    const out = r.out.read(outFrom);
    const err = r.err.read(errFrom);
    return { outStart: out.start, out: out.data, errStart: err.start, err: err.data, ended: r.ended };
  }
}
