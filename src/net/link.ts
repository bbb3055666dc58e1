// One link's lanes: bounded send queues per lane (control served ahead of bulk), fragmentation of
// large messages into FRAGMENT_SIZE pieces so a control frame waits at most one fragment, and the
// receiving side's bounded reassembly. Transport-independent: the TLS and simulated transports
// both pull frames from a LinkSender and push frames into a LinkReceiver.
import { ByteBudget } from './buffers.js';
import { assert, NetError } from './errors.js';
import {
  decodeFragmentHeader,
  encodeFragmentHeader,
  FRAGMENT_HEADER_MAX_ENCODED,
} from './fragment-header.js';
import { FrameType, HEADER_BYTES, LANE_BULK, LANE_CONTROL, type Lane, laneCode, laneName } from './frame.js';
import type { FrameSink } from './frame-writer.js';
import * as L from './limits.js';

export interface LaneLimits {
  controlFrames: number;
  controlBytes: number;
  bulkFrames: number;
  bulkBytes: number;
  fragmentSize: number;
  maxMessageBytes: number;
  reassemblyBytes: number;
}

export const DEFAULT_LANE_LIMITS: LaneLimits = {
  controlFrames: L.CONTROL_QUEUE_FRAMES,
  controlBytes: L.CONTROL_QUEUE_BYTES,
  bulkFrames: L.BULK_QUEUE_FRAMES,
  bulkBytes: L.BULK_QUEUE_BYTES,
  fragmentSize: L.FRAGMENT_SIZE,
  maxMessageBytes: L.MAX_MESSAGE_BYTES,
  reassemblyBytes: L.REASSEMBLY_BYTES,
};

/** A growable ring of (frame type, app type, payload). */
class Ring {
  private types: number[] = new Array<number>(16).fill(0);
  private apps: number[] = new Array<number>(16).fill(0);
  private payloads: (Uint8Array | undefined)[] = new Array<Uint8Array | undefined>(16);
  private head = 0;
  length = 0;

  push(type: number, app: number, payload: Uint8Array): void {
    if (this.length === this.types.length) this.grow();
    const i = (this.head + this.length) & (this.types.length - 1);
    this.types[i] = type;
    this.apps[i] = app;
    this.payloads[i] = payload;
    this.length++;
  }
  get headType(): number {
    return this.types[this.head] as number;
  }
  get headApp(): number {
    return this.apps[this.head] as number;
  }
  get headPayload(): Uint8Array {
    return this.payloads[this.head] as Uint8Array;
  }
  shift(): void {
    this.payloads[this.head] = undefined;
    this.head = (this.head + 1) & (this.types.length - 1);
    this.length--;
  }
  private grow(): void {
    const n = this.types.length * 2;
    const t = new Array<number>(n).fill(0);
    const a = new Array<number>(n).fill(0);
    const p = new Array<Uint8Array | undefined>(n);
    for (let k = 0; k < this.length; k++) {
      const j = (this.head + k) & (this.types.length - 1);
      t[k] = this.types[j] as number;
      a[k] = this.apps[j] as number;
      p[k] = this.payloads[j];
    }
    this.types = t;
    this.apps = a;
    this.payloads = p;
    this.head = 0;
  }
}

class LaneQueue {
  readonly ring = new Ring();
  readonly budget: ByteBudget;
  /** Bytes of the head message already sent as fragments. */
  offset = 0;
  messageId = 0;
  fragmentIndex = 0;
  constructor(
    readonly code: number,
    readonly maxFrames: number,
    maxBytes: number,
    parent: ByteBudget,
  ) {
    this.budget = new ByteBudget(maxBytes, parent);
  }
}

const cost = (payload: Uint8Array): number => payload.length + HEADER_BYTES;

/** The sending half of a link. */
export class LinkSender {
  private readonly lanes: [LaneQueue, LaneQueue];
  private readonly waiters: (() => void)[][] = [[], []];
  private nextMessageId = 1;
  /** A fragment's prefix (length byte, FragmentHeader), rewritten for every fragment. */
  private readonly prefixBuf = new Uint8Array(1 + FRAGMENT_HEADER_MAX_ENCODED);
  constructor(
    private readonly limits: LaneLimits,
    nodeBudget: ByteBudget,
  ) {
    this.lanes = [
      new LaneQueue(LANE_CONTROL, limits.controlFrames, limits.controlBytes, nodeBudget),
      new LaneQueue(LANE_BULK, limits.bulkFrames, limits.bulkBytes, nodeBudget),
    ];
  }

  private lane(code: number): LaneQueue {
    return code === LANE_CONTROL ? this.lanes[0] : this.lanes[1];
  }

  /** Queues an application message; an overload error if the lane (or the node) is full. */
  enqueue(lane: Lane, appType: number, payload: Uint8Array): NetError | undefined {
    if (!Number.isInteger(appType) || appType < 0 || appType > L.MAX_APP_TYPE) {
      return new NetError('protocol', `application type ${appType} out of range 0..${L.MAX_APP_TYPE}`);
    }
    if (payload.length > this.limits.maxMessageBytes) {
      return new NetError(
        'overload',
        `message of ${payload.length} bytes exceeds the limit of ${this.limits.maxMessageBytes}`,
      );
    }
    return this.push(this.lane(laneCode(lane)), FrameType.APP, appType, payload);
  }

  /** Queues a net-layer frame (ping, pong, goaway) on the control lane. */
  enqueueNet(type: FrameType, payload: Uint8Array): NetError | undefined {
    return this.push(this.lanes[0], type, 0, payload);
  }

  private push(q: LaneQueue, type: number, app: number, payload: Uint8Array): NetError | undefined {
    if (q.ring.length >= q.maxFrames) {
      return new NetError('overload', `${laneName(q.code)} lane queue full (${q.maxFrames} messages)`);
    }
    if (!q.budget.tryTake(cost(payload))) {
      return new NetError(
        'overload',
        `${laneName(q.code)} lane queue full (${q.budget.inUse} of ${q.budget.limit} bytes queued, or node limit)`,
      );
    }
    q.ring.push(type, app, payload);
    return undefined;
  }

  get pending(): boolean {
    return this.lanes[0].ring.length > 0 || this.lanes[1].ring.length > 0;
  }

  queuedBytes(lane: Lane): number {
    return this.lane(laneCode(lane)).budget.inUse;
  }
  queuedFrames(lane: Lane): number {
    return this.lane(laneCode(lane)).ring.length;
  }

  /** Whether a message of `size` bytes would fit in `lane` now. */
  writable(lane: Lane, size = 0): boolean {
    const q = this.lane(laneCode(lane));
    return q.ring.length < q.maxFrames && q.budget.inUse + size + HEADER_BYTES <= q.budget.limit;
  }

  /** Resolves when `lane` has room again (at once if it has). */
  whenWritable(lane: Lane): Promise<void> {
    if (this.writable(lane)) return Promise.resolve();
    return new Promise((resolve) => this.waiters[laneCode(lane)]?.push(resolve));
  }

  /**
   * Emits frames into `sink` until about `maxBytes` were emitted or the queues are empty. Control
   * frames go first; bulk messages go one fragment at a time, rechecking control between them, and
   * at most about `bulkLimit` bulk bytes (the peer's flow-control credit). Returns the bytes emitted.
   */
  pull(sink: FrameSink, maxBytes: number, bulkLimit = Number.POSITIVE_INFINITY): number {
    let sent = 0;
    let bulkSent = 0;
    const control = this.lanes[0];
    const bulk = this.lanes[1];
    while (sent < maxBytes) {
      const q =
        control.ring.length > 0 ? control : bulk.ring.length > 0 && bulkSent < bulkLimit ? bulk : undefined;
      if (!q) break;
      const n = this.pullOne(q, sink);
      sent += n;
      if (q === bulk) bulkSent += n;
    }
    this.lastBulkBytes = bulkSent;
    this.wake();
    return sent;
  }

  /** Bulk-lane bytes the last pull() emitted (for flow control). */
  lastBulkBytes = 0;

  /** Whether the control lane has frames waiting. */
  get controlPending(): boolean {
    return this.lanes[0].ring.length > 0;
  }

  private pullOne(q: LaneQueue, sink: FrameSink): number {
    const payload = q.ring.headPayload;
    const type = q.ring.headType;
    const app = q.ring.headApp;
    const frag = this.limits.fragmentSize;
    if (type !== FrameType.APP || payload.length <= frag) {
      sink.frame(type, q.code, app, undefined, payload, 0, payload.length);
      q.ring.shift();
      q.budget.give(cost(payload));
      return cost(payload);
    }
    if (q.offset === 0) {
      q.messageId = this.nextMessageId++ >>> 0;
      q.fragmentIndex = 0;
    }
    const count = Math.ceil(payload.length / frag);
    const end = Math.min(q.offset + frag, payload.length);
    const hend = encodeFragmentHeader(
      { messageId: q.messageId, appType: app, totalLength: payload.length, index: q.fragmentIndex, count },
      this.prefixBuf,
      1,
    );
    this.prefixBuf[0] = hend - 1;
    const prefix = this.prefixBuf.subarray(0, hend); // the sink copies it before returning
    sink.frame(FrameType.FRAGMENT, q.code, app, prefix, payload, q.offset, end);
    const bytes = end - q.offset;
    q.offset = end;
    q.fragmentIndex++;
    if (q.offset === payload.length) {
      q.ring.shift();
      q.offset = 0;
      q.budget.give(HEADER_BYTES + bytes);
    } else {
      q.budget.give(bytes);
    }
    return HEADER_BYTES + prefix.length + bytes;
  }

  private wake(): void {
    for (let l = 0; l < 2; l++) {
      const w = this.waiters[l] as (() => void)[];
      if (w.length > 0 && this.writable(laneName(l))) {
        this.waiters[l] = [];
        for (const f of w) f();
      }
    }
  }

  /** After a connection broke: a message sent in part starts again from its first fragment. */
  restartPartial(): void {
    for (const q of this.lanes) {
      if (q.offset > 0) {
        q.budget.forceTake(q.offset); // the sent fragments' bytes are queued again
        q.offset = 0;
      }
    }
  }

  /** Drops everything queued (link given up or transport closed); wakes waiters. */
  clear(): void {
    for (const q of this.lanes) {
      while (q.ring.length > 0) {
        const p = q.ring.headPayload;
        q.ring.shift();
        q.budget.give(q.offset > 0 ? cost(p) - q.offset : cost(p));
        q.offset = 0;
      }
    }
    for (let l = 0; l < 2; l++) {
      const w = this.waiters[l] as (() => void)[];
      this.waiters[l] = [];
      for (const f of w) f();
    }
  }
}

/** What a LinkReceiver delivers. */
export interface LinkEvents {
  message(lane: Lane, appType: number, payload: Uint8Array): void;
  /** Net-layer frames (hello, ping, pong, goaway). */
  net(type: FrameType, payload: Uint8Array): void;
}

interface Reassembly {
  messageId: number;
  appType: number;
  next: number;
  count: number;
  fill: number;
  data: Uint8Array;
}

/** The receiving half of a link: dispatches frames and reassembles fragments (one per lane). */
export class LinkReceiver {
  private readonly partial: (Reassembly | undefined)[] = [undefined, undefined];
  private readonly budget: ByteBudget;

  constructor(
    private readonly limits: LaneLimits,
    private readonly events: LinkEvents,
  ) {
    this.budget = new ByteBudget(limits.reassemblyBytes);
  }

  get reassemblyBytes(): number {
    return this.budget.inUse;
  }

  /** Handles one decoded frame; throws NetError (protocol) on a frame that breaks the rules. */
  frame(type: FrameType, lane: number, appType: number, payload: Uint8Array): void {
    if (type === FrameType.APP) {
      if (this.partial[lane])
        throw new NetError('protocol', 'message interleaved with an unfinished fragmented one');
      this.events.message(laneName(lane), appType, payload);
    } else if (type === FrameType.FRAGMENT) {
      this.fragment(lane, appType, payload);
    } else {
      this.events.net(type, payload);
    }
  }

  private fragment(lane: number, appType: number, payload: Uint8Array): void {
    const hlen = payload[0];
    if (hlen === undefined || hlen > L.MAX_FRAGMENT_HEADER || 1 + hlen > payload.length) {
      throw new NetError('protocol', 'bad fragment header length');
    }
    const h = decodeFragmentHeader(payload, 1, 1 + hlen);
    if (h instanceof NetError) throw h;
    const chunk = payload.subarray(1 + hlen);
    let r = this.partial[lane];
    if (h.index === 0) {
      if (r) throw new NetError('protocol', 'new fragmented message before the previous one finished');
      if (h.totalLength > this.limits.maxMessageBytes || h.count < 2 || h.appType !== appType) {
        throw new NetError(
          'protocol',
          `bad fragmented message (${h.totalLength} bytes, ${h.count} fragments)`,
        );
      }
      if (h.count > h.totalLength || !this.budget.tryTake(h.totalLength)) {
        throw new NetError('overload', `reassembly of ${h.totalLength} bytes exceeds the link's buffer`);
      }
      r = {
        messageId: h.messageId,
        appType,
        next: 0,
        count: h.count,
        fill: 0,
        data: Buffer.allocUnsafe(h.totalLength), // not zero-filled: every byte is written before delivery (checked below)
      };
      this.partial[lane] = r;
    }
    if (
      !r ||
      h.messageId !== r.messageId ||
      h.index !== r.next ||
      h.count !== r.count ||
      h.appType !== r.appType
    ) {
      throw new NetError('protocol', 'fragment out of sequence');
    }
    if (r.fill + chunk.length > r.data.length)
      throw new NetError('protocol', 'fragments exceed the message length');
    r.data.set(chunk, r.fill);
    r.fill += chunk.length;
    r.next++;
    if (r.next === r.count) {
      if (r.fill !== r.data.length) throw new NetError('protocol', 'fragments short of the message length');
      this.partial[lane] = undefined;
      this.budget.give(r.data.length);
      this.events.message(laneName(lane), r.appType, r.data);
    }
  }

  /** Forgets partial messages (the connection broke). */
  reset(): void {
    for (let l = 0; l < 2; l++) {
      const r = this.partial[l];
      if (r) this.budget.give(r.data.length);
      this.partial[l] = undefined;
    }
  }
}

assert(L.FRAGMENT_SIZE + 1 + L.MAX_FRAGMENT_HEADER <= L.MAX_FRAME_PAYLOAD, 'fragments fit in a frame');
assert(FRAGMENT_HEADER_MAX_ENCODED <= L.MAX_FRAGMENT_HEADER, 'every FragmentHeader we encode is accepted');
