// The network stack's one error taxonomy. Every failure a caller sees is a NetError with a kind;
// every NetError created is counted (metrics.ts) so the node can export it.
import { NET_ERROR_KINDS, type NetErrorKind } from './error-kind.js';
import { netCounters } from './metrics.js';

export { NET_ERROR_KINDS, type NetErrorKind };

/** Wire code of a kind (Goaway.code); 0 means a normal close. */
export function errorCode(kind: NetErrorKind): number {
  return NET_ERROR_KINDS.indexOf(kind) + 1;
}

export function kindOfCode(code: number): NetErrorKind | undefined {
  return NET_ERROR_KINDS[code - 1];
}

export class NetError extends Error {
  readonly kind: NetErrorKind;
  constructor(kind: NetErrorKind, message: string) {
    super(`${kind}: ${message}`);
    this.name = 'NetError';
    this.kind = kind;
    netCounters.errors[kind]++;
  }
}

export function isNetError(e: unknown): e is NetError {
  return e instanceof NetError;
}

/** Invariant check for protocol code: a failure is a bug in this stack, not bad input. */
export function assert(condition: unknown, what: string): asserts condition {
  if (!condition) throw new Error(`net assertion failed: ${what}`);
}
