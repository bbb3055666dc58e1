// Kernel micro-benchmarks, run in-process on one kernel: null system calls (getppid), context
// switches (two threads calling sched_yield), demand-zero page faults, and spawn+exit+wait. Each is
// printed as operations per second next to the machine's plain instruction rate (crc32) measured in
// the same run, and as instructions of plain execution one operation costs.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CountingPids, type KernelHost, SeededRandom } from '../src/kernel/host.js';
import { Kernel } from '../src/kernel/kernel.js';
import { Machine } from '../src/machine/machine.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const program = (name: string): Uint8Array => new Uint8Array(readFileSync(`${ROOT}user/bin/${name}.elf`));

interface KernelBench {
  name: string;
  program: string;
  /** Operations the program performs for its argument. */
  ops: number;
  what: string;
  /** Operations per unit of the argument (the yield benchmark does two switches per round). */
  perArg?: number;
}

const BENCHES: KernelBench[] = [
  { name: 'null syscall', program: 'nullsys', ops: 2_000_000, what: 'getppid calls' },
  {
    name: 'context switch',
    program: 'yield',
    ops: 500_000,
    what: 'switches (2 threads yielding)',
    perArg: 2,
  },
  { name: 'page fault', program: 'pagefault', ops: 200_000, what: 'demand-zero faults' },
  { name: 'spawn+exit+wait', program: 'spawnwait', ops: 2_000, what: 'fork, _exit, waitid rounds' },
];

function host(): KernelHost {
  return {
    console: { write: () => {} },
    random: new SeededRandom(1),
    clock: { realtimeNs: () => Date.now() * 1e6 },
    programs: { load: (path) => program(path.replace(/^\/bin\//, '')) },
    pids: new CountingPids(1),
    report: (m) => process.stderr.write(m),
  };
}

/** Runs one program to the end on a fresh node; wall seconds and instructions retired. */
function runOnce(name: string, args: string[]): { seconds: number; instructions: number; code: number } {
  const kernel = new Kernel(new Machine({ ramSize: 256 * 1024 * 1024 }), host());
  const p = kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  const start = performance.now();
  while (kernel.liveProcesses() > 0) {
    if (kernel.idle) {
      const deadline = kernel.nextDeadline();
      if (deadline < 0) throw new Error(`${name}: deadlock`);
      kernel.advanceIdle(deadline);
    } else kernel.step(1_000_000);
  }
  return {
    seconds: (performance.now() - start) / 1000,
    instructions: kernel.instructions,
    code: p.exitCode ?? -1,
  };
}

export function kernelBench(json: boolean): void {
  const plain = runOnce('crc32', ['1000000']);
  const ips = plain.instructions / plain.seconds;
  const rows = BENCHES.map((b) => {
    const arg = b.ops / (b.perArg ?? 1);
    const r = runOnce(b.program, [String(arg)]);
    if (r.code !== 0) throw new Error(`${b.program} exited ${r.code}`);
    const perSecond = b.ops / r.seconds;
    return { ...b, seconds: r.seconds, perSecond, instructionsPerOp: ips / perSecond };
  });
  if (json) {
    process.stdout.write(`${JSON.stringify({ plainMips: ips / 1e6, kernel: rows }, null, 2)}\n`);
    return;
  }
  process.stdout.write(`\nkernel (plain execution: ${(ips / 1e6).toFixed(1)} MIPS)\n`);
  process.stdout.write('operation             per second   cost in plain instructions\n');
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(20)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(12)}   ${Math.round(r.instructionsPerOp).toLocaleString('en-US').padStart(10)}   (${r.ops} ${r.what})\n`,
    );
  }
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  kernelBench(process.argv.includes('--json'));
}
