// Retrying a registry read that can time out while the cluster settles (a node that has just joined
// or restarted asks for a linearizable read before any leader has confirmed it): a bounded number of
// attempts, each already bounded by the replica's own request timeout.
import { ConsensusError } from '../consensus/errors.js';
import { STARTUP_READ_ATTEMPTS } from './limits.js';

/** True for the consensus refusals that a later attempt may not meet (no leader yet, a timeout). */
export function isTransientRegistryError(err: unknown): boolean {
  return (
    err instanceof ConsensusError &&
    (err.code === 'timeout' || err.code === 'not-leader' || err.code === 'unavailable')
  );
}

/** Runs `read` until it succeeds, fails for good, or `attempts` transient failures have happened. */
export async function retryRegistryRead<T>(
  read: () => Promise<T>,
  attempts: number = STARTUP_READ_ATTEMPTS,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await read();
    } catch (err) {
      if (attempt >= attempts || !isTransientRegistryError(err)) throw err;
    }
  }
}
