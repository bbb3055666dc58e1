// retryRegistryRead: transient consensus refusals are retried up to the limit; anything else, and
// the last transient failure, reach the caller.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConsensusError } from '../../src/cluster/consensus/errors.js';
import { RegistryError } from '../../src/cluster/registry/errors.js';
import { STARTUP_READ_ATTEMPTS } from '../../src/cluster/registry/limits.js';
import { isTransientRegistryError, retryRegistryRead } from '../../src/cluster/registry/retry.js';

function failing(times: number, err: Error): { read: () => Promise<string>; calls: () => number } {
  let calls = 0;
  return {
    read: async () => {
      calls++;
      if (calls <= times) throw err;
      return 'value';
    },
    calls: () => calls,
  };
}

test('timeouts and a missing leader are retried until the read succeeds', async () => {
  const r = failing(3, new ConsensusError('timeout', 'read not confirmed within 3000 ms'));
  assert.equal(await retryRegistryRead(r.read), 'value');
  assert.equal(r.calls(), 4);
  assert.equal(isTransientRegistryError(new ConsensusError('not-leader', 'x')), true);
});

test('the retries are bounded: the last transient failure reaches the caller', async () => {
  const r = failing(100, new ConsensusError('timeout', 'slow'));
  await assert.rejects(retryRegistryRead(r.read), /slow/);
  assert.equal(r.calls(), STARTUP_READ_ATTEMPTS);
});

test('a lasting refusal is not retried', async () => {
  const r = failing(1, new RegistryError('too-large', 'key too long'));
  await assert.rejects(retryRegistryRead(r.read), /key too long/);
  assert.equal(r.calls(), 1);
  assert.equal(isTransientRegistryError(new ConsensusError('too-large', 'x')), false);
});
