// The reference a scenario compares against: a program run alone, uninterrupted, on a fresh kernel
// (same RAM, system servers started) with the clock jumping over idle time — each of its processes'
// standard output and exit code. Deterministic: no host input at all.
import { CountingPids } from '../../kernel/host.js';
import { Kernel } from '../../kernel/kernel.js';
import { Machine } from '../../machine/machine.js';
import { SeededRandom } from '../../net/random.js';
import { VirtualClock } from '../../net/virtual-clock.js';
import { startServers } from '../../servers/boot.js';
import type { Programs } from './programs.js';
import { SimHost } from './sim-host.js';

export interface ReferenceRun {
  /** Each process's standard output, sorted (a multiset: processes are matched by content). */
  readonly outputs: readonly string[];
  /** Each process's exit code, sorted. */
  readonly codes: readonly number[];
  readonly instructions: number;
}

/** Instructions a reference run may take before it is declared endless. */
export const REFERENCE_INSTRUCTIONS_MAX = 200_000_000;

const cache = new Map<string, ReferenceRun>();

export function referenceRun(
  programs: Programs,
  ramMiB: number,
  program: string,
  args: readonly string[],
): ReferenceRun {
  const key = `${ramMiB} ${program} ${args.join(' ')}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const out = new Map<string, string>();
  const codes = new Map<string, number>();
  const host = new SimHost(programs, new CountingPids(0xfff), new SeededRandom(1), new VirtualClock(), {
    output: (p, fd, data) => {
      if (fd === 1) out.set(p.npid, (out.get(p.npid) ?? '') + Buffer.from(data).toString('latin1'));
    },
    exited: (p) => codes.set(p.npid, p.exitCode ?? -1),
    report: () => undefined,
  });
  const kernel = new Kernel(new Machine({ ramSize: ramMiB * 1024 * 1024 }), host);
  startServers(kernel);
  kernel.spawn({ file: programs.get(program), argv: [program, ...args], envp: [] });
  while (kernel.liveProcesses() > 0 && kernel.instructions < REFERENCE_INSTRUCTIONS_MAX) {
    if (!kernel.idle) {
      kernel.step(1_000_000);
      continue;
    }
    const deadline = kernel.nextDeadline();
    if (deadline < 0) throw new Error(`reference run of ${program}: every thread is blocked for good`);
    kernel.advanceIdle(deadline);
  }
  if (kernel.liveProcesses() > 0) throw new Error(`reference run of ${program} did not end`);
  for (const npid of codes.keys()) if (!out.has(npid)) out.set(npid, '');
  const run: ReferenceRun = {
    outputs: [...out.values()].sort(),
    codes: [...codes.values()].sort((a, b) => a - b),
    instructions: kernel.instructions,
  };
  cache.set(key, run);
  return run;
}
