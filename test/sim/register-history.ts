// Test helper: histories of a real linearizable register store under random concurrency and crashes.
import { type Random, randomBelow } from '../../src/net/random.js';
import type { HistoryRecord, OpName } from '../../src/sim/history.js';

/**
 * A history from a real linearizable register store: each client's operation takes effect at a
 * random instant between its invocation and its completion. Some clients crash (info, or no
 * completion record at all); a crashed operation takes effect or not, at random. Values are unique.
 */
export function generate(
  random: Random,
  ops: number,
  clients: number,
  keys: number,
  crashRate = 0.05,
): HistoryRecord[] {
  type Ev = { time: number; kind: 'invoke' | 'apply' | 'complete'; slot: number };
  interface Pending {
    client: string;
    op: OpName;
    key: string;
    value?: string;
    expected?: string | null;
    result?: string | boolean | null;
    crashed: boolean;
  }
  const store = new Map<string, string>();
  const recent: string[] = [];
  const events: Ev[] = [];
  const slots: Pending[] = [];
  const generation = new Array<number>(clients).fill(0);
  const clock = new Array<number>(clients).fill(0);
  for (let n = 0; n < ops; n++) {
    const c = randomBelow(random, clients);
    const start = clock[c]! + random.uint32() / 2 ** 32;
    const apply = start + (random.uint32() / 2 ** 32) * 3;
    const end = apply + (random.uint32() / 2 ** 32) * 3;
    clock[c] = end;
    const op = (['get', 'put', 'cas', 'delete', 'get', 'put'] as const)[randomBelow(random, 6)]!;
    const key = `k${randomBelow(random, keys)}`;
    const p: Pending = {
      client: `${c}.${generation[c]}`,
      op,
      key,
      crashed: randomBelow(random, 1000) < crashRate * 1000,
    };
    if (op === 'put' || op === 'cas') p.value = `v${n}`;
    if (op === 'cas')
      p.expected =
        randomBelow(random, 4) === 0 || recent.length === 0
          ? null
          : recent[randomBelow(random, recent.length)]!;
    if (p.crashed) generation[c]!++;
    slots.push(p);
    events.push({ time: start, kind: 'invoke', slot: n });
    if (!p.crashed || randomBelow(random, 2) === 0) events.push({ time: apply, kind: 'apply', slot: n });
    events.push({ time: end, kind: 'complete', slot: n });
  }
  events.sort((a, b) => a.time - b.time);
  const records: HistoryRecord[] = [];
  for (const ev of events) {
    const p = slots[ev.slot]!;
    if (ev.kind === 'invoke') {
      records.push({
        type: 'invoke',
        client: p.client,
        op: p.op,
        key: p.key,
        ...(p.value !== undefined ? { value: p.value } : {}),
        ...(p.expected !== undefined ? { expected: p.expected } : {}),
      });
    } else if (ev.kind === 'apply') {
      const cur = store.get(p.key) ?? null;
      if (p.op === 'get') p.result = cur;
      else if (p.op === 'put') store.set(p.key, p.value!);
      else if (p.op === 'delete') {
        p.result = cur !== null;
        store.delete(p.key);
      } else {
        p.result = cur === p.expected;
        if (p.result) store.set(p.key, p.value!);
      }
      if (p.value !== undefined) recent.push(p.value);
      if (recent.length > 8) recent.shift();
    } else if (p.crashed) {
      if (randomBelow(random, 2) === 0) records.push({ type: 'info', client: p.client });
    } else {
      records.push(
        p.result === undefined
          ? { type: 'ok', client: p.client }
          : { type: 'ok', client: p.client, result: p.result },
      );
    }
  }
  return records;
}
