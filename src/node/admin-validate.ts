// Validation of admin API input: path parameters and JSON bodies. Every check returns a value — the
// parsed input or a message saying exactly what is wrong — which the server turns into a 400.
import { isAbsolute } from 'node:path';
import { PATH_MAX, PING_COUNT_MAX, PING_SIZE_MAX, SIGNAL_MAX } from './limits.js';

export type Checked<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Checked<T> => ({ ok: true, value });
const bad = <T>(message: string): Checked<T> => ({ ok: false, message });

/** A pid path parameter: a positive decimal integer below 2^31, no sign, no leading zero. */
export function checkPid(text: string): Checked<number> {
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) >= 2 ** 31) {
    return bad(`pid must be a positive integer below 2^31, got '${text.slice(0, 40)}'`);
  }
  return ok(Number(text));
}

type FieldType = 'integer' | 'string' | 'boolean';
type FieldSpec = { type: FieldType; required: boolean };

/** Parses a request body as a JSON object with exactly the given fields (optional ones may be absent). */
export function checkObject(
  text: string,
  fields: Record<string, FieldSpec>,
): Checked<Record<string, unknown>> {
  if (text.trim() === '') return bad('request body is empty; expected a JSON object');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    return bad(`request body is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return bad('request body must be a JSON object');
  }
  const body = value as Record<string, unknown>;
  for (const key of Object.keys(body)) {
    if (!Object.hasOwn(fields, key)) {
      return bad(`unknown field '${key.slice(0, 40)}' (expected ${Object.keys(fields).join(', ')})`);
    }
  }
  for (const [key, spec] of Object.entries(fields)) {
    const field = body[key];
    if (field === undefined) {
      if (spec.required) return bad(`missing field '${key}'`);
      continue;
    }
    const fits = spec.type === 'integer' ? Number.isSafeInteger(field) : typeof field === spec.type;
    if (!fits)
      return bad(`field '${key}' must be ${spec.type === 'integer' ? 'an integer' : `a ${spec.type}`}`);
  }
  return ok(body);
}

function checkPath(path: string): Checked<string> {
  if (path === '') return bad("field 'path' must not be empty");
  if (path.length > PATH_MAX) return bad(`field 'path' is longer than ${PATH_MAX} characters`);
  if (path.includes('\0')) return bad("field 'path' must not contain NUL");
  if (!isAbsolute(path))
    return bad("field 'path' must be absolute (the node does not share your working directory)");
  return ok(path);
}

export interface KillBody {
  signal: number;
}

/** `{signal}`: a signal number 1..64. */
export function checkKillBody(text: string): Checked<KillBody> {
  const body = checkObject(text, { signal: { type: 'integer', required: true } });
  if (!body.ok) return body;
  const signal = body.value.signal as number;
  if (signal < 1 || signal > SIGNAL_MAX)
    return bad(`signal must be between 1 and ${SIGNAL_MAX}, got ${signal}`);
  return ok({ signal });
}

export interface CheckpointBody {
  path: string;
  stop: boolean;
  group: boolean;
}

/**
 * `{path, stop?, group?}`: an absolute file path for the image, whether to leave the process (the
 * group) stopped, and whether to capture the process's whole group.
 */
export function checkCheckpointBody(text: string): Checked<CheckpointBody> {
  const body = checkObject(text, {
    path: { type: 'string', required: true },
    stop: { type: 'boolean', required: false },
    group: { type: 'boolean', required: false },
  });
  if (!body.ok) return body;
  const path = checkPath(body.value.path as string);
  if (!path.ok) return path;
  return ok({
    path: path.value,
    stop: (body.value.stop as boolean | undefined) ?? false,
    group: (body.value.group as boolean | undefined) ?? false,
  });
}

export interface RestoreBody {
  path: string;
}

/** `{path}`: an absolute path of an image file. */
export function checkRestoreBody(text: string): Checked<RestoreBody> {
  const body = checkObject(text, { path: { type: 'string', required: true } });
  if (!body.ok) return body;
  const path = checkPath(body.value.path as string);
  if (!path.ok) return path;
  return ok({ path: path.value });
}

export interface PingBody {
  node: string;
  count: number;
  size: number;
}

/** `{node, count?, size?}`: a node id (8 hex), 1..PING_COUNT_MAX round trips of 0..PING_SIZE_MAX bytes. */
export function checkPingBody(text: string): Checked<PingBody> {
  const body = checkObject(text, {
    node: { type: 'string', required: true },
    count: { type: 'integer', required: false },
    size: { type: 'integer', required: false },
  });
  if (!body.ok) return body;
  const node = body.value.node as string;
  if (!/^[0-9a-f]{8}$/.test(node)) return bad(`node must be 8 hex digits, got '${node.slice(0, 40)}'`);
  const count = (body.value.count as number | undefined) ?? 10;
  const size = (body.value.size as number | undefined) ?? 64;
  if (count < 1 || count > PING_COUNT_MAX) return bad(`count must be between 1 and ${PING_COUNT_MAX}`);
  if (size < 0 || size > PING_SIZE_MAX) return bad(`size must be between 0 and ${PING_SIZE_MAX}`);
  return ok({ node, count, size });
}

export interface ForwardBody {
  node: string;
  method: 'GET' | 'POST';
  path: string;
  body: string;
}

/** `{node, method, path, body?}`: an admin request to run on another node. */
export function checkForwardBody(text: string): Checked<ForwardBody> {
  const body = checkObject(text, {
    node: { type: 'string', required: true },
    method: { type: 'string', required: true },
    path: { type: 'string', required: true },
    body: { type: 'string', required: false },
  });
  if (!body.ok) return body;
  const node = body.value.node as string;
  if (!/^[0-9a-f]{8}$/.test(node)) return bad(`node must be 8 hex digits, got '${node.slice(0, 40)}'`);
  const method = body.value.method;
  if (method !== 'GET' && method !== 'POST') return bad("method must be 'GET' or 'POST'");
  const path = body.value.path as string;
  if (!path.startsWith('/v1/') || path.length > PATH_MAX) return bad('path must be an admin path under /v1/');
  return ok({ node, method, path, body: (body.value.body as string | undefined) ?? '' });
}
