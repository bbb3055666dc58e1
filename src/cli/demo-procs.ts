// The cluster demo's process steps, through the admin API the process commands use (docs/admin-api.md
// "Processes across the cluster"): spawn a program on a node (`pakaya spawn --node`), wait for an NPID
// to end (`pakaya wait`), the cluster-wide table (`pakaya ps --all`) — each shown as the command a
// user would type, run in the demo's process — and a watcher that prints the table whenever a
// process appears, moves or changes state.
import { basename } from 'node:path';
import { DEMO_TABLE_POLL_MS } from './demo-limits.js';
import { type DemoCluster, DemoFailure, type DemoNode } from './demo-nodes.js';
import { readInputFile } from './io.js';
import { type ClusterRowView, formatClusterTable } from './ps.js';

/** A row of the cluster-wide table (`GET /v1/cluster/processes`). */
export type Row = ClusterRowView;

export interface Spawned {
  npid: string;
  /** The node it was placed on (8 hex digits). */
  node: string;
  name: string;
}

export interface SpawnOptions {
  /** The node to run it on (else placement picks). */
  on?: DemoNode;
  restart?: 'no' | 'on-failure' | 'always';
  /** `--checkpoint-every`, in milliseconds. */
  checkpointEveryMs?: number;
}

/** `pakaya spawn --home <via> [--node N] [--restart R] [--checkpoint-every D] prog.elf args...`. */
export async function spawnProgram(
  cluster: DemoCluster,
  via: DemoNode,
  program: string,
  args: string[],
  options: SpawnOptions = {},
): Promise<Spawned> {
  const name = basename(program).replace(/\.elf$/, '');
  const flags = [
    ...(options.on ? ['--node', options.on.id] : []),
    ...(options.restart ? ['--restart', options.restart] : []),
    ...(options.checkpointEveryMs !== undefined
      ? ['--checkpoint-every', `${options.checkpointEveryMs}ms`]
      : []),
  ];
  let spawned: Spawned | undefined;
  await cluster.inline(['spawn', '--home', via.home, ...flags, program, ...args], async () => {
    const elf = await readInputFile(program);
    const r = await cluster
      .admin(via)
      .call<{ npid: string; node: string; pid: number }>('POST', '/v1/spawn', {
        program: Buffer.from(elf).toString('base64'),
        name,
        args,
        ...(options.on ? { node: options.on.id } : {}),
        ...(options.restart ? { restart: options.restart } : {}),
        ...(options.checkpointEveryMs !== undefined ? { checkpointEveryMs: options.checkpointEveryMs } : {}),
      });
    spawned = { npid: r.npid, node: r.node, name };
    return `spawned ${name} on node ${r.node}\n${r.npid}\n`;
  });
  if (spawned === undefined) throw new DemoFailure(`spawn of ${name} gave no NPID`);
  return spawned;
}

/** The cluster-wide table as the node `via` sees it. */
export async function clusterRows(cluster: DemoCluster, via: DemoNode): Promise<Row[]> {
  const t = await cluster.admin(via).call<{ processes: Row[] }>('GET', '/v1/cluster/processes');
  return t.processes;
}

/** `pakaya ps --all --home <via>`. */
export async function showTable(cluster: DemoCluster, via: DemoNode): Promise<Row[]> {
  let rows: Row[] = [];
  await cluster.inline(['ps', '--all', '--home', via.home], async () => {
    rows = await clusterRows(cluster, via);
    return formatClusterTable(rows);
  });
  return rows;
}

interface WaitAnswer {
  npid: string;
  node: string;
  state: string;
  status?: number;
}

/**
 * Waits (bounded by `ms`) for `npid` to end and returns its exit status and the node it ended on;
 * a process lost with its node is a DemoFailure. Shown as `pakaya wait`.
 */
export async function waitExit(
  cluster: DemoCluster,
  via: DemoNode,
  npid: string,
  ms: number,
): Promise<{ status: number; node: string }> {
  const deadline = Date.now() + ms;
  let ended: { status: number; node: string } | undefined;
  await cluster.inline(['wait', '--home', via.home, npid], async () => {
    for (;;) {
      cluster.check();
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`still running after ${ms / 1000} s`);
      const r = await cluster
        .admin(via)
        .call<WaitAnswer>('POST', `/v1/npids/${npid}/wait`, { timeoutMs: Math.min(left, 5_000) });
      if (r.state === 'exited') {
        ended = { status: r.status ?? 0, node: r.node };
        return `${npid} exited with status ${ended.status} on node ${r.node}\n`;
      }
      if (r.state === 'lost') throw new Error(`${npid} was lost with node ${r.node}`);
    }
  });
  if (ended === undefined) throw new DemoFailure(`pakaya wait ${npid} gave no status`);
  return ended;
}

/** A process's state as the watcher compares it: running, ready and blocked are all just "live". */
function phase(state: string): string {
  return /^(running|ready|new|blocked)/.test(state) ? 'live' : state;
}

/** `pakaya kill --home <via> NPID -s KILL`: ends a program the demo gives up on. */
export async function killProgram(cluster: DemoCluster, via: DemoNode, npid: string): Promise<void> {
  await cluster.inline(['kill', '--home', via.home, npid, '-s', 'KILL'], async () => {
    await cluster.admin(via).call('POST', `/v1/npids/${npid}/kill`, { signal: 9 });
    return '';
  });
}

/**
 * Prints `pakaya ps --all` whenever the set of processes, their nodes or their states change, until
 * stopped. Poll errors (a node being killed) are skipped; the next poll tries again.
 */
export class TableWatcher {
  private last = '';
  private running = true;
  private readonly done: Promise<void>;

  constructor(
    private readonly cluster: DemoCluster,
    private readonly via: () => DemoNode,
  ) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const started = Date.now();
    while (this.running) {
      try {
        const rows = await clusterRows(this.cluster, this.via());
        const key = rows
          .map((r) => `${r.npid}@${r.node}:${phase(r.state)}`)
          .sort()
          .join(' ');
        if (this.running && key !== this.last) {
          this.last = key;
          this.cluster.out(
            `  --- where the processes run (pakaya ps --all), ${((Date.now() - started) / 1000).toFixed(1)} s ---\n`,
          );
          for (const line of formatClusterTable(rows).trimEnd().split('\n')) this.cluster.out(`  ${line}\n`);
        }
      } catch {
        // A node going away mid-poll: try again next round.
      }
      await new Promise((r) => setTimeout(r, DEMO_TABLE_POLL_MS));
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.done;
  }
}
