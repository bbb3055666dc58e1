// What the cluster demo's acts share: the stage (which node plays which part: the CA node is the one
// every command goes through, the "mover" runs the worker that migrates, the "victim" is the node
// killed with SIGKILL), the shape of an act and of what it checked (a Verdict per program or event).
import { join } from 'node:path';
import type { DemoCluster, DemoNode } from './demo-nodes.js';
import { PACKAGE_ROOT } from './demo-nodes.js';
import type { Spawned, TableWatcher } from './demo-procs.js';

/** One checked outcome, printed in the summary. */
export interface Verdict {
  what: string;
  ok: boolean;
  detail: string;
}

export interface Stage {
  readonly cluster: DemoCluster;
  readonly nodes: readonly DemoNode[];
  /** The node that ran cluster init; every command goes through it (it is never killed). */
  readonly ca: DemoNode;
  /** Runs the worker that migrates. */
  readonly mover: DemoNode;
  /** Killed with SIGKILL in the failure act. */
  readonly victim: DemoNode;
  /** The worker that migrates from the mover. */
  moving?: Spawned;
  /** The node the worker migrated to, once it has. */
  movedTo?: DemoNode;
  /** The worker on the victim that recovery brings back elsewhere. */
  restored?: Spawned;
  watcher?: TableWatcher;
}

export interface Act {
  title: string;
  run(stage: Stage): Promise<Verdict[]>;
}

/** The path of a guest program of user/bin. */
export const program = (name: string): string => join(PACKAGE_ROOT, 'user', 'bin', `${name}.elf`);

/** `n2 (8300235e)` for a node id of the stage. */
export const label = (stage: Stage, id: string): string => {
  const n = stage.nodes.find((x) => x.id === id);
  return n ? `${n.label} (${id})` : id;
};
