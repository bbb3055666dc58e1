// The end every whole-node scenario shares: the instructions the nodes retired, the last trace line,
// the run's hash, the cluster shut down, and the result `pakaya sim --mode nodes` summarizes.
import type { FaultKind } from '../../faults.js';
import type { SimCluster } from '../cluster.js';
import type { ScenarioOptions, ScenarioResult } from './types.js';

export interface ScenarioRun {
  readonly scenario: string;
  readonly options: ScenarioOptions;
  readonly nodes: number;
  /** The cluster's step count when the scenario's own phase began. */
  readonly start: number;
  readonly faults: readonly FaultKind[];
  /** The scenario's figures (gains `instructions`). */
  readonly figures: Record<string, number>;
}

export async function finishScenario(c: SimCluster, run: ScenarioRun): Promise<ScenarioResult> {
  run.figures.instructions = c.nodes.reduce((a, n) => a + n.instructions, 0);
  c.trace(`end ${c.violation ? c.violation.invariant : 'ok'}`);
  const virtualMs = c.clock.now();
  const hash = c.digest();
  await c.shutdown();
  return {
    scenario: run.scenario,
    seed: run.options.seed,
    nodes: run.nodes,
    steps: c.steps - run.start,
    faults: run.faults,
    virtualMs,
    violation: c.violation,
    figures: run.figures,
    trace: run.options.keepTrace ? c.traceText : undefined,
    hash,
  };
}
