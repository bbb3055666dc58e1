// The typed registry: which keys hold what. Each entry kind has a key prefix, a key builder and a
// JSON value with a version field, validated on encode and on decode (bounded lengths, valid node
// ids and NPIDs). NPID ownership's fencing token is not in the value: it is the key's fence, which
// an ownership change stamps by writing with `fence: true`.

import type { NodeId } from '../../net/node-id.js';
import { RegistryError } from './errors.js';
import {
  ADDRESS_MAX_BYTES,
  ADDRESSES_MAX,
  ARGS_MAX,
  LABEL_KEY_MAX_BYTES,
  LABEL_VALUE_MAX_BYTES,
  LABELS_MAX,
  LOCATIONS_MAX,
  NAME_MAX_BYTES,
  POLICY_PARAMS_MAX,
  PRINCIPAL_MAX_BYTES,
  TEXT_MAX_BYTES,
  VALUE_MAX_BYTES,
} from './limits.js';
import type { FencingToken, KeyValue } from './types.js';
import { count, invalid, list, millis, nodeId, npid, oneOf, record, stringMap, text } from './validate.js';

export const SCHEMA_VERSION = 1;

export const MEMBER_STATES = ['alive', 'suspect', 'dead', 'left'] as const;
export type MemberState = (typeof MEMBER_STATES)[number];

/**
 * A process's state cluster-wide (issue 13 "process state synchronisation"): running, stopped
 * (SIGSTOP), migrating (an ownership change in flight), checkpointed (captured and not running:
 * waiting for recovery or a restore), exited (status kept for wait), lost (its node died and it
 * has no restart policy or no checkpoint).
 */
export const PROCESS_STATES = ['running', 'stopped', 'migrating', 'checkpointed', 'exited', 'lost'] as const;
export type ProcessState = (typeof PROCESS_STATES)[number];

/** What recovery does when the process's node dies or the process ends (`spawn --restart`). */
export const RESTART_POLICIES = ['no', 'on-failure', 'always'] as const;
export type RestartPolicy = (typeof RESTART_POLICIES)[number];

export const RIGHTS = ['join', 'spawn', 'kill', 'migrate', 'metrics', 'acl-admin'] as const;
export type Right = (typeof RIGHTS)[number];

export interface Member {
  readonly id: NodeId;
  /** SHA-256 of the node's certificate, 64 lower-case hex digits. */
  readonly fingerprint: string;
  readonly addresses: readonly string[];
  readonly labels: Readonly<Record<string, string>>;
  readonly state: MemberState;
  /** When the state was entered, in ms on the writer's clock. */
  readonly since: number;
  readonly reason?: string;
}

export interface Revocation {
  readonly fingerprint: string;
  readonly reason: string;
  readonly since: number;
}

/**
 * Where a process runs (the node that owns it now) and what the cluster knows of it. The fencing
 * token comes from the key (see npidRecord): an ownership change (spawn, migration, recovery)
 * writes with `fence: true`; a node resumes a process only while it holds the latest token.
 * Fields after `state` are optional so older records (and tests) stay valid.
 */
export interface NpidEntry {
  readonly node: NodeId;
  readonly state: ProcessState;
  /** The program's name (argv[0]'s basename). */
  readonly name?: string;
  /** SHA-256 (hex) of the ELF the process was spawned from, if spawned by the cluster. */
  readonly program?: string;
  readonly args?: readonly string[];
  readonly restart?: RestartPolicy;
  /** Automatic checkpoint period in guest time (ms of the kernel's virtual clock); 0 or absent = none. */
  readonly checkpointEveryMs?: number;
  /** The exit status once state is exited (128+signal for a signal). */
  readonly status?: number;
  /** How many times recovery brought it back. */
  readonly restarts?: number;
  /** While migrating: the node it moves to. */
  readonly target?: NodeId;
}
export interface NpidRecord extends NpidEntry {
  readonly npid: string;
  readonly fence: FencingToken;
}

/** A port reference a global name resolves to. */
export interface PortRef {
  readonly npid: string;
  readonly port: number;
}

export interface CheckpointLocation {
  readonly npid: string;
  /** SHA-256 of the checkpoint's manifest. */
  readonly manifest: string;
  /** Nodes that hold a copy. */
  readonly nodes: readonly NodeId[];
  readonly taken: number;
}

export interface Reservation {
  readonly node: NodeId;
  readonly owner: string;
  readonly cpuMillis: number;
  readonly memoryMiB: number;
}

export interface AclEntry {
  readonly principal: string;
  readonly rights: readonly Right[];
}

export interface Policy {
  readonly kind: string;
  readonly params: Readonly<Record<string, string>>;
}

export const FINGERPRINT_PATTERN = /^[0-9a-f]{64}$/;
/** `node:<8 hex digits>`, `client:<name>`, or `*` (every authenticated principal). */
export const PRINCIPAL_PATTERN = /^(node:[0-9a-f]{8}|client:[A-Za-z0-9][A-Za-z0-9._@-]*|\*)$/;
export const GLOBAL_NAME_PATTERN = /^svc\/[A-Za-z0-9._-]+(\/[A-Za-z0-9._-]+)*$/;
const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const LABEL_KEY_PATTERN = /^[a-z0-9]([a-z0-9._/-]*[a-z0-9])?$/;
const ADDRESS_PATTERN = /^\S+$/;

const fingerprint = (v: unknown, what: string) => text(v, what, 64, FINGERPRINT_PATTERN);
const principal = (v: unknown, what: string) => text(v, what, PRINCIPAL_MAX_BYTES, PRINCIPAL_PATTERN);
const globalName = (v: unknown, what: string) => text(v, what, NAME_MAX_BYTES, GLOBAL_NAME_PATTERN);
const simpleName = (v: unknown, what: string) => text(v, what, NAME_MAX_BYTES, NAME_PATTERN);

/** One kind of typed entry: its key prefix, key builder and checked value codec. */
export interface EntryKind<Id, T> {
  readonly prefix: string;
  key(id: Id): string;
  /** The id in a key under this prefix; RegistryError('invalid-entry') if it is not one. */
  id(key: string): Id;
  validate(value: unknown): T;
  encode(value: T): Uint8Array;
  decode(bytes: Uint8Array): T;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('utf-8', { fatal: true });

function entryKind<Id, T>(
  prefix: string,
  formatId: (id: Id) => string,
  parseId: (text: string, what: string) => Id,
  check: (r: Record<string, unknown>, what: string) => T,
): EntryKind<Id, T> {
  const what = prefix.slice(0, -1);
  const validate = (value: unknown): T => {
    const r = record(value, what);
    if (r.v !== SCHEMA_VERSION) invalid(what, `version ${String(r.v)} is not supported (${SCHEMA_VERSION})`);
    return check(r, what);
  };
  return {
    prefix,
    key: (id) => {
      const text = formatId(id);
      parseId(text, `${what} key`);
      return `${prefix}${text}`;
    },
    id: (key) => {
      if (!key.startsWith(prefix)) invalid(what, `key ${key} is not under ${prefix}`);
      return parseId(key.slice(prefix.length), `${what} key`);
    },
    validate,
    encode: (value) => {
      const checked = validate({ v: SCHEMA_VERSION, ...value });
      const bytes = encoder.encode(JSON.stringify({ v: SCHEMA_VERSION, ...checked }));
      if (bytes.length > VALUE_MAX_BYTES) invalid(what, `encodes to more than ${VALUE_MAX_BYTES} bytes`);
      return bytes;
    },
    decode: (bytes) => {
      if (bytes.length > VALUE_MAX_BYTES) invalid(what, `value is over ${VALUE_MAX_BYTES} bytes`);
      let parsed: unknown;
      try {
        parsed = JSON.parse(decoder.decode(bytes));
      } catch {
        throw new RegistryError('invalid-entry', `${what}: value is not UTF-8 JSON`);
      }
      return validate(parsed);
    },
  };
}

const hexId = (id: NodeId) => (id >>> 0).toString(16).padStart(8, '0');
const same = (s: string) => s;

export const members = entryKind<NodeId, Member>('members/', hexId, nodeId, (r, w) => {
  const m: Member = {
    id: nodeId(r.id, `${w}.id`),
    fingerprint: fingerprint(r.fingerprint, `${w}.fingerprint`),
    addresses: list(r.addresses, `${w}.addresses`, ADDRESSES_MAX, (a, aw) =>
      text(a, aw, ADDRESS_MAX_BYTES, ADDRESS_PATTERN),
    ),
    labels: stringMap(
      r.labels ?? {},
      `${w}.labels`,
      LABELS_MAX,
      (k, kw) => text(k, kw, LABEL_KEY_MAX_BYTES, LABEL_KEY_PATTERN),
      (x, xw) => (x === '' ? '' : text(x, xw, LABEL_VALUE_MAX_BYTES)),
    ),
    state: oneOf(r.state, `${w}.state`, MEMBER_STATES),
    since: millis(r.since, `${w}.since`),
  };
  return r.reason === undefined ? m : { ...m, reason: text(r.reason, `${w}.reason`, TEXT_MAX_BYTES) };
});

export const revocations = entryKind<string, Revocation>('revocations/', same, fingerprint, (r, w) => ({
  fingerprint: fingerprint(r.fingerprint, `${w}.fingerprint`),
  reason: text(r.reason, `${w}.reason`, TEXT_MAX_BYTES),
  since: millis(r.since, `${w}.since`),
}));

export const npids = entryKind<string, NpidEntry>('npids/', same, npid, (r, w) => {
  const e: { -readonly [K in keyof NpidEntry]: NpidEntry[K] } = {
    node: nodeId(r.node, `${w}.node`),
    state: oneOf(r.state, `${w}.state`, PROCESS_STATES),
  };
  if (r.name !== undefined) e.name = text(r.name, `${w}.name`, NAME_MAX_BYTES);
  if (r.program !== undefined) e.program = fingerprint(r.program, `${w}.program`);
  if (r.args !== undefined)
    e.args = list(r.args, `${w}.args`, ARGS_MAX, (a, aw) => text(a, aw, TEXT_MAX_BYTES));
  if (r.restart !== undefined) e.restart = oneOf(r.restart, `${w}.restart`, RESTART_POLICIES);
  if (r.checkpointEveryMs !== undefined)
    e.checkpointEveryMs = millis(r.checkpointEveryMs, `${w}.checkpointEveryMs`);
  if (r.status !== undefined) e.status = count(r.status, `${w}.status`, 255);
  if (r.restarts !== undefined) e.restarts = count(r.restarts, `${w}.restarts`, 0xffffffff);
  if (r.target !== undefined) e.target = nodeId(r.target, `${w}.target`);
  return e;
});

export const names = entryKind<string, PortRef>('names/', same, globalName, (r, w) => ({
  npid: npid(r.npid, `${w}.npid`),
  // Object ids carry the node's low 21 bits above bit 32 (Kernel.newObjectId): up to 2^53.
  port: count(r.port, `${w}.port`, Number.MAX_SAFE_INTEGER),
}));

export const checkpoints = entryKind<string, CheckpointLocation>('checkpoints/', same, npid, (r, w) => ({
  npid: npid(r.npid, `${w}.npid`),
  manifest: fingerprint(r.manifest, `${w}.manifest`),
  nodes: list(r.nodes, `${w}.nodes`, LOCATIONS_MAX, nodeId),
  taken: millis(r.taken, `${w}.taken`),
}));

export const reservations = entryKind<string, Reservation>('reservations/', same, simpleName, (r, w) => ({
  node: nodeId(r.node, `${w}.node`),
  owner: principal(r.owner, `${w}.owner`),
  cpuMillis: count(r.cpuMillis, `${w}.cpuMillis`),
  memoryMiB: count(r.memoryMiB, `${w}.memoryMiB`),
}));

export const acls = entryKind<string, AclEntry>('acls/', same, principal, (r, w) => {
  const rights = list(r.rights, `${w}.rights`, RIGHTS.length, (x, xw) => oneOf(x, xw, RIGHTS));
  if (new Set(rights).size !== rights.length) invalid(`${w}.rights`, 'lists a right twice');
  return { principal: principal(r.principal, `${w}.principal`), rights };
});

export const policies = entryKind<string, Policy>('policies/', same, simpleName, (r, w) => ({
  kind: simpleName(r.kind, `${w}.kind`),
  params: stringMap(
    r.params ?? {},
    `${w}.params`,
    POLICY_PARAMS_MAX,
    (k, kw) => simpleName(k, kw),
    (x, xw) => (x === '' ? '' : text(x, xw, TEXT_MAX_BYTES)),
  ),
}));

/** The NPID record a key holds: its entry plus the key's fencing token. */
export function npidRecord(kv: KeyValue): NpidRecord {
  return { npid: npids.id(kv.key), ...npids.decode(kv.value), fence: kv.fence };
}

/** True when token `a` is older than `b` (compare terms, then indexes). */
export function fenceBefore(a: FencingToken, b: FencingToken): boolean {
  return a.term < b.term || (a.term === b.term && a.index < b.index);
}
