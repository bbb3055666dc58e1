// Invariant assertions for the Raft core: a broken protocol invariant stops at once, with a message.

export class RaftAssertionError extends Error {}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new RaftAssertionError(`raft invariant violated: ${message}`);
}
