// `pakaya demo`: runs the example programs together on one node at different priorities, each line
// of output tagged with the NPID of the process that wrote it, with a live process table; one program
// crashes (its report is shown, the others go on) and one is checkpointed, killed and restored from
// its image. Prints how each ended; exits 0 when every program ended as expected.
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc.js';
import { formatNodeId } from '../node/node-kernel.js';
import { runOneshot } from '../node/oneshot.js';
import { printable, printableLines } from '../node/printable.js';
import { TaggedConsole } from '../node/tagged-console.js';
import { readInputFile } from './io.js';

/** The committed example programs, relative to the package root. */
export const USER_BIN = fileURLToPath(new URL('../../../user/bin/', import.meta.url));

interface DemoProgram {
  name: string;
  args: string[];
  /** Nice value: -20 (highest priority) .. 19 (lowest). */
  nice: number;
  /** Exit code the program should end with. */
  expect: number;
}

const PROGRAMS: DemoProgram[] = [
  { name: 'hello', args: ['from', 'the', 'demo'], nice: 0, expect: 0 },
  { name: 'crc32', args: ['2000000'], nice: -5, expect: 0 },
  { name: 'sha256', args: ['200000'], nice: 0, expect: 0 },
  { name: 'qsort', args: ['50000'], nice: 5, expect: 0 },
  { name: 'matmul', args: ['64'], nice: 10, expect: 0 },
  { name: 'dhrystone', args: ['20000'], nice: 19, expect: 0 },
  { name: 'ptrchase', args: ['4096'], nice: 0, expect: 0 },
  { name: 'segv', args: [], nice: 0, expect: 139 },
  // IPC and synchronisation examples (issue 5): call/reply, an RPC server with three clients, a
  // pipeline of processes, a producer/consumer pair on shared memory with futexes, and the
  // system servers reached through the bootstrap capabilities.
  { name: 'ipc_pingpong', args: ['1000'], nice: 0, expect: 0 },
  { name: 'ipc_rpc', args: [], nice: 0, expect: 0 },
  { name: 'ipc_pipeline', args: [], nice: 0, expect: 0 },
  { name: 'prodcons', args: [], nice: 0, expect: 0 },
  { name: 'names', args: [], nice: 0, expect: 0 },
];

/** The program the demo checkpoints, kills and restores, and when (its own instructions). */
const CHECKPOINTED = 'sha256';
const CHECKPOINT_AT = 5_000_000;
/** Node instructions between two prints of the process table. */
const TABLE_EVERY = 15_000_000;

function table(kernel: Kernel): string {
  const rows = kernel
    .listProcesses()
    .map(
      (p) =>
        `  ${p.npid.padEnd(12)} ${p.state.padEnd(9)} ${String(p.priority).padStart(4)} ` +
        `${(p.cpuInstructions / 1e6).toFixed(1).padStart(7)}M ${String(p.memoryPages).padStart(5)}  ${printable(p.name)}`,
    );
  const header = `  ${'NPID'.padEnd(12)} ${'STATE'.padEnd(9)} ${'NICE'.padStart(4)} ${'CPU'.padStart(8)} ${'PAGES'.padStart(5)}  NAME`;
  return `--- process table at ${(kernel.instructions / 1e6).toFixed(0)}M instructions ---\n${header}\n${rows.join('\n')}\n`;
}

export async function demoCommand(options: { memory: number }): Promise<number> {
  const requests = await Promise.all(
    PROGRAMS.map(async (p) => ({
      file: await readInputFile(`${USER_BIN}${p.name}.elf`),
      argv: [p.name, ...p.args],
      envp: ['PAKAYA_DEMO=1'],
      name: p.name,
      nice: p.nice,
    })),
  );
  let nextTable = TABLE_EVERY;
  let restored: Process | undefined;
  let checkpointNote = `${CHECKPOINTED} was not checkpointed`;
  const processes = await runOneshot(requests, {
    ramSize: options.memory,
    sink: new TaggedConsole((proc) => `${proc.npid} ${proc.name}`),
    onReady: (home) => {
      process.stdout.write(
        `pakaya demo: ${requests.length} programs on node ${formatNodeId(home.identity.id)} (home ${home.dir})\n`,
      );
    },
    onQuantum: (kernel) => {
      if (kernel.instructions >= nextTable) {
        nextTable = kernel.instructions + TABLE_EVERY;
        process.stdout.write(table(kernel));
      }
      const target = [...kernel.processes.values()].find((p) => p.name === CHECKPOINTED && p.alive);
      if (restored === undefined && target !== undefined && target.instructions >= CHECKPOINT_AT) {
        const image = kernel.checkpoint(target.pid);
        const at = target.instructions;
        kernel.kill(target.pid, 9);
        restored = kernel.findProcess(kernel.restore(image));
        checkpointNote =
          `${CHECKPOINTED} ${target.npid} checkpointed at ${at} instructions (${image.length} byte image), ` +
          `killed, and restored as ${restored?.npid}`;
        process.stdout.write(`--- ${checkpointNote} ---\n`);
      }
    },
    reports: (message) =>
      process.stdout.write(`${printableLines(message.trimEnd()).replace(/^/gm, '  | ')}\n`),
  });
  let ok = true;
  processes.forEach((proc, i) => {
    const program = PROGRAMS[i];
    const replaced = program?.name === CHECKPOINTED && restored !== undefined;
    const expected = replaced ? 137 : (program?.expect ?? 0);
    const code = proc.exitCode;
    const verdict = code === expected ? 'as expected' : `UNEXPECTED (wanted ${expected})`;
    if (code !== expected) ok = false;
    const note = replaced ? ' (killed after its checkpoint)' : '';
    process.stdout.write(
      `  ${proc.npid} ${proc.name} nice ${program?.nice}: exit ${code} ${verdict}${note}\n`,
    );
  });
  if (restored === undefined || restored.exitCode !== 0) ok = false;
  if (restored !== undefined) {
    process.stdout.write(`  ${restored.npid} ${restored.name} (restored): exit ${restored.exitCode}\n`);
  }
  process.stdout.write(`  ${checkpointNote}\n`);
  process.stdout.write(ok ? 'pakaya demo: done\n' : 'pakaya demo: some programs did not end as expected\n');
  return ok ? 0 : 1;
}
