// Join tokens: single-use, expiring credentials a new node presents to the CA node with its
// certificate request. A token is one printable line carrying the CA certificate's fingerprint (so
// the joiner can check the CA it reaches), a token id, a secret and its expiry. The CA keeps only a
// SHA-256 of the secret in its token book (tokens.json), checks secrets in constant time, and marks
// a token used on the join that succeeds. Pure functions: the book goes in, a new book comes out.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { IdentityError, refuseUnless } from './errors.js';
import {
  TOKEN_ID_BYTES,
  TOKEN_SECRET_BYTES,
  TOKEN_TEXT_MAX,
  TOKEN_TTL_MAX_MS,
  TOKEN_TTL_MIN_MS,
  TOKENS_MAX,
} from './limits.js';

export const TOKEN_PREFIX = 'pakaya-join-1';

/** A join token as the joiner holds it. */
export interface JoinToken {
  /** SHA-256 of the CA certificate's DER, lower-case hex. */
  caFingerprint: string;
  /** Lower-case hex, TOKEN_ID_BYTES bytes. */
  id: string;
  secret: Uint8Array;
  /** Wall-clock ms since the epoch. The CA's record is authoritative; this lets a joiner fail early. */
  expiresAt: number;
}

/** What the CA remembers of a token. Never the secret itself. */
export interface TokenRecord {
  id: string;
  /** SHA-256 of the secret, lower-case hex. */
  secretHash: string;
  createdAt: number;
  expiresAt: number;
  used: boolean;
  /** The node that joined with it (8 hex digits), once used. */
  usedBy?: string;
  usedAt?: number;
}

/** The CA's token records (tokens.json). */
export interface TokenBook {
  version: 1;
  tokens: TokenRecord[];
}

export const emptyTokenBook = (): TokenBook => ({ version: 1, tokens: [] });

const FINGERPRINT_RE = /^[0-9a-f]{64}$/;
const ID_RE = new RegExp(`^[0-9a-f]{${TOKEN_ID_BYTES * 2}}$`);
const SECRET_RE = new RegExp(`^[A-Za-z0-9_-]{${Math.ceil((TOKEN_SECRET_BYTES * 4) / 3)}}$`);
const EXPIRY_RE = /^[1-9][0-9]{0,15}$/;

const hashSecret = (secret: Uint8Array): Buffer => createHash('sha256').update(secret).digest();

/** The one-line text form: pakaya-join-1.<ca fingerprint>.<id>.<secret base64url>.<expiry ms>. */
export function formatToken(token: JoinToken): string {
  const secret = Buffer.from(token.secret).toString('base64url');
  return [TOKEN_PREFIX, token.caFingerprint, token.id, secret, String(token.expiresAt)].join('.');
}

/** Parses a token; refuses with 'no-token' (empty) or 'malformed-token' naming what is wrong. */
export function parseToken(text: string | undefined): JoinToken {
  const trimmed = (text ?? '').trim();
  refuseUnless(trimmed !== '', 'no-token', 'no join token was given');
  refuseUnless(
    trimmed.length <= TOKEN_TEXT_MAX,
    'malformed-token',
    `malformed join token: longer than ${TOKEN_TEXT_MAX} characters`,
  );
  const parts = trimmed.split('.');
  refuseUnless(
    parts.length === 5 && parts[0] === TOKEN_PREFIX,
    'malformed-token',
    `malformed join token: expected ${TOKEN_PREFIX}.<ca fingerprint>.<id>.<secret>.<expiry>`,
  );
  const [, caFingerprint = '', id = '', secret = '', expiry = ''] = parts;
  refuseUnless(
    FINGERPRINT_RE.test(caFingerprint),
    'malformed-token',
    'malformed join token: bad CA fingerprint',
  );
  refuseUnless(ID_RE.test(id), 'malformed-token', 'malformed join token: bad token id');
  refuseUnless(SECRET_RE.test(secret), 'malformed-token', 'malformed join token: bad secret');
  refuseUnless(EXPIRY_RE.test(expiry), 'malformed-token', 'malformed join token: bad expiry');
  const bytes = Buffer.from(secret, 'base64url');
  refuseUnless(bytes.length === TOKEN_SECRET_BYTES, 'malformed-token', 'malformed join token: bad secret');
  return { caFingerprint, id, secret: new Uint8Array(bytes), expiresAt: Number(expiry) };
}

/** Drops expired records (used or not) so a full book has room. */
function pruned(book: TokenBook, now: number): TokenRecord[] {
  return book.tokens.filter((record) => record.expiresAt > now);
}

/**
 * Makes a new token valid for `ttlMs` from `now` (wall-clock ms). Returns its text and the book
 * with its record added. Refuses with 'limit' when TOKENS_MAX unexpired tokens exist.
 */
export function mintToken(
  book: TokenBook,
  options: { caFingerprint: string; now: number; ttlMs: number },
): { token: string; book: TokenBook } {
  const { caFingerprint, now, ttlMs } = options;
  if (!FINGERPRINT_RE.test(caFingerprint)) throw new RangeError(`bad CA fingerprint '${caFingerprint}'`);
  if (!Number.isInteger(ttlMs) || ttlMs < TOKEN_TTL_MIN_MS || ttlMs > TOKEN_TTL_MAX_MS) {
    throw new RangeError(`token lifetime must be between ${TOKEN_TTL_MIN_MS} ms and ${TOKEN_TTL_MAX_MS} ms`);
  }
  let tokens = book.tokens;
  if (tokens.length >= TOKENS_MAX) tokens = pruned(book, now);
  refuseUnless(tokens.length < TOKENS_MAX, 'limit', `too many unexpired join tokens (${TOKENS_MAX})`);
  let id: string;
  do id = randomBytes(TOKEN_ID_BYTES).toString('hex');
  while (tokens.some((record) => record.id === id));
  const secret = new Uint8Array(randomBytes(TOKEN_SECRET_BYTES));
  const token: JoinToken = { caFingerprint, id, secret, expiresAt: now + ttlMs };
  const record: TokenRecord = {
    id,
    secretHash: hashSecret(secret).toString('hex'),
    createdAt: now,
    expiresAt: token.expiresAt,
    used: false,
  };
  return { token: formatToken(token), book: { version: 1, tokens: [...tokens, record] } };
}

/**
 * Checks a token against the CA's book at `now` (wall-clock ms) without changing anything. Returns
 * its record; refuses with no-token, malformed-token, ca-mismatch, unknown-token, wrong-secret,
 * reused-token or expired-token. The secret is checked (in constant time) before the token's state
 * is revealed.
 */
export function checkToken(
  book: TokenBook,
  text: string | undefined,
  caFingerprint: string,
  now: number,
): TokenRecord {
  const token = parseToken(text);
  refuseUnless(
    token.caFingerprint === caFingerprint,
    'ca-mismatch',
    'the join token is for another cluster CA (fingerprint mismatch)',
  );
  const record = book.tokens.find((candidate) => candidate.id === token.id);
  refuseUnless(record !== undefined, 'unknown-token', `unknown join token ${token.id}`);
  const expected = Buffer.from(record.secretHash, 'hex');
  const actual = hashSecret(token.secret);
  refuseUnless(
    expected.length === actual.length && timingSafeEqual(expected, actual),
    'wrong-secret',
    `wrong secret for join token ${token.id}`,
  );
  refuseUnless(!record.used, 'reused-token', `join token ${token.id} was already used`);
  refuseUnless(now < record.expiresAt, 'expired-token', `join token ${token.id} expired`);
  return record;
}

/** The book with token `id` marked used by node `usedBy` (8 hex digits). The token must be unused. */
export function consumeToken(book: TokenBook, id: string, usedBy: string, now: number): TokenBook {
  const index = book.tokens.findIndex((record) => record.id === id);
  const record = book.tokens[index];
  if (record === undefined || record.used) throw new Error(`assertion: token ${id} is not an unused token`);
  const tokens = book.tokens.slice();
  tokens[index] = { ...record, used: true, usedBy, usedAt: now };
  return { version: 1, tokens };
}

/** Checks a token book read from disk; throws IdentityError('limit'|'malformed-token') naming the problem. */
export function validateTokenBook(raw: unknown): TokenBook {
  const value = raw as { version?: unknown; tokens?: unknown } | null;
  if (value === null || typeof value !== 'object' || value.version !== 1 || !Array.isArray(value.tokens)) {
    throw new IdentityError('malformed-token', 'token book: expected {"version":1,"tokens":[...]}');
  }
  refuseUnless(value.tokens.length <= TOKENS_MAX, 'limit', `token book: more than ${TOKENS_MAX} tokens`);
  const tokens: TokenRecord[] = value.tokens.map((entry: unknown, i: number) => {
    const r = entry as Partial<Record<keyof TokenRecord, unknown>> | null;
    const ok =
      r !== null &&
      typeof r === 'object' &&
      typeof r.id === 'string' &&
      ID_RE.test(r.id) &&
      typeof r.secretHash === 'string' &&
      FINGERPRINT_RE.test(r.secretHash) &&
      typeof r.createdAt === 'number' &&
      typeof r.expiresAt === 'number' &&
      typeof r.used === 'boolean';
    if (!ok) throw new IdentityError('malformed-token', `token book: entry ${i} is malformed`);
    const record: TokenRecord = {
      id: r.id as string,
      secretHash: r.secretHash as string,
      createdAt: r.createdAt as number,
      expiresAt: r.expiresAt as number,
      used: r.used as boolean,
    };
    if (typeof r.usedBy === 'string') record.usedBy = r.usedBy;
    if (typeof r.usedAt === 'number') record.usedAt = r.usedAt;
    return record;
  });
  return { version: 1, tokens };
}
