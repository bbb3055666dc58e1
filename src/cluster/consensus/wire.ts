// The consensus wire codec: Raft messages (src/cluster/raft/types.ts) and proposal forwarding to
// and from protobuf (proto/pakaya/cluster/v1/raft.proto, generated into src/net/gen). Decoding never
// throws: bad bytes, missing fields, unknown enums, zero ids, unsafe integers and counts past the
// limits give a WireError value, which the replica counts and drops.
import { create, fromBinary, toBinary } from '@bufbuild/protobuf';
import {
  ConfChangeSchema,
  ConfChangeType,
  ConfStateSchema,
  EntrySchema,
  type ConfChange as PbConfChange,
  type Entry as PbEntry,
  type Snapshot as PbSnapshot,
  ProposeErrorSchema,
  ProposeRequestSchema,
  type ProposeResult,
  ProposeResultSchema,
  type RaftMessage,
  RaftMessageSchema,
  SnapshotSchema,
} from '../../net/gen/pakaya/cluster/v1/raft_pb.js';
import { asNodeId, type NodeId } from '../../net/node-id.js';
import type { ConfChange, Entry, Message, Snapshot } from '../raft/types.js';
import { WireError } from './errors.js';
import { MAX_ERROR_TEXT, MAX_WIRE_CONF_NODES, MAX_WIRE_ENTRIES, MAX_WIRE_MESSAGE_BYTES } from './limits.js';

// ---- encoding ---------------------------------------------------------------------------------

function pbChange(c: ConfChange): PbConfChange {
  const type =
    c.type === 'add-learner'
      ? ConfChangeType.ADD_LEARNER
      : c.type === 'add-voter'
        ? ConfChangeType.ADD_VOTER
        : ConfChangeType.REMOVE;
  return create(ConfChangeSchema, { type, node: c.node });
}

function pbEntry(e: Entry): PbEntry {
  return create(EntrySchema, {
    term: BigInt(e.term),
    index: BigInt(e.index),
    body:
      e.kind === 'normal' ? { case: 'data', value: e.data } : { case: 'change', value: pbChange(e.change) },
  });
}

function pbSnapshot(s: Snapshot): PbSnapshot {
  return create(SnapshotSchema, {
    index: BigInt(s.index),
    term: BigInt(s.term),
    conf: create(ConfStateSchema, { voters: [...s.conf.voters], learners: [...s.conf.learners] }),
    data: s.data,
  });
}

function body(m: Message): RaftMessage['body'] {
  switch (m.type) {
    case 'append':
      return {
        case: 'append',
        value: {
          $typeName: 'pakaya.cluster.v1.Append',
          index: BigInt(m.index),
          logTerm: BigInt(m.logTerm),
          entries: m.entries.map(pbEntry),
          commit: BigInt(m.commit),
        },
      };
    case 'append-response':
      return {
        case: 'appendResponse',
        value: {
          $typeName: 'pakaya.cluster.v1.AppendResponse',
          index: BigInt(m.index),
          reject: m.reject,
          rejectHint: BigInt(m.rejectHint),
          logTerm: BigInt(m.logTerm),
        },
      };
    case 'vote':
      return {
        case: 'vote',
        value: {
          $typeName: 'pakaya.cluster.v1.Vote',
          pre: m.pre,
          index: BigInt(m.index),
          logTerm: BigInt(m.logTerm),
          transfer: m.transfer,
        },
      };
    case 'vote-response':
      return {
        case: 'voteResponse',
        value: { $typeName: 'pakaya.cluster.v1.VoteResponse', pre: m.pre, reject: m.reject },
      };
    case 'heartbeat':
      return {
        case: 'heartbeat',
        value: { $typeName: 'pakaya.cluster.v1.Heartbeat', commit: BigInt(m.commit), context: m.context },
      };
    case 'heartbeat-response':
      return {
        case: 'heartbeatResponse',
        value: { $typeName: 'pakaya.cluster.v1.HeartbeatResponse', context: m.context },
      };
    case 'snapshot':
      return {
        case: 'snapshot',
        value: { $typeName: 'pakaya.cluster.v1.InstallSnapshot', snapshot: pbSnapshot(m.snapshot) },
      };
    case 'timeout-now':
      return { case: 'timeoutNow', value: { $typeName: 'pakaya.cluster.v1.TimeoutNow' } };
    case 'transfer-leader':
      return {
        case: 'transferLeader',
        value: { $typeName: 'pakaya.cluster.v1.TransferLeader', target: m.target },
      };
    case 'read-index':
      return { case: 'readIndex', value: { $typeName: 'pakaya.cluster.v1.ReadIndex', context: m.context } };
    case 'read-index-response':
      return {
        case: 'readIndexResponse',
        value: {
          $typeName: 'pakaya.cluster.v1.ReadIndexResponse',
          index: BigInt(m.index),
          context: m.context,
        },
      };
  }
}

/** Encodes a Raft message (app type APP_TYPE_RAFT). */
export function encodeRaftMessage(m: Message): Uint8Array {
  return toBinary(
    RaftMessageSchema,
    create(RaftMessageSchema, { from: m.from, to: m.to, term: BigInt(m.term), body: body(m) }),
  );
}

export function encodeProposeRequest(id: number, command: Uint8Array): Uint8Array {
  return toBinary(ProposeRequestSchema, create(ProposeRequestSchema, { id: BigInt(id), command }));
}

export type ProposeOutcome =
  | { readonly ok: true; readonly result: Uint8Array }
  | { readonly ok: false; readonly code: string; readonly message: string };

export function encodeProposeResult(id: number, outcome: ProposeOutcome, leader: number): Uint8Array {
  return toBinary(
    ProposeResultSchema,
    create(ProposeResultSchema, {
      id: BigInt(id),
      leader,
      outcome: outcome.ok
        ? { case: 'result', value: outcome.result }
        : {
            case: 'error',
            value: create(ProposeErrorSchema, {
              code: outcome.code.slice(0, MAX_ERROR_TEXT),
              message: outcome.message.slice(0, MAX_ERROR_TEXT),
            }),
          },
    }),
  );
}

// ---- decoding ---------------------------------------------------------------------------------

class Bad extends Error {}

function counter(v: bigint, what: string): number {
  if (v < 0n || v > BigInt(Number.MAX_SAFE_INTEGER)) throw new Bad(`${what} ${v} is above 2^53`);
  return Number(v);
}

function nodeId(v: number, what: string): NodeId {
  const id = asNodeId(v);
  if (id === undefined) throw new Bad(`${what} ${v} is not a node id`);
  return id;
}

function change(c: PbConfChange | undefined): ConfChange {
  if (!c) throw new Bad('conf entry without a change');
  const node = nodeId(c.node, 'conf change node');
  switch (c.type) {
    case ConfChangeType.ADD_LEARNER:
      return { type: 'add-learner', node };
    case ConfChangeType.ADD_VOTER:
      return { type: 'add-voter', node };
    case ConfChangeType.REMOVE:
      return { type: 'remove', node };
    default:
      throw new Bad(`unknown conf change type ${c.type}`);
  }
}

function entry(e: PbEntry): Entry {
  const term = counter(e.term, 'entry term');
  const index = counter(e.index, 'entry index');
  switch (e.body.case) {
    case 'data':
      return { kind: 'normal', term, index, data: e.body.value };
    case 'change':
      return { kind: 'conf', term, index, change: change(e.body.value) };
    default:
      // proto3 drops empty bytes: an entry with no body is an empty normal entry (a leader's no-op).
      return { kind: 'normal', term, index, data: new Uint8Array(0) };
  }
}

function snapshot(s: PbSnapshot | undefined): Snapshot {
  if (!s) throw new Bad('snapshot message without a snapshot');
  const voters = s.conf?.voters ?? [];
  const learners = s.conf?.learners ?? [];
  if (voters.length + learners.length > MAX_WIRE_CONF_NODES)
    throw new Bad(`snapshot configuration of ${voters.length + learners.length} nodes`);
  return {
    index: counter(s.index, 'snapshot index'),
    term: counter(s.term, 'snapshot term'),
    conf: {
      voters: voters.map((v) => nodeId(v, 'snapshot voter')),
      learners: learners.map((v) => nodeId(v, 'snapshot learner')),
    },
    data: s.data,
  };
}

function parse<T>(what: string, bytes: Uint8Array, fn: () => T): T | WireError {
  if (bytes.length > MAX_WIRE_MESSAGE_BYTES)
    return new WireError(`${what} of ${bytes.length} bytes exceeds ${MAX_WIRE_MESSAGE_BYTES}`);
  try {
    return fn();
  } catch (e) {
    return new WireError(`malformed ${what}: ${(e as Error).message}`);
  }
}

/** Decodes a Raft message; a WireError value when the bytes are not a well-formed one. */
export function decodeRaftMessage(bytes: Uint8Array): Message | WireError {
  return parse('raft message', bytes, () => {
    const pb = fromBinary(RaftMessageSchema, bytes);
    const env = {
      from: nodeId(pb.from, 'from'),
      to: nodeId(pb.to, 'to'),
      term: counter(pb.term, 'term'),
    };
    const b = pb.body;
    switch (b.case) {
      case 'append': {
        if (b.value.entries.length > MAX_WIRE_ENTRIES)
          throw new Bad(`append of ${b.value.entries.length} entries exceeds ${MAX_WIRE_ENTRIES}`);
        return {
          ...env,
          type: 'append',
          index: counter(b.value.index, 'append index'),
          logTerm: counter(b.value.logTerm, 'append log term'),
          entries: b.value.entries.map(entry),
          commit: counter(b.value.commit, 'append commit'),
        };
      }
      case 'appendResponse':
        return {
          ...env,
          type: 'append-response',
          index: counter(b.value.index, 'response index'),
          reject: b.value.reject,
          rejectHint: counter(b.value.rejectHint, 'reject hint'),
          logTerm: counter(b.value.logTerm, 'response log term'),
        };
      case 'vote':
        return {
          ...env,
          type: 'vote',
          pre: b.value.pre,
          index: counter(b.value.index, 'vote index'),
          logTerm: counter(b.value.logTerm, 'vote log term'),
          transfer: b.value.transfer,
        };
      case 'voteResponse':
        return { ...env, type: 'vote-response', pre: b.value.pre, reject: b.value.reject };
      case 'heartbeat':
        return {
          ...env,
          type: 'heartbeat',
          commit: counter(b.value.commit, 'heartbeat commit'),
          context: b.value.context,
        };
      case 'heartbeatResponse':
        return { ...env, type: 'heartbeat-response', context: b.value.context };
      case 'snapshot':
        return { ...env, type: 'snapshot', snapshot: snapshot(b.value.snapshot) };
      case 'timeoutNow':
        return { ...env, type: 'timeout-now' };
      case 'transferLeader':
        return { ...env, type: 'transfer-leader', target: nodeId(b.value.target, 'transfer target') };
      case 'readIndex':
        return { ...env, type: 'read-index', context: b.value.context };
      case 'readIndexResponse':
        return {
          ...env,
          type: 'read-index-response',
          index: counter(b.value.index, 'read index'),
          context: b.value.context,
        };
      default:
        throw new Bad('no message body');
    }
  });
}

export interface DecodedProposeRequest {
  readonly id: number;
  readonly command: Uint8Array;
}

export function decodeProposeRequest(bytes: Uint8Array): DecodedProposeRequest | WireError {
  return parse('propose request', bytes, () => {
    const pb = fromBinary(ProposeRequestSchema, bytes);
    return { id: counter(pb.id, 'request id'), command: pb.command };
  });
}

export interface DecodedProposeResult {
  readonly id: number;
  readonly outcome: ProposeOutcome;
  readonly leader: number;
}

export function decodeProposeResult(bytes: Uint8Array): DecodedProposeResult | WireError {
  return parse('propose result', bytes, () => {
    const pb: ProposeResult = fromBinary(ProposeResultSchema, bytes);
    const id = counter(pb.id, 'request id');
    const o = pb.outcome;
    if (o.case === 'result') return { id, leader: pb.leader, outcome: { ok: true, result: o.value } };
    if (o.case === 'error') {
      if (o.value.code.length > MAX_ERROR_TEXT || o.value.message.length > MAX_ERROR_TEXT)
        throw new Bad('error text too long');
      return { id, leader: pb.leader, outcome: { ok: false, code: o.value.code, message: o.value.message } };
    }
    // An empty result (proto3 omits empty bytes) is a success with no bytes.
    return { id, leader: pb.leader, outcome: { ok: true, result: new Uint8Array(0) } };
  });
}
