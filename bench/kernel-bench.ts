// Kernel micro-benchmarks, run in-process on one kernel: null system calls (getppid), context
// switches (two threads calling sched_yield), demand-zero page faults, spawn+exit+wait, and IPC
// (call/reply round trips between two processes, one-way messages of 64 B and 4 KiB). Each is
// printed as operations per second next to the machine's plain instruction rate (crc32) measured in
// the same run, and as instructions of plain execution one operation costs. The IPC round trip is
// also given in null system calls (the goal is at most 10, issue 12), one-way messages in MB/s.
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
  /** Arguments after the count (ipcbench's mode). */
  mode?: string;
  /** Payload bytes per operation (one-way messages: printed as MB/s). */
  bytes?: number;
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
  {
    name: 'IPC round trip',
    program: 'ipcbench',
    mode: 'call',
    ops: 100_000,
    what: 'call/reply round trips, two processes',
  },
  {
    name: 'IPC one-way 64 B',
    program: 'ipcbench',
    mode: 'send64',
    ops: 100_000,
    what: 'messages of 64 bytes, two processes',
    bytes: 64,
  },
  {
    name: 'IPC one-way 4 KiB',
    program: 'ipcbench',
    mode: 'send4k',
    ops: 50_000,
    what: 'messages of 4096 bytes, two processes',
    bytes: 4096,
  },
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
    const r = runOnce(b.program, [String(arg), ...(b.mode !== undefined ? [b.mode] : [])]);
    if (r.code !== 0) throw new Error(`${b.program} exited ${r.code}`);
    const perSecond = b.ops / r.seconds;
    const mbPerSecond = b.bytes !== undefined ? (perSecond * b.bytes) / 1e6 : undefined;
    return { ...b, seconds: r.seconds, perSecond, instructionsPerOp: ips / perSecond, mbPerSecond };
  });
  const nullRate = rows.find((r) => r.program === 'nullsys')?.perSecond ?? Number.NaN;
  const roundTrip = rows.find((r) => r.mode === 'call');
  const nullSyscallsPerRoundTrip = roundTrip !== undefined ? nullRate / roundTrip.perSecond : undefined;
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ plainMips: ips / 1e6, kernel: rows, nullSyscallsPerRoundTrip }, null, 2)}\n`,
    );
    return;
  }
  process.stdout.write(`\nkernel (plain execution: ${(ips / 1e6).toFixed(1)} MIPS)\n`);
  process.stdout.write('operation             per second   cost in plain instructions\n');
  for (const r of rows) {
    process.stdout.write(
      `${r.name.padEnd(20)} ${Math.round(r.perSecond).toLocaleString('en-US').padStart(12)}   ${Math.round(r.instructionsPerOp).toLocaleString('en-US').padStart(10)}   (${r.ops} ${r.what}${r.mbPerSecond !== undefined ? `; ${r.mbPerSecond.toFixed(1)} MB/s` : ''})\n`,
    );
  }
  if (nullSyscallsPerRoundTrip !== undefined)
    process.stdout.write(
      `IPC round trip (call/reply, two processes) = ${nullSyscallsPerRoundTrip.toFixed(1)} null syscalls (goal: <= 10)\n`,
    );
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  kernelBench(process.argv.includes('--json'));
}
