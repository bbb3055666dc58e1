// The one-shot node behind `pakaya run` and `pakaya demo`: one machine, one kernel, driven in
// bounded quanta so the Node.js event loop is never held for long (DESIGN.md §5). When every
// thread is blocked the node sleeps on the host until the next deadline (then jumps the virtual
// clock to it) or until console input arrives.

import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { Kernel, type SpawnRequest } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc.js';
import { type Engine, Machine } from '../machine/machine.js';
import { startServers } from '../servers/boot.js';
import { type ConsoleSink, NodeHost, type NodeHostOptions } from './host-io.js';
import { StdinFeed } from './stdin-feed.js';
import { Wakeup } from './wakeup.js';

/** Instructions per host quantum: a few milliseconds of guest work between event-loop turns. */
export const HOST_QUANTUM = 1_000_000;

export interface LocalRunOptions extends NodeHostOptions {
  ramSize: number;
  sink: ConsoleSink;
  /** Called between quanta with the kernel (demo: live process table, checkpoints). */
  onQuantum?: (kernel: Kernel) => void | Promise<void>;
  /** Called once the programs are spawned, before any runs (the one-shot node attaches its home here). */
  onStart?: (kernel: Kernel, processes: Process[], wakeup: Wakeup) => Promise<void>;
  /** Execution engine (default: the machine's default, the JIT). */
  engine?: Engine;
  /** Called with the machine before anything runs (profiling setup). */
  onMachine?: (machine: Machine) => void;
}

/** Runs the programs to completion on one node; resolves to their processes, in request order. */
export async function runLocal(requests: SpawnRequest[], options: LocalRunOptions): Promise<Process[]> {
  const machine = new Machine({ ramSize: options.ramSize, engine: options.engine });
  options.onMachine?.(machine);
  const host = new NodeHost(options.sink, options);
  const kernel = new Kernel(machine, host);
  const processes = requests.map((request) => kernel.spawn(request));
  startServers(kernel);
  const wakeup = new Wakeup();
  await options.onStart?.(kernel, processes, wakeup);
  const stdin = new StdinFeed(kernel, wakeup);
  try {
    await drive(kernel, host, stdin, wakeup, options.onQuantum);
  } finally {
    stdin.close();
  }
  await host.drained();
  return processes;
}

/**
 * Runs the kernel until no process is left. While every thread is blocked it waits on the host
 * for the next deadline (then jumps the virtual clock there), console input, or a wake-up from the
 * admin API; with nothing that could ever wake a thread, it reports the deadlock and stops.
 */
export async function drive(
  kernel: Kernel,
  host: NodeHost,
  stdin: StdinFeed,
  wakeup: Wakeup,
  onQuantum?: (kernel: Kernel) => void | Promise<void>,
): Promise<void> {
  while (kernel.liveProcesses() > 0) {
    if (!kernel.idle) {
      kernel.step(HOST_QUANTUM);
      if (onQuantum !== undefined) await onQuantum(kernel);
      if (host.backpressure) await host.drained();
      else await yieldToLoop();
      continue;
    }
    if (host.inputWanted) stdin.start();
    stdin.refill();
    const deadline = kernel.nextDeadline();
    const stopped = [...kernel.processes.values()].some((p) => p.alive && p.stopped);
    if (deadline < 0 && !kernel.wantsInput && !stopped) {
      host.report('pakaya: every thread is blocked and nothing can wake one; stopping the node\n');
      for (const p of [...kernel.processes.values()]) if (p.alive) kernel.signal(p, 9);
      break;
    }
    const waitMs = deadline < 0 ? -1 : Math.max(0, (deadline - kernel.now()) / 1e6);
    const woken = await wakeup.wait(waitMs);
    if (!woken && kernel.idle && kernel.nextDeadline() === deadline) kernel.advanceIdle(deadline);
  }
}
