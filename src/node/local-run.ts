// The one-shot node behind `pakaya run` and `pakaya demo`: one machine, one kernel, driven in
// bounded quanta so the Node.js event loop is never held for long (DESIGN.md §5).
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Kernel, type SpawnRequest } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc.js';
import { type Engine, Machine } from '../machine/machine.js';
import { type ConsoleSink, NodeHost } from './host-io.js';

/** Instructions per host quantum: a few milliseconds of guest work between event-loop turns. */
export const HOST_QUANTUM = 1_000_000;

export interface LocalRunOptions {
  ramSize: number;
  sink: ConsoleSink;
  reports?: (message: string) => void;
  /** Execution engine (default: the machine's default, the JIT). */
  engine?: Engine;
  /** Called with the machine before anything runs (profiling setup). */
  onMachine?: (machine: Machine) => void;
}

/** Runs the programs to completion on one node; resolves to their processes, in request order. */
export async function runLocal(requests: SpawnRequest[], options: LocalRunOptions): Promise<Process[]> {
  const machine = new Machine({ ramSize: options.ramSize, engine: options.engine });
  options.onMachine?.(machine);
  const host = new NodeHost(options.sink, options.reports);
  const kernel = new Kernel(machine, host);
  const processes = requests.map((request) => kernel.spawn(request));
  while (!kernel.idle) {
    kernel.step(HOST_QUANTUM);
    if (host.backpressure) await host.drained();
    else await yieldToLoop();
  }
  await host.drained();
  return processes;
}
