// The remote-port wire codec: port messages, acks, answers and answer acks to and from protobuf
// (proto/pakaya/cluster/v1/ports.proto, generated into src/net/gen). Decoding never throws: bad
// bytes, unsafe integers, malformed NPIDs and counts past the limits give a PortsWireError value,
// which the router counts and drops.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { MSG_BYTES_MAX, MSG_CAPS_MAX, RIGHTS_ALL } from '../../kernel/ipc/limits.js';
import { type Npid, parseNpid } from '../../kernel/npid.js';
import {
  AckStatus,
  CapRefSchema,
  PortAckSchema,
  PortMessageSchema,
  PortReplySchema,
  PortWatchAnswerSchema,
  PortWatchSchema,
  ReplyAckSchema,
} from '../../net/gen/pakaya/cluster/v1/ports_pb.js';
import { CARRIED_ACKS_MAX, FRAME_BYTES_MAX } from './limits.js';
import { fastDecodeMessage, fastDecodeReply, fastEncodeMessage, fastEncodeReply } from './wire-fast.js';

/** App types of the ports range (src/cluster/links.ts APP_TYPES.ports). */
export const T_MESSAGE = 48;
export const T_ACK = 49;
export const T_REPLY = 50;
export const T_REPLY_ACK = 51;
export const T_WATCH = 52;
export const T_WATCH_ANSWER = 53;

/** A send right on the wire: the port's holder and object id, its rights and badge. */
export interface CapRef {
  holder: Npid;
  port: number;
  rights: number;
  badge: number;
}

export interface MessageFrame {
  kind: 'message';
  stream: number;
  seq: number;
  sender: Npid;
  holder: Npid;
  port: number;
  badge: number;
  data: Uint8Array;
  caps: CapRef[];
  /** The caller's reply object id (0: a plain send). */
  reply: number;
  /** Answers from the receiving node that arrived (carried ReplyAcks). */
  replyAcks: number[];
}

export type AckState = 'ok' | 'moved' | 'dead' | 'reset' | 'busy';

export interface AckFrame {
  kind: 'ack';
  stream: number;
  delivered: number;
  status: AckState;
}

export interface ReplyFrame {
  kind: 'reply';
  reply: number;
  data: Uint8Array;
  caps: CapRef[];
  /** 0: an answer; else the positive errno the call ends with. */
  errno: number;
  /** Acks (status ok) of streams from the receiving node, carried along. */
  acks: Omit<AckFrame, 'kind'>[];
}

export interface ReplyAckFrame {
  kind: 'reply-ack';
  reply: number;
}

/** A dead-port watch on port `port` of `holder`, from a node that holds a reference to it. */
export interface WatchFrame {
  kind: 'watch';
  holder: Npid;
  port: number;
}

/** The watched port died, or its holder is not on the answering node. */
export interface WatchAnswerFrame {
  kind: 'watch-answer';
  holder: Npid;
  port: number;
  status: 'dead' | 'moved';
}

export type Frame = MessageFrame | AckFrame | ReplyFrame | ReplyAckFrame | WatchFrame | WatchAnswerFrame;

export class PortsWireError extends Error {
  override readonly name = 'PortsWireError';
}

const STATUS_TO_PB: Record<AckState, AckStatus> = {
  ok: AckStatus.OK,
  moved: AckStatus.MOVED,
  dead: AckStatus.DEAD,
  reset: AckStatus.RESET,
  busy: AckStatus.BUSY,
};
const PB_TO_STATUS = new Map<AckStatus, AckState>(
  Object.entries(STATUS_TO_PB).map(([k, v]) => [v, k as AckState]),
);

const pbCaps = (caps: readonly CapRef[]) =>
  caps.map((c) =>
    create(CapRefSchema, { holder: c.holder, port: BigInt(c.port), rights: c.rights, badge: c.badge }),
  );

export function encodeMessage(f: Omit<MessageFrame, 'kind'>): Uint8Array {
  const fast = fastEncodeMessage(f);
  if (fast !== undefined) return fast;
  return toBinary(
    PortMessageSchema,
    create(PortMessageSchema, {
      stream: BigInt(f.stream),
      seq: BigInt(f.seq),
      sender: f.sender,
      holder: f.holder,
      port: BigInt(f.port),
      badge: f.badge,
      data: f.data,
      caps: pbCaps(f.caps),
      reply: BigInt(f.reply),
      replyAcks: f.replyAcks.map((r) => BigInt(r)),
    }),
  );
}

export function encodeAck(f: Omit<AckFrame, 'kind'>): Uint8Array {
  return toBinary(
    PortAckSchema,
    create(PortAckSchema, {
      stream: BigInt(f.stream),
      delivered: BigInt(f.delivered),
      status: STATUS_TO_PB[f.status],
    }),
  );
}

export function encodeReply(f: Omit<ReplyFrame, 'kind'>): Uint8Array {
  const fast = fastEncodeReply({ ...f, acks: f.acks.map((a) => ({ ...a, status: STATUS_TO_PB[a.status] })) });
  if (fast !== undefined) return fast;
  return toBinary(
    PortReplySchema,
    create(PortReplySchema, {
      reply: BigInt(f.reply),
      data: f.data,
      caps: pbCaps(f.caps),
      errno: f.errno,
      acks: f.acks.map((a) =>
        create(PortAckSchema, {
          stream: BigInt(a.stream),
          delivered: BigInt(a.delivered),
          status: STATUS_TO_PB[a.status],
        }),
      ),
    }),
  );
}

export function encodeReplyAck(reply: number): Uint8Array {
  return toBinary(ReplyAckSchema, create(ReplyAckSchema, { reply: BigInt(reply) }));
}

export function encodeWatch(holder: Npid, port: number): Uint8Array {
  return toBinary(PortWatchSchema, create(PortWatchSchema, { holder, port: BigInt(port) }));
}

export function encodeWatchAnswer(holder: Npid, port: number, status: 'dead' | 'moved'): Uint8Array {
  return toBinary(
    PortWatchAnswerSchema,
    create(PortWatchAnswerSchema, { holder, port: BigInt(port), status: STATUS_TO_PB[status] }),
  );
}

class Bad extends Error {}

/** The common shape of a decoded PortMessage (numbers), from @bufbuild/protobuf's reading. */
function slowMessage(bytes: Uint8Array) {
  const m = fromBinary(PortMessageSchema, bytes);
  return {
    stream: u53(m.stream, 'stream'),
    seq: u53(m.seq, 'seq'),
    sender: m.sender,
    holder: m.holder,
    port: u53(m.port, 'port'),
    badge: m.badge,
    data: m.data,
    caps: m.caps.map((c) => ({
      holder: c.holder,
      port: u53(c.port, 'port'),
      rights: c.rights,
      badge: c.badge,
    })),
    reply: u53(m.reply, 'reply'),
    replyAcks: m.replyAcks.map((r) => u53(r, 'reply')),
  };
}

/** The common shape of a decoded PortReply (numbers, enum numbers), from @bufbuild/protobuf. */
function slowReply(bytes: Uint8Array) {
  const r = fromBinary(PortReplySchema, bytes);
  return {
    reply: u53(r.reply, 'reply'),
    data: r.data,
    caps: r.caps.map((c) => ({
      holder: c.holder,
      port: u53(c.port, 'port'),
      rights: c.rights,
      badge: c.badge,
    })),
    errno: r.errno,
    acks: r.acks.map((a) => ({
      stream: u53(a.stream, 'stream'),
      delivered: u53(a.delivered, 'delivered'),
      status: a.status as number,
    })),
  };
}

function u53(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Bad(`${what} ${v} is not a safe integer`);
  return Number(v);
}

function npidOf(text: string, what: string): Npid {
  const id = parseNpid(text);
  if (id === undefined) throw new Bad(`${what} ${JSON.stringify(text.slice(0, 40))} is not an NPID`);
  return id;
}

function caps(list: readonly { holder: string; port: number; rights: number; badge: number }[]): CapRef[] {
  if (list.length > MSG_CAPS_MAX) throw new Bad(`${list.length} capabilities (at most ${MSG_CAPS_MAX})`);
  return list.map((c) => {
    if ((c.rights & ~RIGHTS_ALL) !== 0) throw new Bad(`capability rights ${c.rights} are not rights`);
    return {
      holder: npidOf(c.holder, 'capability holder'),
      port: c.port,
      rights: c.rights,
      badge: c.badge,
    };
  });
}

function carried<T>(list: readonly T[], what: string): readonly T[] {
  if (list.length > CARRIED_ACKS_MAX) throw new Bad(`${list.length} ${what} (at most ${CARRIED_ACKS_MAX})`);
  return list;
}

function ackOf(a: { stream: number; delivered: number; status: number }): Omit<AckFrame, 'kind'> {
  const status = PB_TO_STATUS.get(a.status);
  if (status === undefined) throw new Bad(`ack status ${a.status} is unknown`);
  return { stream: a.stream, delivered: a.delivered, status };
}

function data(d: Uint8Array): Uint8Array {
  if (d.length > MSG_BYTES_MAX) throw new Bad(`${d.length} message bytes (at most ${MSG_BYTES_MAX})`);
  return d;
}

/** Decodes a frame of app type `type`; a PortsWireError for anything malformed. */
export function decodeFrame(type: number, bytes: Uint8Array): Frame | PortsWireError {
  try {
    if (bytes.length > FRAME_BYTES_MAX) throw new Bad(`${bytes.length} bytes (at most ${FRAME_BYTES_MAX})`);
    switch (type) {
      case T_MESSAGE: {
        const m = fastDecodeMessage(bytes) ?? slowMessage(bytes);
        if (m.seq === 0) throw new Bad('seq 0');
        return {
          kind: 'message',
          stream: m.stream,
          seq: m.seq,
          sender: npidOf(m.sender, 'sender'),
          holder: npidOf(m.holder, 'holder'),
          port: m.port,
          badge: m.badge,
          data: data(m.data),
          caps: caps(m.caps),
          reply: m.reply,
          replyAcks: carried(m.replyAcks, 'carried answer acks') as number[],
        };
      }
      case T_ACK: {
        const a = fromBinary(PortAckSchema, bytes);
        return {
          kind: 'ack',
          ...ackOf({
            stream: u53(a.stream, 'stream'),
            delivered: u53(a.delivered, 'delivered'),
            status: a.status,
          }),
        };
      }
      case T_REPLY: {
        const r = fastDecodeReply(bytes) ?? slowReply(bytes);
        if (r.errno > 4095) throw new Bad(`errno ${r.errno} is out of range`);
        return {
          kind: 'reply',
          reply: r.reply,
          data: data(r.data),
          caps: caps(r.caps),
          errno: r.errno,
          acks: carried(r.acks, 'carried acks').map(ackOf),
        };
      }
      case T_REPLY_ACK:
        return { kind: 'reply-ack', reply: u53(fromBinary(ReplyAckSchema, bytes).reply, 'reply') };
      case T_WATCH: {
        const w = fromBinary(PortWatchSchema, bytes);
        return { kind: 'watch', holder: npidOf(w.holder, 'holder'), port: u53(w.port, 'port') };
      }
      case T_WATCH_ANSWER: {
        const w = fromBinary(PortWatchAnswerSchema, bytes);
        const status = PB_TO_STATUS.get(w.status);
        if (status !== 'dead' && status !== 'moved')
          throw new Bad(`watch answer status ${w.status} is not DEAD or MOVED`);
        return {
          kind: 'watch-answer',
          holder: npidOf(w.holder, 'holder'),
          port: u53(w.port, 'port'),
          status,
        };
      }
      default:
        throw new Bad(`app type ${type} is not a ports frame`);
    }
  } catch (e) {
    return new PortsWireError(`ports frame (type ${type}): ${e instanceof Error ? e.message : String(e)}`);
  }
}
