// The wire codec of SWIM membership messages and discovery beacons
// (proto/pakaya/cluster/v1/membership.proto): plain data from membership.ts to protobuf and back, the
// same bytes in the daemon (UDP datagrams and node links) and in the simulator (src/sim/swim-net.ts).
// Decoding never throws and is loose on purpose: it maps fields by name and leaves the checking to
// Membership.receive (validateMessage) and handleBeacon, which reject anything malformed or over a
// limit; bytes that are not the message give a MembershipWireError value.
import { create, type DescMessage, fromBinary, type MessageShape, toBinary } from '@bufbuild/protobuf';
import {
  DatagramSchema,
  type Health as HealthPb,
  type MemberSnapshot as MemberSnapshotPb,
  type MembershipMessage as MembershipMessagePb,
  MembershipMessageSchema,
  type Update as UpdatePb,
} from '../../net/gen/pakaya/cluster/v1/membership_pb.js';
import type { NodeId } from '../../net/node-id.js';
import type { DiscoveryBeacon, Health, MemberSnapshot, MembershipMessage, Update } from './messages.js';

/** Bytes that do not decode as a membership message or datagram. */
export class MembershipWireError extends Error {
  override readonly name = 'MembershipWireError';
}

function decode<D extends DescMessage>(schema: D, bytes: Uint8Array): MessageShape<D> | MembershipWireError {
  try {
    return fromBinary(schema, bytes);
  } catch (e) {
    return new MembershipWireError(`malformed ${schema.name}: ${(e as Error).message}`);
  }
}

function encode<D extends DescMessage>(schema: D, init: Parameters<typeof create<D>>[1]): Uint8Array {
  return toBinary(schema, create(schema, init));
}

const healthOut = (h: Health) => ({
  eventLoopLagMs: h.eventLoopLagMs,
  queueDepth: h.queueDepth,
  guestLoad: h.guestLoad,
  localHealth: h.localHealth,
});

function updateOut(u: Update) {
  return {
    kind: u.kind,
    node: u.node,
    incarnation: BigInt(u.incarnation),
    from: u.kind === 'suspect' || u.kind === 'dead' ? u.from : 0,
    addresses: u.kind === 'alive' ? [...u.addresses] : [],
    labels: u.kind === 'alive' ? { ...u.labels } : {},
    health: u.kind === 'alive' ? healthOut(u.health) : undefined,
  };
}

function snapshotOut(m: MemberSnapshot) {
  return {
    node: m.node,
    state: m.state,
    incarnation: BigInt(m.incarnation),
    addresses: [...m.addresses],
    labels: { ...m.labels },
    health: healthOut(m.health),
  };
}

function messageOut(m: MembershipMessage) {
  const base = { type: m.type, from: m.from };
  switch (m.type) {
    case 'ping':
      return { ...base, seq: BigInt(m.seq), target: m.target, updates: m.updates.map(updateOut) };
    case 'ack':
      return { ...base, seq: BigInt(m.seq), updates: m.updates.map(updateOut) };
    case 'nack':
      return { ...base, seq: BigInt(m.seq) };
    case 'ping-req':
      return {
        ...base,
        seq: BigInt(m.seq),
        target: m.target,
        targetAddress: m.targetAddress,
        updates: m.updates.map(updateOut),
      };
    case 'gossip':
      return { ...base, updates: m.updates.map(updateOut) };
    case 'push-pull':
      return { ...base, reply: m.reply, join: m.join, members: m.members.map(snapshotOut) };
  }
}

/** A membership message for the control lane. */
export function encodeMembership(m: MembershipMessage): Uint8Array {
  return encode(MembershipMessageSchema, messageOut(m));
}

/** A datagram carrying a membership message or a beacon. */
export function encodeDatagram(
  body: { membership: MembershipMessage } | { beacon: DiscoveryBeacon },
): Uint8Array {
  if ('membership' in body)
    return encode(DatagramSchema, { body: { case: 'membership', value: messageOut(body.membership) } });
  const b = body.beacon;
  return encode(DatagramSchema, {
    body: { case: 'beacon', value: { clusterId: b.clusterId, node: b.node, addresses: [...b.addresses] } },
  });
}

const num = (n: bigint): number =>
  n > BigInt(Number.MAX_SAFE_INTEGER) ? Number.MAX_SAFE_INTEGER : Number(n);
const healthIn = (h: HealthPb | undefined): Health => ({
  eventLoopLagMs: h?.eventLoopLagMs ?? 0,
  queueDepth: h?.queueDepth ?? 0,
  guestLoad: h?.guestLoad ?? 0,
  localHealth: h?.localHealth ?? 0,
});

function updateIn(u: UpdatePb): Update {
  const node = u.node as NodeId;
  const incarnation = num(u.incarnation);
  switch (u.kind) {
    case 'alive':
      return {
        kind: 'alive',
        node,
        incarnation,
        addresses: u.addresses,
        labels: { ...u.labels },
        health: healthIn(u.health),
      };
    case 'suspect':
    case 'dead':
      return { kind: u.kind, node, incarnation, from: u.from as NodeId };
    default:
      // 'left' or anything else: validateMessage rejects a kind it does not know.
      return { kind: u.kind as 'left', node, incarnation };
  }
}

function snapshotIn(m: MemberSnapshotPb): MemberSnapshot {
  return {
    node: m.node as NodeId,
    state: m.state as MemberSnapshot['state'],
    incarnation: num(m.incarnation),
    addresses: m.addresses,
    labels: { ...m.labels },
    health: healthIn(m.health),
  };
}

function messageIn(m: MembershipMessagePb): MembershipMessage {
  const from = m.from as NodeId;
  const seq = num(m.seq);
  const updates = m.updates.map(updateIn);
  switch (m.type) {
    case 'ping':
      return { type: 'ping', seq, from, target: m.target as NodeId, updates };
    case 'ack':
      return { type: 'ack', seq, from, updates };
    case 'nack':
      return { type: 'nack', seq, from };
    case 'ping-req':
      return {
        type: 'ping-req',
        seq,
        from,
        target: m.target as NodeId,
        targetAddress: m.targetAddress,
        updates,
      };
    case 'push-pull':
      return { type: 'push-pull', from, reply: m.reply, join: m.join, members: m.members.map(snapshotIn) };
    default:
      // 'gossip' or an unknown type (validateMessage rejects the latter).
      return { type: m.type as 'gossip', from, updates };
  }
}

export function decodeMembership(bytes: Uint8Array): MembershipMessage | MembershipWireError {
  const m = decode(MembershipMessageSchema, bytes);
  return m instanceof MembershipWireError ? m : messageIn(m);
}

export function decodeDatagram(
  bytes: Uint8Array,
): { membership: MembershipMessage } | { beacon: DiscoveryBeacon } | MembershipWireError {
  const d = decode(DatagramSchema, bytes);
  if (d instanceof MembershipWireError) return d;
  switch (d.body.case) {
    case 'membership':
      return { membership: messageIn(d.body.value) };
    case 'beacon':
      return {
        beacon: {
          clusterId: d.body.value.clusterId,
          node: d.body.value.node as NodeId,
          addresses: d.body.value.addresses,
        },
      };
    default:
      return new MembershipWireError('empty datagram');
  }
}
