// The cluster demo's failure act: a worker runs on the "victim" node with a restart policy and
// periodic checkpoints (`pakaya spawn --restart on-failure --checkpoint-every`), and one checkpoint
// is taken into the cluster's store by hand (`pakaya checkpoint --store`, replicated to other nodes).
// Then the victim is killed with SIGKILL; once the survivors declare it dead, recovery brings the
// worker back on a live node from its last replicated checkpoint, with its NPID. The demo measures
// kill -9 to running again; the last act waits for the worker, which checks its whole memory.

import { killNode } from './demo-failure.js';
import { DEMO_CHECKPOINT_EVERY_MS, DEMO_RECOVERY_MS } from './demo-limits.js';
import { DemoFailure } from './demo-nodes.js';
import { spawnProgram } from './demo-procs.js';
import { type Act, label, program, type Stage, type Verdict } from './demo-stage.js';

/** The worker on the victim: 40 steps of 100 ms over 32 pages (4 s and more). */
export const KEEPER_ARGS = ['40', '32', '100'];

/** The answer of POST /v1/store/checkpoint (docs/admin-api.md "Checkpoint store"). */
interface CheckpointAnswer {
  npid: string;
  node: string;
  manifest: string;
  nodes: string[];
  pages: number;
  bytesSent: number;
}

/** The part of an npids/ record (GET /v1/npids/<npid>) the act reads. */
interface NpidAnswer {
  node: string;
  state: string;
}

export const recoveryAct: Act = {
  title: 'a node fails: kill -9, and its process comes back on another node from the store',
  run: async (stage: Stage): Promise<Verdict[]> => {
    const { cluster, ca, victim } = stage;
    const keeper = await spawnProgram(cluster, ca, program('demo_worker'), KEEPER_ARGS, {
      on: victim,
      restart: 'on-failure',
      checkpointEveryMs: DEMO_CHECKPOINT_EVERY_MS,
    });
    stage.restored = keeper;
    await cluster.inline(['checkpoint', '--store', '--home', ca.home, keeper.npid], async () => {
      const a = await cluster
        .admin(ca)
        .call<CheckpointAnswer>('POST', '/v1/store/checkpoint', { npid: keeper.npid });
      return `checkpoint of ${a.npid} on node ${a.node}: manifest ${a.manifest.slice(0, 12)}, ${a.pages} pages (${a.bytesSent} bytes replicated), held by ${a.nodes.join(', ')}\n`;
    });
    const killed = Date.now();
    const dead = await killNode(cluster, victim);
    const back = await cluster.waitFor(
      `${keeper.npid} to run again on a live node`,
      async () => {
        const r = await cluster.admin(ca).call<NpidAnswer>('GET', `/v1/npids/${keeper.npid}`);
        const moved = r.node !== victim.id && (r.state === 'running' || r.state === 'exited');
        return moved || r.state === 'lost' ? r : undefined;
      },
      DEMO_RECOVERY_MS,
    );
    if (back.state === 'lost') throw new DemoFailure(`${keeper.npid} was lost with node ${victim.label}`);
    const seconds = (Date.now() - killed) / 1000;
    cluster.out(
      `  ${keeper.npid} runs again on ${label(stage, back.node)}, ${seconds.toFixed(1)} s after kill -9, from its last replicated checkpoint (the steps since then run again)\n`,
    );
    return [
      { what: `node ${victim.label} killed`, ok: true, detail: `declared dead in ${dead.toFixed(1)} s` },
      {
        what: `recovery of ${keeper.npid}`,
        ok: true,
        detail: `running on ${label(stage, back.node)} ${seconds.toFixed(1)} s after kill -9`,
      },
    ];
  },
};
