// The byte form of a registry snapshot: magic, version, revision, applied index and term, the keys
// in key order, and a SHA-256 of everything before it. Same state, same bytes. Decoding checks the
// size, the checksum, every count and length, key order and revision consistency before it returns.

import { createHash } from 'node:crypto';
import { ByteReader, ByteWriter, bytesEqual } from './bytes.js';
import { readKeyValue, writeKeyValue } from './codec.js';
import { RegistryError } from './errors.js';
import { KEYS_MAX, SNAPSHOT_MAX_BYTES } from './limits.js';
import type { KeyValue } from './types.js';

const MAGIC = new Uint8Array([0x50, 0x4b, 0x52, 0x53]); // "PKRS"
export const SNAPSHOT_VERSION = 1;
const HASH_BYTES = 32;

export interface SnapshotState {
  readonly revision: number;
  readonly index: number;
  readonly term: number;
  /** In strictly increasing key order. */
  readonly keys: readonly KeyValue[];
}

const sha256 = (data: Uint8Array): Uint8Array => new Uint8Array(createHash('sha256').update(data).digest());

export function encodeSnapshot(state: SnapshotState): Uint8Array {
  const w = new ByteWriter().raw(MAGIC).u8(SNAPSHOT_VERSION);
  w.u53(state.revision).u53(state.index).u53(state.term).u32(state.keys.length);
  for (const kv of state.keys) writeKeyValue(w, kv);
  const body = w.finish();
  const out = new Uint8Array(body.length + HASH_BYTES);
  out.set(body);
  out.set(sha256(body), body.length);
  return out;
}

export function decodeSnapshot(bytes: Uint8Array): SnapshotState {
  if (bytes.length > SNAPSHOT_MAX_BYTES)
    throw new RegistryError('too-large', `snapshot of ${bytes.length} bytes is over ${SNAPSHOT_MAX_BYTES}`);
  if (bytes.length < MAGIC.length + 1 + HASH_BYTES)
    throw new RegistryError('bad-encoding', 'snapshot: truncated');
  if (!bytesEqual(bytes.subarray(0, MAGIC.length), MAGIC))
    throw new RegistryError('bad-encoding', 'snapshot: not a registry snapshot (bad magic)');
  const body = bytes.subarray(0, bytes.length - HASH_BYTES);
  if (!bytesEqual(sha256(body), bytes.subarray(body.length)))
    throw new RegistryError('checksum', 'snapshot: checksum does not match: the snapshot is corrupted');
  const r = new ByteReader(body, 'snapshot');
  r.raw('magic', MAGIC.length);
  const version = r.u8('version');
  if (version !== SNAPSHOT_VERSION)
    throw new RegistryError(
      'bad-encoding',
      `snapshot: version ${version} is not supported (${SNAPSHOT_VERSION})`,
    );
  const revision = r.u53('revision');
  const index = r.u53('index');
  const term = r.u53('term');
  const count = r.count('keys', KEYS_MAX);
  const keys: KeyValue[] = [];
  let previous: string | undefined;
  for (let i = 0; i < count; i++) {
    const kv = readKeyValue(r);
    if (previous !== undefined && kv.key <= previous)
      throw new RegistryError('bad-encoding', `snapshot: key ${kv.key} out of order`);
    if (kv.modRevision > revision)
      throw new RegistryError(
        'bad-encoding',
        `snapshot: key ${kv.key} is newer than the snapshot's revision`,
      );
    if (kv.fence.index > index)
      throw new RegistryError('bad-encoding', `snapshot: key ${kv.key} fence is in the future`);
    previous = kv.key;
    keys.push(kv);
  }
  r.end();
  return { revision, index, term, keys };
}
