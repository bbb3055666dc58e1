// The frame envelope (docs/protocol.md): a 16-byte header — magic, version, type, lane, flags, app
// type, payload length, CRC32C — then the payload. Parsing a byte stream into frames (FrameReader)
// checks the length against the limit before allocating and reports bad input as a NetError value.
import { crc32c } from './crc32c.js';
import { NetError } from './errors.js';
import { MAX_APP_TYPE, MAX_FRAME_PAYLOAD } from './limits.js';

export const MAGIC0 = 0x50; // 'P'
export const MAGIC1 = 0x4b; // 'K'
export const HEADER_BYTES = 16;
/** Envelope versions this build speaks. */
export const MIN_VERSION = 1;
export const MAX_VERSION = 1;

export const FrameType = {
  HELLO: 1,
  HELLO_ACK: 2,
  PING: 3,
  PONG: 4,
  GOAWAY: 5,
  APP: 6,
  FRAGMENT: 7,
  CREDIT: 8,
} as const;
export type FrameType = (typeof FrameType)[keyof typeof FrameType];
const MAX_FRAME_TYPE = 8;

export type Lane = 'control' | 'bulk';
export const LANE_CONTROL = 0;
export const LANE_BULK = 1;
export const laneName = (code: number): Lane => (code === LANE_CONTROL ? 'control' : 'bulk');
export const laneCode = (lane: Lane): number => (lane === 'control' ? LANE_CONTROL : LANE_BULK);

/**
 * Writes a frame header at `buf[off]` for a payload made of `prefix` (may be empty) then
 * `body[start, end)`. The CRC covers header bytes 0..11, then the payload.
 */
export function writeHeader(
  buf: Uint8Array,
  off: number,
  type: number,
  lane: number,
  appType: number,
  prefix: Uint8Array | undefined,
  body: Uint8Array,
  start: number,
  end: number,
): void {
  const length = (prefix ? prefix.length : 0) + (end - start);
  buf[off] = MAGIC0;
  buf[off + 1] = MAGIC1;
  buf[off + 2] = MAX_VERSION;
  buf[off + 3] = type;
  buf[off + 4] = lane;
  buf[off + 5] = 0;
  buf[off + 6] = appType >>> 8;
  buf[off + 7] = appType & 0xff;
  buf[off + 8] = length >>> 24;
  buf[off + 9] = (length >>> 16) & 0xff;
  buf[off + 10] = (length >>> 8) & 0xff;
  buf[off + 11] = length & 0xff;
  let crc = crc32c(buf, 0, off, off + 12);
  if (prefix) crc = crc32c(prefix, crc);
  crc = crc32c(body, crc, start, end);
  buf[off + 12] = crc >>> 24;
  buf[off + 13] = (crc >>> 16) & 0xff;
  buf[off + 14] = (crc >>> 8) & 0xff;
  buf[off + 15] = crc & 0xff;
}

/** One whole frame as a fresh array (handshake, tests, the simulator). */
export function encodeFrame(type: number, lane: number, appType: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + payload.length);
  writeHeader(out, 0, type, lane, appType, undefined, payload, 0, payload.length);
  out.set(payload, HEADER_BYTES);
  return out;
}

/**
 * Receives decoded frames. `payload` is a view the receiver may keep (it is never reused), except a
 * FRAGMENT frame's when the reader was made with `reuseFragmentBuffer`: that view is valid only
 * during the call (the receiver copies the piece into its reassembly buffer).
 */
export interface FrameHandler {
  frame(type: FrameType, lane: number, appType: number, payload: Uint8Array): void;
}

const u32 = (b: Uint8Array, o: number): number =>
  (((b[o] as number) << 24) |
    ((b[o + 1] as number) << 16) |
    ((b[o + 2] as number) << 8) |
    (b[o + 3] as number)) >>>
  0;

/** Checks a header at `b[o]`; returns the payload length, or a NetError. */
export function checkHeader(b: Uint8Array, o: number, maxPayload: number): number | NetError {
  if (b[o] !== MAGIC0 || b[o + 1] !== MAGIC1) return new NetError('protocol', 'bad frame magic');
  const version = b[o + 2] as number;
  if (version < MIN_VERSION || version > MAX_VERSION) {
    return new NetError('protocol', `unsupported frame version ${version}`);
  }
  const type = b[o + 3] as number;
  if (type < 1 || type > MAX_FRAME_TYPE) return new NetError('protocol', `unknown frame type ${type}`);
  const lane = b[o + 4] as number;
  if (lane > LANE_BULK) return new NetError('protocol', `unknown lane ${lane}`);
  const length = u32(b, o + 8);
  if (length > maxPayload) {
    return new NetError('protocol', `frame payload of ${length} bytes exceeds the limit of ${maxPayload}`);
  }
  return length;
}

export interface FrameReaderOptions {
  /**
   * FRAGMENT frames that span chunks are gathered in one buffer of `maxPayload` bytes reused for
   * every such frame, instead of a fresh buffer each (see FrameHandler).
   */
  reuseFragmentBuffer?: boolean;
}

/**
 * Splits a byte stream into frames. push() returns undefined, or the first error (after which the
 * reader is dead: the connection must close). Whole frames inside one chunk are not copied.
 */
export class FrameReader {
  private readonly header = new Uint8Array(HEADER_BYTES);
  private headerFill = 0;
  private payload: Uint8Array | undefined;
  private payloadFill = 0;
  private failed: NetError | undefined;
  private scratch: Uint8Array | undefined;
  private readonly reuseFragmentBuffer: boolean;

  constructor(
    private readonly handler: FrameHandler,
    private readonly maxPayload = MAX_FRAME_PAYLOAD,
    options: FrameReaderOptions = {},
  ) {
    this.reuseFragmentBuffer = options.reuseFragmentBuffer ?? false;
  }

  /** A buffer for a payload of `length` bytes (checked against the limit) of a frame of `type`. */
  private payloadBuffer(type: number, length: number): Uint8Array {
    if (this.reuseFragmentBuffer && type === FrameType.FRAGMENT) {
      // Allocated once, at the frame limit: every checked length fits.
      this.scratch ??= Buffer.allocUnsafe(this.maxPayload);
      return this.scratch.subarray(0, length);
    }
    return Buffer.allocUnsafe(length); // filled completely before delivery
  }

  push(chunk: Uint8Array): NetError | undefined {
    if (this.failed) return this.failed;
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      if (this.headerFill === 0 && this.payload === undefined && n - i >= HEADER_BYTES) {
        // Fast path: the header is whole in this chunk.
        const length = checkHeader(chunk, i, this.maxPayload);
        if (typeof length !== 'number') return this.fail(length);
        if (n - i - HEADER_BYTES >= length) {
          const err = this.deliver(chunk, i, chunk.subarray(i + HEADER_BYTES, i + HEADER_BYTES + length));
          if (err) return this.fail(err);
          i += HEADER_BYTES + length;
          continue;
        }
        this.header.set(chunk.subarray(i, i + HEADER_BYTES));
        this.headerFill = HEADER_BYTES;
        i += HEADER_BYTES;
        this.payload = this.payloadBuffer(this.header[3] as number, length);
        this.payloadFill = 0;
        continue;
      }
      if (this.headerFill < HEADER_BYTES) {
        const take = Math.min(HEADER_BYTES - this.headerFill, n - i);
        this.header.set(chunk.subarray(i, i + take), this.headerFill);
        this.headerFill += take;
        i += take;
        if (this.headerFill < HEADER_BYTES) break;
        const length = checkHeader(this.header, 0, this.maxPayload);
        if (typeof length !== 'number') return this.fail(length);
        this.payload = this.payloadBuffer(this.header[3] as number, length);
        this.payloadFill = 0;
      }
      const payload = this.payload as Uint8Array;
      const take = Math.min(payload.length - this.payloadFill, n - i);
      payload.set(chunk.subarray(i, i + take), this.payloadFill);
      this.payloadFill += take;
      i += take;
      if (this.payloadFill === payload.length) {
        this.headerFill = 0;
        this.payload = undefined;
        const err = this.deliver(this.header, 0, payload);
        if (err) return this.fail(err);
      }
    }
    return undefined;
  }

  /** True when no partial frame is buffered. */
  get idle(): boolean {
    return this.headerFill === 0 && this.payload === undefined;
  }

  private deliver(h: Uint8Array, o: number, payload: Uint8Array): NetError | undefined {
    let crc = crc32c(h, 0, o, o + 12);
    crc = crc32c(payload, crc);
    if (crc !== u32(h, o + 12)) return new NetError('protocol', 'frame checksum mismatch');
    const type = h[o + 3] as FrameType;
    const appType = ((h[o + 6] as number) << 8) | (h[o + 7] as number);
    if (appType > MAX_APP_TYPE) return new NetError('protocol', 'bad app type');
    try {
      this.handler.frame(type, h[o + 4] as number, appType, payload);
    } catch (e) {
      if (e instanceof NetError) return e;
      throw e;
    }
    return undefined;
  }

  private fail(err: NetError): NetError {
    this.failed = err;
    this.payload = undefined;
    return err;
  }
}
