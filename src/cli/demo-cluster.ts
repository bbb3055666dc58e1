// `pakaya demo` (without --single): a cluster at work. Three real daemons (`pakaya node start` child
// processes) on loopback in temporary homes, driven only through the commands a user has, each
// echoed as typed and run through the same admin API calls the CLI makes: the cluster forms, then
// each act (demo-acts.ts) runs in turn and reports what it checked.
// Every child is stopped and the homes removed at the end — also after a failure, on SIGINT,
// SIGTERM or SIGHUP (the signal is then re-raised), and, as a last resort, when the process exits.
// Exits 0 when every act ended as expected, else 1 naming the ones that did not.
import { outputBroken, writeOutput } from '../node/std-output.js';
import { ACTS } from './demo-acts.js';
import { victimOf } from './demo-failure.js';
import { agreedLeader, formCluster } from './demo-formation.js';
import { DemoAborted, DemoCluster, DemoFailure, type DemoNode } from './demo-nodes.js';
import type { Stage, Verdict } from './demo-stage.js';

const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export async function clusterDemoCommand(): Promise<number> {
  const controller = new AbortController();
  const out = (text: string): void => {
    writeOutput(1, text);
    if (outputBroken(1) !== undefined && !controller.signal.aborted) controller.abort('EPIPE');
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) controller.abort(signal);
  };
  const cluster = new DemoCluster(controller.signal, out, process.stdout.isTTY === true);
  const onExit = (): void => cluster.killNow();
  for (const s of STOP_SIGNALS) process.on(s, onSignal);
  process.on('exit', onExit);
  const started = Date.now();
  const verdicts: Verdict[] = [];
  let failure: string | undefined;
  let stage: Stage | undefined;
  try {
    out(`pakaya demo: a cluster of three nodes on loopback (homes in ${cluster.root}, removed at the end)\n`);
    out('\n=== 1. three nodes form a cluster (mTLS links, SWIM, a Raft registry) ===\n');
    const nodes = await formCluster(cluster);
    stage = castStage(cluster, nodes, await agreedLeader(cluster, nodes));
    out(`  (formed in ${((Date.now() - started) / 1000).toFixed(1)} s from the start)\n`);
    for (const [i, act] of ACTS.entries()) {
      out(`\n=== ${i + 2}. ${act.title} ===\n`);
      const begun = Date.now();
      verdicts.push(...(await act.run(stage)));
      out(`  (act ${i + 2}: ${((Date.now() - begun) / 1000).toFixed(1)} s)\n`);
    }
  } catch (err) {
    if (!(err instanceof DemoFailure) && !(err instanceof DemoAborted)) throw err;
    if (err instanceof DemoFailure) failure = err.message;
  } finally {
    await stage?.watcher?.stop();
    await cluster.stop();
    for (const s of STOP_SIGNALS) process.removeListener(s, onSignal);
    process.removeListener('exit', onExit);
  }
  const reason = controller.signal.aborted
    ? (controller.signal.reason as NodeJS.Signals | 'EPIPE')
    : undefined;
  if (reason === 'EPIPE') return 141;
  if (reason !== undefined) {
    // Everything is stopped and removed: end as the signal would have ended us.
    process.kill(process.pid, reason);
    return 128;
  }
  out('\n=== summary ===\n');
  for (const v of verdicts) out(`  ${v.ok ? 'ok  ' : 'FAIL'} ${v.what}: ${v.detail}\n`);
  if (failure !== undefined) out(`  FAIL ${failure}\n`);
  const bad = verdicts.filter((v) => !v.ok).map((v) => v.what);
  if (failure !== undefined) bad.push('the demo stopped early');
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  out(
    bad.length === 0
      ? `pakaya demo: done in ${seconds} s; every node stopped and every home removed\n`
      : `pakaya demo: not as expected (${bad.join('; ')}); every node stopped and every home removed\n`,
  );
  return bad.length === 0 ? 0 : 1;
}

/** Who plays which part: the CA node drives; the victim is neither it nor the leader; the mover is the other. */
function castStage(cluster: DemoCluster, nodes: DemoNode[], leader: string | undefined): Stage {
  const [ca] = nodes;
  const victim = victimOf(nodes, leader);
  const mover = nodes.find((n) => n !== ca && n !== victim);
  if (ca === undefined || victim === undefined || mover === undefined)
    throw new DemoFailure('the demo needs three nodes: the CA node, one to kill and one to migrate from');
  return { cluster, nodes, ca, victim, mover };
}
