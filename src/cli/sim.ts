// `pakaya sim`: runs the deterministic simulator for one seed and prints a one-line summary ending
// with the trace hash; exits 1 when an invariant breaks (printing it and the command that replays
// the run), 2 on bad flags. `--mode protocol` (the default) runs consensus and membership only
// (src/sim/simulator.ts); `--mode nodes` runs a whole-node scenario — kernels on small RAM with the
// registry (src/sim/whole-node/). `--members N` runs the protocol-only membership scale measurement
// instead (src/sim/scale.ts).
import { writeFile } from 'node:fs/promises';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { type FaultKind, parseFaults } from '../sim/faults.js';
import { formatHistory } from '../sim/history.js';
import { SIM_NODES_MAX, SIM_SCALE_MEMBERS_MAX, SIM_STEPS_MAX } from '../sim/limits.js';
import { describeResult } from '../sim/linearizability.js';
import { describeScale, measureMembership } from '../sim/scale.js';
import { replayCommand, type SimOptions, simulate, summarize } from '../sim/simulator.js';
import { WHOLE_NODES_MAX } from '../sim/whole-node/limits.js';
import { DEFAULT_SCENARIO, findScenario, SCENARIOS } from '../sim/whole-node/scenarios/index.js';
import {
  replayCommand as replayScenario,
  type ScenarioOptions,
  summarizeScenario,
} from '../sim/whole-node/scenarios/types.js';
import { UsageError, writeAll } from './io.js';

export interface SimCommandOptions {
  seed: number;
  nodes?: number;
  faults?: FaultKind[];
  steps?: number;
  history?: string;
  trace?: string;
  json?: boolean;
  members?: number;
  mode?: 'protocol' | 'nodes';
  scenario?: string;
}

function intIn(name: string, min: number, max: number) {
  return (value: string): number => {
    if (!/^\d+$/.test(value)) throw new InvalidArgumentError(`${name} must be an integer, not '${value}'`);
    const n = Number(value);
    if (n < min || n > max) throw new InvalidArgumentError(`${name} must be in ${min}..${max}, not ${n}`);
    return n;
  };
}

function faultList(value: string): FaultKind[] {
  const r = parseFaults(value);
  if (typeof r === 'string') throw new InvalidArgumentError(r);
  return r;
}

export function registerSimCommand(program: Command, setExit: (code: Promise<number>) => void): void {
  program
    .command('sim')
    .description('run the deterministic cluster simulator for one seed (docs/simulator.md)')
    .requiredOption('--seed <S>', 'the seed (an integer 0..2^32-1)', intIn('--seed', 0, 0xffffffff))
    .addOption(
      new Option('--nodes <N>', `replicas (1..${SIM_NODES_MAX}; default 5)`).argParser(
        intIn('--nodes', 1, SIM_NODES_MAX),
      ),
    )
    .addOption(
      new Option('--faults <LIST>', 'comma-separated faults, or all / none (default: all)').argParser(
        faultList,
      ),
    )
    .addOption(
      new Option('--steps <K>', `clock events in the fault phase (default 30000)`).argParser(
        intIn('--steps', 1, SIM_STEPS_MAX),
      ),
    )
    .addOption(
      new Option('--mode <MODE>', 'protocol: consensus and membership only; nodes: whole nodes with kernels')
        .choices(['protocol', 'nodes'])
        .default('protocol'),
    )
    .addOption(
      new Option(
        '--scenario <NAME>',
        `with --mode nodes: ${SCENARIOS.map((x) => x.name).join(', ')} (default ${DEFAULT_SCENARIO})`,
      ),
    )
    .option('--history <FILE>', 'write the client history as JSON lines')
    .option('--trace <FILE>', 'write every traced event, one per line')
    .option('--json', 'print the summary as JSON')
    .addOption(
      new Option(
        '--members <N>',
        'protocol-only scale run: N SWIM members; prints how long a change takes to reach all',
      ).argParser(intIn('--members', 2, SIM_SCALE_MEMBERS_MAX)),
    )
    .action((opts: SimCommandOptions) => {
      setExit(simCommand(opts));
    });
}

export async function simCommand(opts: SimCommandOptions): Promise<number> {
  if (opts.members !== undefined) {
    const r = measureMembership(opts.members, opts.seed);
    await writeAll(process.stdout, `${opts.json ? JSON.stringify(r) : describeScale(r)}\n`);
    return r.joinSpreadMs === undefined || r.deathSpreadMs === undefined ? 1 : 0;
  }
  if (opts.mode === 'nodes') return nodesCommand(opts);
  if (opts.scenario !== undefined) throw new UsageError('--scenario needs --mode nodes');
  const o: SimOptions = {
    seed: opts.seed,
    ...(opts.nodes !== undefined ? { nodes: opts.nodes } : {}),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
    ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
    keepTrace: opts.trace !== undefined,
  };
  const r = await simulate(o);
  try {
    if (opts.history !== undefined) await writeFile(opts.history, formatHistory(r.history));
    if (opts.trace !== undefined) await writeFile(opts.trace, `${(r.trace ?? []).join('\n')}\n`);
  } catch (e) {
    throw new UsageError(`cannot write output: ${(e as Error).message}`);
  }
  const replay = replayCommand(o);
  if (opts.json) {
    await writeAll(
      process.stdout,
      `${JSON.stringify({
        seed: r.seed,
        nodes: r.nodes,
        steps: r.steps,
        faults: r.faults,
        virtualMs: r.virtualMs,
        ops: r.ops,
        committed: r.committed,
        elections: r.elections,
        faultsInjected: r.faultsInjected,
        crashes: r.crashes,
        violation: r.violation ?? null,
        linearizability: r.linearizability?.status ?? null,
        hash: r.hash,
        replay,
      })}\n`,
    );
  } else {
    await writeAll(process.stdout, `${summarize(r)}\n`);
    if (r.linearizability?.status === 'unknown')
      await writeAll(process.stdout, `linearizability: ${describeResult(r.linearizability)}\n`);
  }
  if (r.violation) {
    await writeAll(
      process.stderr,
      `pakaya: invariant ${r.violation.invariant} broken at ${r.violation.at.toFixed(1)} ms: ${r.violation.detail}\n` +
        `replay: ${replay}\n`,
    );
    return 1;
  }
  return 0;
}

/** `pakaya sim --mode nodes`: one whole-node scenario for one seed. */
async function nodesCommand(opts: SimCommandOptions): Promise<number> {
  const name = opts.scenario ?? DEFAULT_SCENARIO;
  const scenario = findScenario(name);
  if (!scenario)
    throw new UsageError(`unknown scenario "${name}" (known: ${SCENARIOS.map((x) => x.name).join(', ')})`);
  if (opts.nodes !== undefined && opts.nodes > WHOLE_NODES_MAX)
    throw new UsageError(`--mode nodes runs at most ${WHOLE_NODES_MAX} nodes, not ${opts.nodes}`);
  if (opts.nodes !== undefined && opts.nodes < (scenario.minNodes ?? 1))
    throw new UsageError(`scenario ${name} needs at least ${scenario.minNodes} nodes, not ${opts.nodes}`);
  if (opts.history !== undefined)
    throw new UsageError('--history is for --mode protocol (its client workload)');
  const o: ScenarioOptions = {
    seed: opts.seed,
    ...(opts.nodes !== undefined ? { nodes: opts.nodes } : {}),
    ...(opts.faults !== undefined ? { faults: opts.faults } : {}),
    ...(opts.steps !== undefined ? { steps: opts.steps } : {}),
    keepTrace: opts.trace !== undefined,
  };
  const r = await scenario.run(o);
  try {
    if (opts.trace !== undefined) await writeFile(opts.trace, `${(r.trace ?? []).join('\n')}\n`);
  } catch (e) {
    throw new UsageError(`cannot write output: ${(e as Error).message}`);
  }
  const replay = replayScenario(name, o);
  if (opts.json) {
    await writeAll(
      process.stdout,
      `${JSON.stringify({
        mode: 'nodes',
        scenario: r.scenario,
        seed: r.seed,
        nodes: r.nodes,
        steps: r.steps,
        faults: r.faults,
        virtualMs: r.virtualMs,
        figures: r.figures,
        violation: r.violation ?? null,
        hash: r.hash,
        replay,
      })}\n`,
    );
  } else await writeAll(process.stdout, `${summarizeScenario(r)}\n`);
  if (r.violation) {
    await writeAll(
      process.stderr,
      `pakaya: invariant ${r.violation.invariant} broken at ${r.violation.at.toFixed(1)} ms: ${r.violation.detail}\n` +
        `replay: ${replay}\n`,
    );
    return 1;
  }
  return 0;
}
