// The deterministic simulator: a fixed set of seeds with every fault, where the invariants and the
// linearizability check hold; the same seed twice gives the same trace hash; a deliberately broken
// protocol (a node that votes twice in a term) is caught; a failure names the replay command.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FAULT_KINDS, parseFaults } from '../../src/sim/faults.js';
import { replayCommand, type SimOptions, simulate, summarize } from '../../src/sim/simulator.js';

const SEEDS = [1, 2, 3, 5, 8, 13, 21, 34];
const STEPS = 6000;

for (const seed of SEEDS) {
  test(`seed ${seed}: every fault, invariants and linearizability hold`, async () => {
    const o: SimOptions = { seed, steps: STEPS };
    const r = await simulate(o);
    const line = summarize(r);
    assert.equal(r.violation, undefined, `${line}\n${r.violation?.detail}\nreplay: ${replayCommand(o)}`);
    assert.notEqual(r.linearizability?.status, 'violation', line);
    assert.ok(r.ops.ok > 20, `clients made progress: ${line}`);
    assert.ok(r.committed > 20, `entries were committed: ${line}`);
    assert.deepEqual(r.faults, [...FAULT_KINDS]);
  });
}

test('7 nodes: 5 voters and 2 learners, with every fault', async () => {
  const r = await simulate({ seed: 77, nodes: 7, steps: STEPS });
  assert.equal(r.violation, undefined, summarize(r));
  assert.equal(r.nodes, 7);
});

test('the same seed gives the same trace hash, bit for bit; another seed does not', async () => {
  const a = await simulate({ seed: 42, steps: 3000, keepTrace: true });
  const b = await simulate({ seed: 42, steps: 3000, keepTrace: true });
  const c = await simulate({ seed: 43, steps: 3000 });
  assert.equal(a.hash, b.hash);
  assert.deepEqual(a.trace, b.trace);
  assert.deepEqual(a.history, b.history);
  assert.notEqual(a.hash, c.hash);
  assert.match(summarize(a), / hash=[0-9a-f]{64}$/);
});

test('a broken protocol (a node votes twice in a term) is caught, with the replay command', async () => {
  let caught: string | undefined;
  for (const seed of [4, 5, 7, 8, 1]) {
    const o: SimOptions = {
      seed,
      nodes: 3,
      steps: 15_000,
      faults: ['partition', 'pause', 'crash', 'restart', 'flapping'],
      unsafeDoubleVote: true,
    };
    const r = await simulate(o);
    if (r.violation) {
      assert.equal(r.violation.invariant, 'one-leader-per-term', r.violation.detail);
      assert.match(summarize(r), /FAILED one-leader-per-term/);
      caught = replayCommand(o);
      break;
    }
  }
  assert.ok(caught, 'some seed exposes the double vote');
  assert.match(
    caught,
    /^pakaya sim --seed \d+ --nodes 3 --faults partition,pause,crash,restart,flapping --steps 15000$/,
  );
});

test('a node declared dead with no fault to explain it is caught (crashes hidden from the checker)', async () => {
  const o: SimOptions = { seed: 3, steps: 20_000, faults: ['crash'], unsafeSilentCrash: true };
  const r = await simulate(o);
  assert.equal(r.violation?.invariant, 'no-unexplained-death', summarize(r));
  // The same run with crashes recorded: every death is explained.
  const honest = await simulate({ seed: 3, steps: 20_000, faults: ['crash'] });
  assert.equal(honest.violation, undefined, summarize(honest));
  assert.ok(honest.deaths > 0, `SWIM declared the crashed nodes dead: ${summarize(honest)}`);
});

test('fault lists parse; unknown names are refused', () => {
  assert.deepEqual(parseFaults('all'), [...FAULT_KINDS]);
  assert.deepEqual(parseFaults('none'), []);
  assert.deepEqual(parseFaults('crash, partition,crash'), ['crash', 'partition']);
  assert.match(parseFaults('crash,meteor') as string, /unknown fault "meteor"/);
});

test('without faults the run is clean: one election, no crashes', async () => {
  const r = await simulate({ seed: 9, steps: 3000, faults: [] });
  assert.equal(r.violation, undefined);
  assert.equal(r.crashes, 0);
  assert.equal(r.elections, 1);
  assert.equal(r.faultsInjected, 0);
  assert.equal(r.deaths, 0, 'no fault, no death');
});

test('voters follow liveness: a crashed voter leaves, a learner is promoted, the voter rejoins as a learner', async () => {
  const r = await simulate({ seed: 2, nodes: 7, faults: ['crash'], steps: 12_000, keepTrace: true });
  assert.equal(r.violation, undefined, summarize(r));
  const changes = (r.trace ?? [])
    .map((l) => / member (remove|promote|add-learner) (\d+)$/.exec(l))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ kind: m[1] as string, node: Number(m[2]) }));
  const removed = changes.findIndex((c) => c.kind === 'remove');
  assert.ok(removed >= 0, `a voter was removed: ${JSON.stringify(changes)}`);
  const gone = (changes[removed] as { node: number }).node;
  const after = changes.slice(removed + 1);
  assert.ok(
    after.some((c) => c.kind === 'promote' && c.node !== gone),
    `a learner took its place: ${JSON.stringify(changes)}`,
  );
  const back = after.findIndex((c) => c.kind === 'add-learner' && c.node === gone);
  assert.ok(back >= 0, `the removed voter rejoined as a learner: ${JSON.stringify(changes)}`);
  // (It is promoted again only when there is room: here the learner that replaced it keeps the
  // fifth seat. The daemon test shows a returning voter promoted again.)
  // Committed entries kept flowing after the removal (the heal's probe write committed too).
  const removedAt = Number((r.trace ?? []).find((l) => l.includes(` member remove ${gone}`))?.split(' ')[0]);
  assert.ok(
    (r.trace ?? []).some((l) => / apply \d+ /.test(l) && Number(l.split(' ')[0]) > removedAt),
    'entries applied after the removal',
  );
});
