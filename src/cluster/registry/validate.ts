// Field checks for typed registry entries (schema.ts): each returns the checked value or throws
// RegistryError('invalid-entry') naming the field. Entries arrive as JSON from the log or a peer, so
// nothing about their shape is trusted.

import { asNodeId, type NodeId, parseNodeId } from '../../net/node-id.js';
import { utf8Length } from './bytes.js';
import { RegistryError } from './errors.js';

export function invalid(what: string, why: string): never {
  throw new RegistryError('invalid-entry', `${what}: ${why}`);
}

export function record(v: unknown, what: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(what, 'must be an object');
  return v as Record<string, unknown>;
}

export function text(v: unknown, what: string, maxBytes: number, pattern?: RegExp): string {
  if (typeof v !== 'string' || v.length === 0) invalid(what, 'must be a non-empty string');
  if (utf8Length(v) > maxBytes) invalid(what, `is over ${maxBytes} bytes`);
  if (pattern && !pattern.test(v)) invalid(what, `"${v}" does not match ${pattern}`);
  return v;
}

export function oneOf<T extends string>(v: unknown, what: string, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v))
    invalid(what, `must be one of ${choices.join(', ')}`);
  return v as T;
}

export function count(v: unknown, what: string, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > max)
    invalid(what, `must be an integer in 0..${max}`);
  return v;
}

/** A timestamp in milliseconds on the writer's clock (finite, non-negative). */
export function millis(v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) invalid(what, 'must be a non-negative number');
  return v;
}

export function nodeId(v: unknown, what: string): NodeId {
  const id = typeof v === 'number' ? asNodeId(v) : typeof v === 'string' ? parseNodeId(v) : undefined;
  if (id === undefined) invalid(what, 'must be a node id (1..2^32-1 or 8 hex digits)');
  return id;
}

export function list<T>(v: unknown, what: string, max: number, item: (x: unknown, what: string) => T): T[] {
  if (!Array.isArray(v)) invalid(what, 'must be an array');
  if (v.length > max) invalid(what, `has more than ${max} entries`);
  return v.map((x, i) => item(x, `${what}[${i}]`));
}

export function stringMap(
  v: unknown,
  what: string,
  max: number,
  key: (k: string, what: string) => string,
  value: (x: unknown, what: string) => string,
): Record<string, string> {
  const r = record(v, what);
  const entries = Object.keys(r);
  if (entries.length > max) invalid(what, `has more than ${max} entries`);
  const out: Record<string, string> = {};
  for (const k of entries.sort()) out[key(k, `${what} key`)] = value(r[k], `${what}.${k}`);
  return out;
}

export const NPID_PATTERN = /^[0-9a-f]{8}:[1-9]\d{0,9}$/;

/** An NPID as the kernel prints it: 8 hex digits (nonzero), ':', a local number below 2^31. */
export function npid(v: unknown, what: string): string {
  const s = text(v, what, 20, NPID_PATTERN);
  if (s.startsWith('00000000') || Number(s.slice(9)) >= 2 ** 31) invalid(what, `"${s}" is not a valid NPID`);
  return s;
}
