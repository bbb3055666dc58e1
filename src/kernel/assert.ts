// Invariant assertions for kernel code: a broken invariant stops at once with a clear message.

export class KernelAssertionError extends Error {}

export function assert(condition: boolean, message: string): asserts condition {
  if (!condition) throw new KernelAssertionError(`kernel invariant violated: ${message}`);
}
