// The whole-node scenarios of issue 13's services on fixed seeds: remote IPC across nodes under
// loss, duplication, reordering and partitions (svc_server and svc_clients check every call), and
// live migration under faults — pre- and post-copy, with migrations made to fail (target crash,
// cut link) that must leave the process at its source. A failing seed prints the command that
// replays it. migrate-ports adds a svc_server migrated under svc_client calls (none lost or doubled).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migratePortsScenario, migrateScenario } from '../../src/sim/whole-node/scenarios/migrate.js';
import { remoteIpcScenario } from '../../src/sim/whole-node/scenarios/remote-ipc.js';
import {
  replayCommand,
  type Scenario,
  type ScenarioResult,
  summarizeScenario,
} from '../../src/sim/whole-node/scenarios/types.js';

async function passes(s: Scenario, seed: number): Promise<ScenarioResult> {
  const r = await s.run({ seed });
  const line = summarizeScenario(r);
  assert.equal(
    r.violation,
    undefined,
    `${line}\n${r.violation?.detail}\nreplay: ${replayCommand(r.scenario, { seed })}`,
  );
  assert.match(
    line,
    new RegExp(`^sim mode=nodes scenario=${s.name} seed=${seed} .* ok .*hash=[0-9a-f]{64}$`),
  );
  return r;
}

test('remote-ipc: every call answered once, in order, across nodes under network faults', async () => {
  let resent = 0;
  for (const seed of [1, 4]) {
    const r = await passes(remoteIpcScenario, seed);
    assert.equal(r.figures.clients, 6);
    assert.ok((r.figures.remoteCalls ?? 0) > 0, 'calls crossed nodes');
    assert.ok((r.figures.faults ?? 0) > 0, 'faults were injected');
    resent += r.figures.resent ?? 0;
  }
  assert.ok(resent > 0, 'lost messages were sent again by the router');
});

test('migrate: pre- and post-copy under faults; failed migrations leave the process at its source', async () => {
  const total = { committed: 0, rolledBack: 0, precopy: 0, postcopy: 0, targetCrashes: 0, cuts: 0 };
  let first: ScenarioResult | undefined;
  for (const seed of [3, 7]) {
    const r = await passes(migrateScenario, seed);
    first ??= r;
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += r.figures[k] ?? 0;
  }
  for (const [k, v] of Object.entries(total))
    assert.ok(v > 0, `${k} > 0 over the seeds (${JSON.stringify(total)})`);
  const again = await migrateScenario.run({ seed: 3 });
  assert.equal(again.hash, first?.hash, 'a seed reproduces the run bit for bit');
});

test('migrate-ports: a svc_server migrated again and again while clients on every node call it', async () => {
  let rolledBack = 0;
  // 6 and 8: the server is woken on its post-copy target by a call before its pages are there.
  for (const seed of [1, 4, 6, 8]) {
    const r = await passes(migratePortsScenario, seed);
    assert.ok((r.figures.committed ?? 0) > 0, 'migrations committed');
    rolledBack += r.figures.rolledBack ?? 0;
  }
  assert.ok(rolledBack > 0, 'a failed migration left a process at its source');
});
