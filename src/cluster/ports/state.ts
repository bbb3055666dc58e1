// The receiving side of sender-port streams as bytes (contract 3 of issue 13): what
// capturePortState hands to migration and checkpoints and restorePortState takes back — per stream
// the highest seq delivered (dedup) and the accepted messages not yet queued. Decoding never throws
// past a PortsWireError.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import { type Npid, parseNpid } from '../../kernel/npid.js';
import {
  PortAliasSchema,
  PortStateSchema,
  PortStreamStateSchema,
} from '../../net/gen/pakaya/cluster/v1/ports_pb.js';
import { asNodeId, type NodeId } from '../../net/node-id.js';
import { STREAM_WINDOW, STREAMS_MAX } from './limits.js';
import { decodeFrame, encodeMessage, type MessageFrame, PortsWireError, T_MESSAGE } from './wire.js';

/** The receiver's state of one sender-port stream. */
export interface InStream {
  readonly id: number;
  /** The node the sender's frames come from (acks go there). */
  from: NodeId;
  readonly sender: Npid;
  readonly holder: Npid;
  readonly port: number;
  /** Every seq up to this one is in the port's queue. */
  delivered: number;
  /** Accepted messages (seq delivered+1, +2, ...) waiting for room in the port's queue. */
  readonly pending: MessageFrame[];
}

/** A port the holder receives on: its id when captured and the slot of its receive right. */
export interface PortAlias {
  port: number;
  slot: number;
}

export interface PortState {
  streams: InStream[];
  ports: PortAlias[];
}

export function encodePortState(
  holder: Npid,
  streams: readonly InStream[],
  ports: readonly PortAlias[],
): Uint8Array {
  return toBinary(
    PortStateSchema,
    create(PortStateSchema, {
      holder,
      ports: ports.map((p) => create(PortAliasSchema, { port: BigInt(p.port), slot: p.slot })),
      streams: streams.map((s) =>
        create(PortStreamStateSchema, {
          stream: BigInt(s.id),
          sender: s.sender,
          holder: s.holder,
          port: BigInt(s.port),
          delivered: BigInt(s.delivered),
          pending: s.pending.map((f) => encodeMessage(f)),
          from: s.from,
        }),
      ),
    }),
  );
}

/** The streams in `bytes`, which must belong to `holder`; a PortsWireError if malformed. */
export function decodePortState(holder: Npid, bytes: Uint8Array): PortState | PortsWireError {
  try {
    const pb = fromBinary(PortStateSchema, bytes);
    if (pb.holder !== holder) return new PortsWireError(`port state of ${pb.holder}, not ${holder}`);
    if (pb.streams.length > STREAMS_MAX || pb.ports.length > STREAMS_MAX)
      return new PortsWireError(`${pb.streams.length} streams, ${pb.ports.length} ports`);
    const big = BigInt(Number.MAX_SAFE_INTEGER);
    const ports: PortAlias[] = [];
    for (const p of pb.ports) {
      if (p.port > big) return new PortsWireError('unsafe port id');
      ports.push({ port: Number(p.port), slot: p.slot });
    }
    const out: InStream[] = [];
    for (const s of pb.streams) {
      const sender = parseNpid(s.sender);
      if (sender === undefined || s.holder !== holder)
        return new PortsWireError('bad stream sender or holder');
      if (s.pending.length > STREAM_WINDOW) return new PortsWireError(`${s.pending.length} pending messages`);
      const pending: MessageFrame[] = [];
      for (const bytesOf of s.pending) {
        const f = decodeFrame(T_MESSAGE, bytesOf);
        if (f instanceof PortsWireError) return f;
        if (f.kind !== 'message') return new PortsWireError('pending entry is not a message');
        pending.push(f);
      }
      const from = asNodeId(s.from);
      if (from === undefined) return new PortsWireError(`node ${s.from} is not a node id`);
      if (s.stream > big || s.port > big || s.delivered > big) return new PortsWireError('unsafe integer');
      out.push({
        id: Number(s.stream),
        from,
        sender,
        holder,
        port: Number(s.port),
        delivered: Number(s.delivered),
        pending,
      });
    }
    return { streams: out, ports };
  } catch (e) {
    return new PortsWireError(`port state: ${e instanceof Error ? e.message : String(e)}`);
  }
}
