// The byte form of registry commands (what the Raft log carries) and of their results (what the
// leader hands back to the proposer): version byte, kind byte, fields. Decoding checks every length
// and count against limits.ts and every field's meaning (validateCommand), and fails only with a
// RegistryError.

import { ByteReader, ByteWriter, utf8Length } from './bytes.js';
import { isRegistryErrorCode, RegistryError } from './errors.js';
import { COMMAND_MAX_BYTES, KEY_MAX_BYTES, TXN_OPS_MAX, VALUE_MAX_BYTES } from './limits.js';
import type { CasExpectation, Command, CommandResult, Compare, KeyValue, OpResult, TxnOp } from './types.js';

export const CODEC_VERSION = 1;

enum Kind {
  Put = 1,
  Delete = 2,
  Cas = 3,
  Txn = 4,
  Get = 5,
  Error = 6,
}

const MAX_REVISION = Number.MAX_SAFE_INTEGER;

// ---- validation (shared by encode and decode) ----

export function validateKey(key: string): void {
  if (typeof key !== 'string' || key.length === 0)
    throw new RegistryError('invalid-argument', 'a key must be a non-empty string');
  if (utf8Length(key) > KEY_MAX_BYTES)
    throw new RegistryError('too-large', `key is over ${KEY_MAX_BYTES} bytes`);
}

export function validateValue(value: Uint8Array): void {
  if (!(value instanceof Uint8Array)) throw new RegistryError('invalid-argument', 'a value must be bytes');
  if (value.length > VALUE_MAX_BYTES)
    throw new RegistryError('too-large', `value of ${value.length} bytes is over ${VALUE_MAX_BYTES}`);
}

function validateRevision(rev: number, what: string): void {
  if (!Number.isSafeInteger(rev) || rev < 0)
    throw new RegistryError('invalid-argument', `${what} must be a non-negative integer`);
}

function validateCompare(c: Compare): void {
  validateKey(c.key);
  if (c.value === undefined && c.modRevision === undefined && c.version === undefined)
    throw new RegistryError('invalid-argument', `compare on ${c.key} tests nothing`);
  if (c.value) validateValue(c.value);
  if (c.modRevision !== undefined) validateRevision(c.modRevision, 'modRevision');
  if (c.version !== undefined) validateRevision(c.version, 'version');
}

function validateOp(op: TxnOp): void {
  validateKey(op.key);
  if (op.type === 'put') validateValue(op.value);
}

function validateExpect(e: CasExpectation, key: string): void {
  validateCompare({ key, ...e });
}

/** Throws a RegistryError unless `cmd` is a command the state machine accepts. */
export function validateCommand(cmd: Command): void {
  switch (cmd.type) {
    case 'put':
      validateKey(cmd.key);
      validateValue(cmd.value);
      return;
    case 'delete':
      validateKey(cmd.key);
      return;
    case 'cas':
      validateKey(cmd.key);
      validateExpect(cmd.expect, cmd.key);
      if (cmd.value !== null) validateValue(cmd.value);
      return;
    case 'txn':
      if (
        cmd.compares.length > TXN_OPS_MAX ||
        cmd.success.length > TXN_OPS_MAX ||
        cmd.failure.length > TXN_OPS_MAX
      )
        throw new RegistryError(
          'too-large',
          `a transaction has at most ${TXN_OPS_MAX} compares and ops per branch`,
        );
      for (const c of cmd.compares) validateCompare(c);
      for (const op of cmd.success) validateOp(op);
      for (const op of cmd.failure) validateOp(op);
      return;
    default:
      throw new RegistryError('invalid-argument', 'unknown command type');
  }
}

// ---- commands ----

function writeCompare(w: ByteWriter, c: Compare): void {
  const flags =
    (c.value !== undefined ? 1 : 0) |
    (c.value === null ? 2 : 0) |
    (c.modRevision !== undefined ? 4 : 0) |
    (c.version !== undefined ? 8 : 0);
  w.string(c.key).u8(flags);
  if (c.value) w.bytes(c.value);
  if (c.modRevision !== undefined) w.u53(c.modRevision);
  if (c.version !== undefined) w.u53(c.version);
}

function readCompare(r: ByteReader): Compare {
  const key = r.string('compare key', KEY_MAX_BYTES);
  const flags = r.u8('compare flags');
  if (flags > 15 || (flags & 3) === 2) throw new RegistryError('bad-encoding', `bad compare flags ${flags}`);
  let value: Uint8Array | null | undefined;
  if (flags & 1) value = flags & 2 ? null : r.bytes('compare value', VALUE_MAX_BYTES);
  const modRevision = flags & 4 ? r.u53('compare modRevision') : undefined;
  const version = flags & 8 ? r.u53('compare version') : undefined;
  return {
    key,
    ...(value !== undefined ? { value } : {}),
    ...(modRevision !== undefined ? { modRevision } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

function writeOp(w: ByteWriter, op: TxnOp): void {
  switch (op.type) {
    case 'put':
      w.u8(Kind.Put)
        .string(op.key)
        .bytes(op.value)
        .u8(op.fence ? 1 : 0);
      return;
    case 'delete':
      w.u8(Kind.Delete).string(op.key);
      return;
    case 'get':
      w.u8(Kind.Get).string(op.key);
      return;
  }
}

function readOp(r: ByteReader): TxnOp {
  const kind = r.u8('op kind');
  const key = r.string('op key', KEY_MAX_BYTES);
  switch (kind) {
    case Kind.Put: {
      const value = r.bytes('op value', VALUE_MAX_BYTES);
      const fence = r.bool('op fence');
      return fence ? { type: 'put', key, value, fence } : { type: 'put', key, value };
    }
    case Kind.Delete:
      return { type: 'delete', key };
    case Kind.Get:
      return { type: 'get', key };
    default:
      throw new RegistryError('bad-encoding', `unknown transaction op kind ${kind}`);
  }
}

/** The bytes of a command, for the Raft log. Throws a RegistryError for an invalid command. */
export function encodeCommand(cmd: Command): Uint8Array {
  validateCommand(cmd);
  const w = new ByteWriter().u8(CODEC_VERSION);
  switch (cmd.type) {
    case 'put':
      w.u8(Kind.Put)
        .string(cmd.key)
        .bytes(cmd.value)
        .u8(cmd.fence ? 1 : 0);
      break;
    case 'delete':
      w.u8(Kind.Delete).string(cmd.key);
      break;
    case 'cas':
      w.u8(Kind.Cas);
      writeCompare(w, { key: cmd.key, ...cmd.expect });
      w.u8(cmd.value === null ? 0 : 1);
      if (cmd.value !== null) w.bytes(cmd.value);
      w.u8(cmd.fence ? 1 : 0);
      break;
    case 'txn':
      w.u8(Kind.Txn).u32(cmd.compares.length);
      for (const c of cmd.compares) writeCompare(w, c);
      w.u32(cmd.success.length);
      for (const op of cmd.success) writeOp(w, op);
      w.u32(cmd.failure.length);
      for (const op of cmd.failure) writeOp(w, op);
      break;
  }
  return w.finish();
}

function readVersion(r: ByteReader, what: string): void {
  const version = r.u8('version');
  if (version !== CODEC_VERSION)
    throw new RegistryError('bad-encoding', `${what} version ${version} is not supported (${CODEC_VERSION})`);
}

/** The command in `bytes`; a RegistryError for anything that is not exactly one valid command. */
export function decodeCommand(bytes: Uint8Array): Command {
  if (bytes.length > COMMAND_MAX_BYTES)
    throw new RegistryError('too-large', `command of ${bytes.length} bytes is over ${COMMAND_MAX_BYTES}`);
  const r = new ByteReader(bytes, 'command');
  readVersion(r, 'command');
  const kind = r.u8('kind');
  let cmd: Command;
  switch (kind) {
    case Kind.Put: {
      const key = r.string('key', KEY_MAX_BYTES);
      const value = r.bytes('value', VALUE_MAX_BYTES);
      cmd = r.bool('fence') ? { type: 'put', key, value, fence: true } : { type: 'put', key, value };
      break;
    }
    case Kind.Delete:
      cmd = { type: 'delete', key: r.string('key', KEY_MAX_BYTES) };
      break;
    case Kind.Cas: {
      const { key, ...expect } = readCompare(r);
      if (expect.version !== undefined)
        throw new RegistryError('bad-encoding', 'a compare-and-set does not test the version');
      const value = r.bool('has value') ? r.bytes('value', VALUE_MAX_BYTES) : null;
      const fence = r.bool('fence');
      cmd = fence ? { type: 'cas', key, expect, value, fence } : { type: 'cas', key, expect, value };
      break;
    }
    case Kind.Txn: {
      const compares: Compare[] = [];
      for (let n = r.count('compares', TXN_OPS_MAX); n > 0; n--) compares.push(readCompare(r));
      const success: TxnOp[] = [];
      for (let n = r.count('success ops', TXN_OPS_MAX); n > 0; n--) success.push(readOp(r));
      const failure: TxnOp[] = [];
      for (let n = r.count('failure ops', TXN_OPS_MAX); n > 0; n--) failure.push(readOp(r));
      cmd = { type: 'txn', compares, success, failure };
      break;
    }
    default:
      throw new RegistryError('bad-encoding', `unknown command kind ${kind}`);
  }
  r.end();
  validateCommand(cmd);
  return cmd;
}

// ---- results ----

export function writeKeyValue(w: ByteWriter, kv: KeyValue): void {
  w.string(kv.key).bytes(kv.value).u53(kv.createRevision).u53(kv.modRevision).u53(kv.version);
  w.u53(kv.fence.term).u53(kv.fence.index);
}

export function readKeyValue(r: ByteReader): KeyValue {
  const key = r.string('key', KEY_MAX_BYTES);
  if (key.length === 0) throw new RegistryError('bad-encoding', 'empty key');
  const value = r.bytes('value', VALUE_MAX_BYTES);
  const createRevision = r.u53('createRevision');
  const modRevision = r.u53('modRevision');
  const version = r.u53('version');
  const term = r.u53('fence term');
  const index = r.u53('fence index');
  if (createRevision < 1 || modRevision < createRevision || version < 1 || modRevision > MAX_REVISION)
    throw new RegistryError('bad-encoding', `key ${key}: inconsistent revisions`);
  return { key, value, createRevision, modRevision, version, fence: { term, index } };
}

function writeOptKv(w: ByteWriter, kv: KeyValue | undefined): void {
  w.u8(kv ? 1 : 0);
  if (kv) writeKeyValue(w, kv);
}

function readOptKv(r: ByteReader): KeyValue | undefined {
  return r.bool('present') ? readKeyValue(r) : undefined;
}

const opKinds = { put: Kind.Put, delete: Kind.Delete, get: Kind.Get } as const;

export function encodeResult(res: CommandResult): Uint8Array {
  const w = new ByteWriter().u8(CODEC_VERSION);
  switch (res.type) {
    case 'put':
    case 'delete':
      w.u8(res.type === 'put' ? Kind.Put : Kind.Delete).u53(res.revision);
      writeOptKv(w, res.prev);
      break;
    case 'cas':
      w.u8(Kind.Cas)
        .u8(res.succeeded ? 1 : 0)
        .u53(res.revision);
      writeOptKv(w, res.kv);
      break;
    case 'txn':
      w.u8(Kind.Txn)
        .u8(res.succeeded ? 1 : 0)
        .u53(res.revision)
        .u32(res.results.length);
      for (const op of res.results) {
        w.u8(opKinds[op.type]);
        writeOptKv(w, op.type === 'get' ? op.kv : op.prev);
      }
      break;
    case 'error':
      w.u8(Kind.Error).string(res.code).string(res.message);
      break;
  }
  return w.finish();
}

export function decodeResult(bytes: Uint8Array): CommandResult {
  if (bytes.length > COMMAND_MAX_BYTES)
    throw new RegistryError('too-large', `result of ${bytes.length} bytes is over ${COMMAND_MAX_BYTES}`);
  const r = new ByteReader(bytes, 'result');
  readVersion(r, 'result');
  const kind = r.u8('kind');
  let res: CommandResult;
  switch (kind) {
    case Kind.Put:
    case Kind.Delete: {
      const type = kind === Kind.Put ? 'put' : 'delete';
      const revision = r.u53('revision');
      const prev = readOptKv(r);
      res = prev ? { type, revision, prev } : { type, revision };
      break;
    }
    case Kind.Cas: {
      const succeeded = r.bool('succeeded');
      const revision = r.u53('revision');
      const kv = readOptKv(r);
      res = kv ? { type: 'cas', succeeded, revision, kv } : { type: 'cas', succeeded, revision };
      break;
    }
    case Kind.Txn: {
      const succeeded = r.bool('succeeded');
      const revision = r.u53('revision');
      const results: OpResult[] = [];
      for (let n = r.count('results', TXN_OPS_MAX); n > 0; n--) {
        const k = r.u8('op kind');
        const kv = readOptKv(r);
        if (k === Kind.Get) results.push(kv ? { type: 'get', kv } : { type: 'get' });
        else if (k === Kind.Put || k === Kind.Delete) {
          const type = k === Kind.Put ? 'put' : 'delete';
          results.push(kv ? { type, prev: kv } : { type });
        } else throw new RegistryError('bad-encoding', `unknown op result kind ${k}`);
      }
      res = { type: 'txn', succeeded, revision, results };
      break;
    }
    case Kind.Error: {
      const code = r.string('code', 64);
      if (!isRegistryErrorCode(code)) throw new RegistryError('bad-encoding', `unknown error code ${code}`);
      res = { type: 'error', code, message: r.string('message', 4096) };
      break;
    }
    default:
      throw new RegistryError('bad-encoding', `unknown result kind ${kind}`);
  }
  r.end();
  return res;
}
