// The cluster demo's IPC act: programs on different nodes talk through a global name. demo_server
// registers `svc/demo` on one node (the name goes into the cluster registry); a demo_client on each
// other node looks it up there and calls the server's port across the links. Both sides check every
// call: the server that each client's calls arrive once and in order, each client every answer.
import { DEMO_PROGRAM_MS } from './demo-limits.js';
import type { DemoNode } from './demo-nodes.js';
import { type Spawned, spawnProgram, waitExit } from './demo-procs.js';
import { type Act, program, type Stage, type Verdict } from './demo-stage.js';

/** The global name the server registers. */
export const DEMO_SERVICE = 'svc/demo';
/** Calls each client makes. */
export const DEMO_CALLS = 50;

export const ipcAct: Act = {
  title: `programs talk across nodes: a server behind the global name ${DEMO_SERVICE}, a client on each other node`,
  run: async (stage: Stage): Promise<Verdict[]> => {
    const { cluster, ca } = stage;
    // The server runs on the node that will be killed later: it is done by then.
    const home = stage.victim;
    const callers = stage.nodes.filter((n) => n !== home);
    const server = await spawnProgram(
      cluster,
      ca,
      program('demo_server'),
      [DEMO_SERVICE, String(callers.length), String(DEMO_CALLS)],
      { on: home },
    );
    const clients: { on: DemoNode; spawned: Spawned }[] = [];
    for (const [i, on] of callers.entries())
      clients.push({
        on,
        spawned: await spawnProgram(
          cluster,
          ca,
          program('demo_client'),
          [DEMO_SERVICE, String(i), String(DEMO_CALLS)],
          { on },
        ),
      });
    const verdicts: Verdict[] = [];
    for (const { on, spawned } of clients) {
      const ended = await waitExit(cluster, ca, spawned.npid, DEMO_PROGRAM_MS);
      verdicts.push({
        what: `demo_client ${spawned.npid} on ${on.label}`,
        ok: ended.status === 0,
        detail:
          ended.status === 0
            ? `${DEMO_CALLS} calls to ${DEMO_SERVICE} on ${home.label}, every answer checked`
            : `exit ${ended.status} (wanted 0)`,
      });
    }
    const ended = await waitExit(cluster, ca, server.npid, DEMO_PROGRAM_MS);
    verdicts.push({
      what: `demo_server ${server.npid} on ${home.label}`,
      ok: ended.status === 0,
      detail:
        ended.status === 0
          ? `${callers.length} x ${DEMO_CALLS} calls from other nodes, each once and in order`
          : `exit ${ended.status} (wanted 0)`,
    });
    return verdicts;
  },
};
