// Test support for kernel tests: a deterministic host that captures console output per process,
// and drivers that run a kernel to the end with the virtual clock jumping over idle time.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CountingPids, type KernelHost, type ProgramStore, SeededRandom } from '../../src/kernel/host.js';
import { checkInvariants, type InvariantView } from '../../src/kernel/invariants.js';
import { Kernel } from '../../src/kernel/kernel.js';
import type { Process } from '../../src/kernel/proc.js';
import { Machine } from '../../src/machine/machine.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export function program(name: string): Uint8Array {
  return new Uint8Array(readFileSync(`${ROOT}user/bin/${name}.elf`));
}

export const userPrograms: ProgramStore = {
  load: (path) => {
    const name = path.replace(/^\/bin\//, '');
    try {
      return program(name);
    } catch {
      return undefined;
    }
  },
};

export class TestHost implements KernelHost {
  readonly out = new Map<number, number[]>();
  readonly err = new Map<number, number[]>();
  readonly reports: string[] = [];
  readonly random = new SeededRandom(42);
  readonly clock = { realtimeNs: (): number => 1_700_000_000_000_000_000 };
  readonly programs = userPrograms;
  readonly pids: CountingPids;
  readonly console = {
    write: (fd: number, data: Uint8Array, p: Process): void => {
      const map = fd === 2 ? this.err : this.out;
      const list = map.get(p.pid) ?? [];
      for (const b of data) list.push(b);
      map.set(p.pid, list);
    },
  };

  constructor(nodeId = 1) {
    this.pids = new CountingPids(nodeId);
  }

  report(message: string): void {
    this.reports.push(message);
  }

  stdout(pid: number): string {
    return Buffer.from(this.out.get(pid) ?? []).toString('latin1');
  }

  /** All stdout, in write order across processes, is not kept; this joins per process by pid order. */
  allStdout(): string {
    return [...this.out.keys()]
      .sort((a, b) => a - b)
      .map((pid) => this.stdout(pid))
      .join('');
  }
}

/** The frame count (a walk of every page table and frame) runs after every this many steps. */
export const FRAME_CHECK_EVERY = 32;

/** The invariant checker as a Kernel.afterEachStep hook: every rule, frames every few steps. */
export function invariantHook(): (view: InvariantView) => void {
  let steps = 0;
  return (view) => checkInvariants(view, { frames: ++steps % FRAME_CHECK_EVERY === 0 });
}

/**
 * A kernel for tests: the invariant checker runs after every slice and trap (Kernel.afterEachStep)
 * and, in full, when runToEnd finishes.
 */
export function newKernel(ramMiB = 64, nodeId = 1): { kernel: Kernel; host: TestHost } {
  const host = new TestHost(nodeId);
  const kernel = new Kernel(new Machine({ ramSize: ramMiB * 1024 * 1024 }), host);
  kernel.afterEachStep = invariantHook();
  return { kernel, host };
}

/**
 * Runs until no process is alive or `limit` instructions have run. When every thread is blocked
 * the virtual clock jumps to the next deadline at once (as the simulator does).
 */
export function runToEnd(kernel: Kernel, limit = 200_000_000): void {
  const start = kernel.instructions;
  while (kernel.liveProcesses() > 0 && kernel.instructions - start < limit) {
    if (!kernel.idle) {
      kernel.step(1_000_000);
      continue;
    }
    const deadline = kernel.nextDeadline();
    if (deadline < 0) throw new Error('every thread is blocked with nothing to wake it');
    kernel.advanceIdle(deadline);
  }
  if (kernel.afterEachStep !== undefined) checkInvariants(kernel.inspect());
}

/** Runs until the node has retired exactly `n` more instructions (or nothing is left to run). */
export function runFor(kernel: Kernel, n: number): void {
  const target = kernel.instructions + n;
  while (kernel.instructions < target && kernel.liveProcesses() > 0) {
    if (kernel.idle) {
      const deadline = kernel.nextDeadline();
      if (deadline < 0) return;
      kernel.advanceIdle(deadline);
      continue;
    }
    kernel.step(target - kernel.instructions);
  }
}

/** `count` checkpoint positions in [1, total), from a fixed xorshift32 seed (reproducible in CI). */
export function checkpointPositions(seed: number, count: number, total: number): number[] {
  let s = seed;
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    out.push(1 + ((s >>> 0) % (total - 1)));
  }
  return out;
}

/** Runs `name args...` alone to its end: its output, exit code and instructions (the reference run). */
export function uninterruptedRun(
  name: string,
  args: string[],
): { out: string; code: number; instructions: number } {
  const { kernel, host } = newKernel(32);
  const p = kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  runToEnd(kernel);
  return { out: host.stdout(p.pid), code: p.exitCode ?? -1, instructions: p.instructions };
}
