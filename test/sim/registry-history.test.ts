// End to end: concurrent clients on a registry whose log delays every proposal and read barrier by a
// seeded number of turns (and sometimes times out, before or after the commit), recorded as a
// history and checked. A correct registry passes; a client with a stale read cache is caught.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RegistryClient } from '../../src/cluster/registry/client.js';
import { LogRegistryClient } from '../../src/cluster/registry/log-client.js';
import { RegistryStateMachine } from '../../src/cluster/registry/state-machine.js';
import { type Random, randomBelow, SeededRandom } from '../../src/net/random.js';
import { formatHistory, type HistoryRecord, parseHistory } from '../../src/sim/history.js';
import { historyValue, RecordingRegistryClient } from '../../src/sim/history-recorder.js';
import { checkHistory, describeResult } from '../../src/sim/linearizability.js';

const enc = (s: string) => new TextEncoder().encode(s);

async function turns(random: Random, max: number): Promise<void> {
  for (let n = randomBelow(random, max); n > 0; n--) await Promise.resolve();
}

/** A registry over a log that delays, and times out 1 in 20 proposals (half of them after applying). */
function slowRegistry(random: Random): LogRegistryClient {
  const sm = new RegistryStateMachine();
  return new LogRegistryClient(sm, {
    propose: async (command) => {
      await turns(random, 20);
      const timeout = randomBelow(random, 20) === 0;
      if (timeout && randomBelow(random, 2) === 0) throw new Error('timeout before commit');
      const result = sm.apply(sm.appliedIndex + 1, 1, command);
      await turns(random, 20);
      if (timeout) throw new Error('timeout after commit');
      return result;
    },
    readBarrier: () => turns(random, 20),
  });
}

/** A broken client: it caches what it read and serves later reads from the cache. */
function staleCache(inner: RegistryClient): RegistryClient {
  const cache = new Map<string, Awaited<ReturnType<RegistryClient['get']>>>();
  return Object.assign(Object.create(inner) as RegistryClient, {
    get: async (key: string) => {
      const hit = cache.get(key);
      if (hit) return hit;
      const r = await inner.get(key);
      cache.set(key, r);
      return r;
    },
  });
}

async function workload(seed: number, wrap: (c: RegistryClient) => RegistryClient): Promise<HistoryRecord[]> {
  const random = new SeededRandom(seed);
  const registry = slowRegistry(random.fork());
  const records: HistoryRecord[] = [];
  const clients = Array.from(
    { length: 6 },
    (_, i) => new RecordingRegistryClient(wrap(registry), `c${i}`, (r) => records.push(r)),
  );
  let counter = 0;
  await Promise.all(
    clients.map(async (client) => {
      const r = random.fork();
      for (let n = 0; n < 40; n++) {
        const key = `names/svc/k${randomBelow(r, 3)}`;
        const value = enc(`v${counter++}`);
        try {
          switch (randomBelow(r, 4)) {
            case 0:
              await client.get(key);
              break;
            case 1:
              await client.put(key, value);
              break;
            case 2: {
              const cur = await client.get(key);
              await client.compareAndSet(key, cur.kv?.value ?? null, value);
              break;
            }
            default:
              await client.delete(key);
          }
        } catch {
          // A timeout: recorded as info; the client goes on under a new id.
        }
      }
    }),
  );
  return records;
}

test('histories of a correct registry under delays and timeouts are linearizable', async () => {
  for (let seed = 1; seed <= 12; seed++) {
    const records = await workload(seed, (c) => c);
    assert.ok(
      records.some((r) => r.type === 'info'),
      'some operations timed out',
    );
    assert.ok(
      records.some((r) => r.type === 'ok' && r.result === true),
      'some cas succeeded',
    );
    const result = checkHistory(parseHistory(formatHistory(records)));
    assert.equal(result.status, 'ok', `seed ${seed}: ${describeResult(result)}`);
  }
});

test('a client with a stale read cache is caught', async () => {
  const records = await workload(3, staleCache);
  const result = checkHistory(records);
  assert.equal(result.status, 'violation', describeResult(result));
  assert.ok(result.status === 'violation' && result.counterexample.culprit.op === 'get');
});

test('values that are not UTF-8 are recorded in hex', () => {
  assert.equal(historyValue(enc('plain')), 'plain');
  assert.equal(historyValue(new Uint8Array([0xff, 0x00])), 'hex:ff00');
});
