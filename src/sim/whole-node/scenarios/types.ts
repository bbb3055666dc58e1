// What every whole-node scenario takes and returns, the one-line summary `pakaya sim --mode nodes`
// prints, and the command that replays a run.
import type { FaultKind } from '../../faults.js';
import type { Violation } from '../../invariants.js';

export interface ScenarioOptions {
  readonly seed: number;
  /** Nodes (each scenario has its default). */
  readonly nodes?: number;
  /** Faults to schedule (each scenario has its default set). */
  readonly faults?: readonly FaultKind[];
  /** Clock events in the fault phase (each scenario has its default). */
  readonly steps?: number;
  /** Keep the trace lines. */
  readonly keepTrace?: boolean;
}

export interface ScenarioResult {
  readonly scenario: string;
  readonly seed: number;
  readonly nodes: number;
  readonly steps: number;
  readonly faults: readonly FaultKind[];
  readonly virtualMs: number;
  /** The first invariant broken (or the scenario's own check that failed). */
  readonly violation: Violation | undefined;
  /** Scenario figures for the summary (name=value). */
  readonly figures: Readonly<Record<string, number>>;
  readonly trace: readonly string[] | undefined;
  readonly hash: string;
}

export interface Scenario {
  readonly name: string;
  readonly description: string;
  /** Fewest nodes the scenario runs on (default 1). */
  readonly minNodes?: number;
  run(o: ScenarioOptions): Promise<ScenarioResult>;
}

/** The command that replays a run. */
export function replayCommand(scenario: string, o: ScenarioOptions): string {
  const parts = [`pakaya sim --mode nodes --scenario ${scenario} --seed ${o.seed}`];
  if (o.nodes !== undefined) parts.push(`--nodes ${o.nodes}`);
  if (o.faults !== undefined) parts.push(`--faults ${o.faults.length === 0 ? 'none' : o.faults.join(',')}`);
  if (o.steps !== undefined) parts.push(`--steps ${o.steps}`);
  return parts.join(' ');
}

export function summarizeScenario(r: ScenarioResult): string {
  const verdict = r.violation ? `FAILED ${r.violation.invariant}` : 'ok';
  const figures = Object.entries(r.figures)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  return (
    `sim mode=nodes scenario=${r.scenario} seed=${r.seed} nodes=${r.nodes} steps=${r.steps} ${verdict} ` +
    `virtual=${Math.round(r.virtualMs)}ms ${figures} hash=${r.hash}`
  );
}
