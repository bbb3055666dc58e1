// The cluster demo's acts after the cluster has formed, in order. Each shows something through the
// commands a user has and returns what it checked (a Verdict per program or event); the stage they
// share (demo-stage.ts) says which node plays which part.
import { ipcAct } from './demo-ipc.js';
import { DEMO_PROGRAM_MS } from './demo-limits.js';
import { migrateAct } from './demo-migrate.js';
import { DemoFailure, type DemoNode } from './demo-nodes.js';
import { type Spawned, spawnProgram, TableWatcher, waitExit } from './demo-procs.js';
import { recoveryAct } from './demo-recovery.js';
import { type Act, label, program, type Verdict } from './demo-stage.js';

/** The migrating worker: 60 steps of 100 ms over 64 pages (6 s and more, 256 KiB that it keeps writing). */
export const MOVING_ARGS = ['60', '64', '100'];

const spawnAct: Act = {
  title: 'programs on every node: pakaya spawn --node, and where they run (pakaya ps --all)',
  run: async (stage) => {
    const { cluster, ca } = stage;
    const verdicts: Verdict[] = [];
    const hellos: { on: DemoNode; spawned: Spawned }[] = [];
    for (const on of stage.nodes)
      hellos.push({
        on,
        spawned: await spawnProgram(cluster, ca, program('hello'), ['from', on.label], { on }),
      });
    stage.moving = await spawnProgram(cluster, ca, program('demo_worker'), MOVING_ARGS, { on: stage.mover });
    stage.watcher = new TableWatcher(cluster, () => ca);
    for (const { on, spawned } of hellos) {
      const ended = await waitExit(cluster, ca, spawned.npid, DEMO_PROGRAM_MS);
      const ok = ended.status === 0 && ended.node === on.id;
      verdicts.push({
        what: `hello ${spawned.npid} on ${on.label}`,
        ok,
        detail: `exit ${ended.status} on ${label(stage, ended.node)}${ok ? ' as expected' : ` (wanted exit 0 on ${on.label})`}`,
      });
    }
    return verdicts;
  },
};

const endAct: Act = {
  title: 'every program ends: pakaya wait',
  run: async (stage) => {
    const { cluster, ca, moving, restored } = stage;
    if (moving === undefined) throw new DemoFailure('the worker was never spawned');
    // The migrated worker ends where it moved to; the recovered one anywhere but the killed node.
    const expected: { spawned: Spawned; where: string; ok: (node: string) => boolean }[] = [
      {
        spawned: moving,
        where: (stage.movedTo ?? stage.mover).label,
        ok: (node) => node === (stage.movedTo ?? stage.mover).id,
      },
    ];
    if (restored !== undefined)
      expected.push({
        spawned: restored,
        where: `a node other than ${stage.victim.label}`,
        ok: (node) => node !== stage.victim.id,
      });
    const verdicts: Verdict[] = [];
    for (const { spawned, where, ok } of expected) {
      const ended = await waitExit(cluster, ca, spawned.npid, DEMO_PROGRAM_MS);
      const good = ended.status === 0 && ok(ended.node);
      verdicts.push({
        what: `demo_worker ${spawned.npid}`,
        ok: good,
        detail: `exit ${ended.status} on ${label(stage, ended.node)}${good ? ', its memory checked' : ` (wanted exit 0 on ${where})`}`,
      });
    }
    await stage.watcher?.stop();
    return verdicts;
  },
};

export const ACTS: readonly Act[] = [spawnAct, ipcAct, migrateAct, recoveryAct, endAct];
