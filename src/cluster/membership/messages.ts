// The membership wire vocabulary as plain data (numbers, strings, string maps) so a protobuf codec
// can map each field by number later: gossip updates, the probe messages (ping, ack, nack,
// ping-req), gossip, push-pull full state and the LAN discovery beacon. validateMessage checks
// every count and length against limits.ts before the state machine sees a message.

import type { NodeId } from '../../net/node-id.js';
import { asNodeId } from '../../net/node-id.js';
import {
  MAX_ADDRESS_LENGTH,
  MAX_ADDRESSES,
  MAX_CLUSTER_ID_LENGTH,
  MAX_COUNTER,
  MAX_LABEL_KEY_LENGTH,
  MAX_LABEL_VALUE_LENGTH,
  MAX_LABELS,
  MAX_PUSH_PULL_MEMBERS,
  MAX_UPDATES_PER_MESSAGE,
} from './limits.js';

export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** Labels: free-form metadata a member publishes (zone, role, version...). */
export type Labels = Readonly<Record<string, string>>;

/** A member's self-reported health, published in its alive updates. */
export interface Health {
  /** Host event-loop lag, milliseconds (p99 over the last interval, as the daemon measures it). */
  readonly eventLoopLagMs: number;
  /** Depth of the node's busiest outbound queue. */
  readonly queueDepth: number;
  /** Guest CPU load, 0..1 (share of host time spent running guests). */
  readonly guestLoad: number;
  /** The member's Lifeguard Local Health Multiplier when it published (0 = healthy). */
  readonly localHealth: number;
}

export const ZERO_HEALTH: Health = Object.freeze({
  eventLoopLagMs: 0,
  queueDepth: 0,
  guestLoad: 0,
  localHealth: 0,
});

/** "node is alive at incarnation": also carries its addresses, labels and health. */
export interface AliveUpdate {
  readonly kind: 'alive';
  readonly node: NodeId;
  readonly incarnation: number;
  readonly addresses: readonly string[];
  readonly labels: Labels;
  readonly health: Health;
}
/** "`from` suspects node at incarnation" (a different `from` is an independent confirmation). */
export interface SuspectUpdate {
  readonly kind: 'suspect';
  readonly node: NodeId;
  readonly incarnation: number;
  readonly from: NodeId;
}
/** "`from` declared node dead at incarnation". */
export interface DeadUpdate {
  readonly kind: 'dead';
  readonly node: NodeId;
  readonly incarnation: number;
  readonly from: NodeId;
}
/** "node left gracefully at incarnation" (only the node itself originates it). */
export interface LeftUpdate {
  readonly kind: 'left';
  readonly node: NodeId;
  readonly incarnation: number;
}
export type Update = AliveUpdate | SuspectUpdate | DeadUpdate | LeftUpdate;

/** Direct probe. `target` guards against a reused address reaching the wrong node. */
export interface Ping {
  readonly type: 'ping';
  readonly seq: number;
  readonly from: NodeId;
  readonly target: NodeId;
  readonly updates: readonly Update[];
}
/** Answer to a ping (or relayed by a ping-req helper with the requester's seq). */
export interface Ack {
  readonly type: 'ack';
  readonly seq: number;
  readonly from: NodeId;
  readonly updates: readonly Update[];
}
/** Lifeguard: a ping-req helper got no ack from the target in time (so the helper itself is working). */
export interface Nack {
  readonly type: 'nack';
  readonly seq: number;
  readonly from: NodeId;
}
/** "Please probe target at targetAddress for me; answer ack or nack with my seq." */
export interface PingReq {
  readonly type: 'ping-req';
  readonly seq: number;
  readonly from: NodeId;
  readonly target: NodeId;
  readonly targetAddress: string;
  readonly updates: readonly Update[];
}
/** Updates only, no reply (the gossip round and a leaving member's farewell). */
export interface Gossip {
  readonly type: 'gossip';
  readonly from: NodeId;
  readonly updates: readonly Update[];
}
/** One member's whole record in a push-pull. */
export interface MemberSnapshot {
  readonly node: NodeId;
  readonly state: MemberState;
  readonly incarnation: number;
  readonly addresses: readonly string[];
  readonly labels: Labels;
  readonly health: Health;
}
/** Anti-entropy: the sender's full state; the receiver merges it and, unless `reply`, answers with its own. */
export interface PushPull {
  readonly type: 'push-pull';
  readonly from: NodeId;
  readonly reply: boolean;
  /** True when the sender is joining (contacting a seed). */
  readonly join: boolean;
  readonly members: readonly MemberSnapshot[];
}
export type MembershipMessage = Ping | Ack | Nack | PingReq | Gossip | PushPull;

/** LAN multicast discovery beacon content (the transport seals it with the cluster key). */
export interface DiscoveryBeacon {
  readonly clusterId: string;
  readonly node: NodeId;
  readonly addresses: readonly string[];
}

/** Estimated encoded size of an update, for the per-message piggyback byte budget. */
export function updateBytes(u: Update): number {
  if (u.kind !== 'alive') return 16;
  let n = 40;
  for (const a of u.addresses) n += 2 + a.length;
  for (const k in u.labels) n += 4 + k.length + (u.labels[k]?.length ?? 0);
  return n;
}

// ---- validation of input from outside -------------------------------------------------------

function isCounter(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 0 && n <= MAX_COUNTER;
}
function isNodeId(n: unknown): n is NodeId {
  return typeof n === 'number' && asNodeId(n) !== undefined;
}
function addressesProblem(a: unknown): string | undefined {
  if (!Array.isArray(a) || a.length === 0 || a.length > MAX_ADDRESSES)
    return `addresses: 1..${MAX_ADDRESSES} expected`;
  for (const x of a)
    if (typeof x !== 'string' || x.length === 0 || x.length > MAX_ADDRESS_LENGTH)
      return `address: a string of 1..${MAX_ADDRESS_LENGTH} characters expected`;
  return undefined;
}
/** Why a label set is malformed or over a limit; undefined when acceptable. */
export function labelsProblem(l: unknown): string | undefined {
  if (typeof l !== 'object' || l === null || Array.isArray(l)) return 'labels: an object expected';
  const keys = Object.keys(l);
  if (keys.length > MAX_LABELS) return `labels: at most ${MAX_LABELS}`;
  for (const k of keys) {
    const v = (l as Record<string, unknown>)[k];
    if (k.length > MAX_LABEL_KEY_LENGTH || typeof v !== 'string' || v.length > MAX_LABEL_VALUE_LENGTH)
      return `label ${k.slice(0, 16)}: key ≤ ${MAX_LABEL_KEY_LENGTH}, string value ≤ ${MAX_LABEL_VALUE_LENGTH}`;
  }
  return undefined;
}
function isMeasure(v: unknown): boolean {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0;
}
function healthProblem(h: unknown): string | undefined {
  if (typeof h !== 'object' || h === null) return 'health: an object expected';
  const r = h as Partial<Record<keyof Health, unknown>>;
  if (
    isMeasure(r.eventLoopLagMs) &&
    isMeasure(r.queueDepth) &&
    isMeasure(r.guestLoad) &&
    isMeasure(r.localHealth)
  )
    return undefined;
  return 'health: eventLoopLagMs, queueDepth, guestLoad, localHealth: finite numbers >= 0 expected';
}
const STATES: readonly string[] = ['alive', 'suspect', 'dead', 'left'];

function updateProblem(u: unknown): string | undefined {
  if (typeof u !== 'object' || u === null) return 'update: an object expected';
  const r = u as Record<string, unknown>;
  if (!isNodeId(r.node)) return 'update.node: a node id expected';
  if (!isCounter(r.incarnation)) return 'update.incarnation: a counter expected';
  switch (r.kind) {
    case 'alive':
      return addressesProblem(r.addresses) ?? labelsProblem(r.labels) ?? healthProblem(r.health);
    case 'suspect':
    case 'dead':
      return isNodeId(r.from) ? undefined : 'update.from: a node id expected';
    case 'left':
      return undefined;
    default:
      return 'update.kind: unknown';
  }
}
function updatesProblem(a: unknown): string | undefined {
  if (!Array.isArray(a) || a.length > MAX_UPDATES_PER_MESSAGE)
    return `updates: at most ${MAX_UPDATES_PER_MESSAGE} expected`;
  for (const u of a) {
    const p = updateProblem(u);
    if (p !== undefined) return p;
  }
  return undefined;
}
function snapshotProblem(s: unknown): string | undefined {
  if (typeof s !== 'object' || s === null) return 'member: an object expected';
  const r = s as Record<string, unknown>;
  if (!isNodeId(r.node)) return 'member.node: a node id expected';
  if (!isCounter(r.incarnation)) return 'member.incarnation: a counter expected';
  if (typeof r.state !== 'string' || !STATES.includes(r.state)) return 'member.state: unknown';
  return addressesProblem(r.addresses) ?? labelsProblem(r.labels) ?? healthProblem(r.health);
}

/** Why a message from outside is malformed or over a limit; undefined when it is acceptable. */
export function validateMessage(m: unknown): string | undefined {
  if (typeof m !== 'object' || m === null) return 'message: an object expected';
  const r = m as Record<string, unknown>;
  if (!isNodeId(r.from)) return 'message.from: a node id expected';
  switch (r.type) {
    case 'ping':
      if (!isCounter(r.seq) || !isNodeId(r.target)) return 'ping: seq and target expected';
      return updatesProblem(r.updates);
    case 'ack':
      if (!isCounter(r.seq)) return 'ack: seq expected';
      return updatesProblem(r.updates);
    case 'nack':
      return isCounter(r.seq) ? undefined : 'nack: seq expected';
    case 'ping-req':
      if (!isCounter(r.seq) || !isNodeId(r.target)) return 'ping-req: seq and target expected';
      return addressesProblem([r.targetAddress]) ?? updatesProblem(r.updates);
    case 'gossip':
      return updatesProblem(r.updates);
    case 'push-pull': {
      if (typeof r.reply !== 'boolean' || typeof r.join !== 'boolean')
        return 'push-pull: reply and join expected';
      if (!Array.isArray(r.members) || r.members.length > MAX_PUSH_PULL_MEMBERS)
        return `push-pull: at most ${MAX_PUSH_PULL_MEMBERS} members expected`;
      for (const s of r.members) {
        const p = snapshotProblem(s);
        if (p !== undefined) return p;
      }
      return undefined;
    }
    default:
      return 'message.type: unknown';
  }
}

/** Why a discovery beacon is malformed; undefined when it is acceptable. */
export function validateBeacon(b: unknown): string | undefined {
  if (typeof b !== 'object' || b === null) return 'beacon: an object expected';
  const r = b as Record<string, unknown>;
  if (
    typeof r.clusterId !== 'string' ||
    r.clusterId.length === 0 ||
    r.clusterId.length > MAX_CLUSTER_ID_LENGTH
  )
    return `beacon.clusterId: 1..${MAX_CLUSTER_ID_LENGTH} characters expected`;
  if (!isNodeId(r.node)) return 'beacon.node: a node id expected';
  return addressesProblem(r.addresses);
}
