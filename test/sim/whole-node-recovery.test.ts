// The whole-node "recovery" scenario on fixed seeds: a node holding processes with periodic
// checkpoints crashes or is cut off; each process comes back on one live node under a newer fencing
// token (a process without a restart policy becomes lost), a cut-off node drops its stale copy once
// it hears of the new owner, and every process's output and exit equal an uninterrupted run. A
// failing seed prints the command that replays it.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { recoveryScenario } from '../../src/sim/whole-node/scenarios/recovery.js';
import { replayCommand, summarizeScenario } from '../../src/sim/whole-node/scenarios/types.js';

/** Seeds covering both episodes (seed 1: a crash, seed 3: a partition; each drawn from the seed). */
const SEEDS = [1, 3];

test('recovery: crash and partition episodes on fixed seeds; same seed, same hash', async () => {
  const episodes = new Set<string>();
  const hashes = new Map<number, string>();
  for (const seed of SEEDS) {
    const r = await recoveryScenario.run({ seed });
    const line = summarizeScenario(r);
    assert.equal(
      r.violation,
      undefined,
      `${line}\n${r.violation?.detail}\nreplay: ${replayCommand(r.scenario, { seed })}`,
    );
    assert.ok((r.figures.recovered ?? 0) > 0, `something was recovered: ${line}`);
    assert.ok((r.figures.checkpoints ?? 0) > 0, line);
    if ((r.figures.crashes ?? 0) > 0) {
      episodes.add('crash');
      assert.ok((r.figures.lost ?? 0) > 0, `the process without a policy became lost: ${line}`);
    }
    if ((r.figures.partitions ?? 0) > 0) {
      episodes.add('partition');
      assert.ok((r.figures.dropped ?? 0) > 0, `the cut-off node dropped its stale copies: ${line}`);
    }
    hashes.set(seed, r.hash);
    assert.match(line, /^sim mode=nodes scenario=recovery seed=\d+ .* ok .*hash=[0-9a-f]{64}$/);
  }
  assert.deepEqual([...episodes].sort(), ['crash', 'partition'], 'the seeds cover both episodes');
  const again = await recoveryScenario.run({ seed: SEEDS[0] as number });
  assert.equal(again.hash, hashes.get(SEEDS[0] as number), 'a seed reproduces the run bit for bit');
});
