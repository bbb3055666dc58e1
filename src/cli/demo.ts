// `pakaya demo`: runs the example programs together on one node, each line of output tagged with
// the process that wrote it, then prints how each ended. Exits 0 when every program ended as expected.
import { fileURLToPath } from 'node:url';
import { formatNodeId } from '../node/node-kernel.js';
import { runOneshot } from '../node/oneshot.js';
import { TaggedConsole } from '../node/tagged-console.js';
import { readInputFile } from './io.js';

/** The committed example programs, relative to the package root. */
export const USER_BIN = fileURLToPath(new URL('../../../user/bin/', import.meta.url));

interface DemoProgram {
  name: string;
  args: string[];
  /** Exit code the program should end with. */
  expect: number;
}

const PROGRAMS: DemoProgram[] = [
  { name: 'hello', args: ['from', 'the', 'demo'], expect: 0 },
  { name: 'crc32', args: ['2000'], expect: 0 },
  { name: 'sha256', args: ['200'], expect: 0 },
  { name: 'qsort', args: ['2000'], expect: 0 },
  { name: 'matmul', args: ['24'], expect: 0 },
  { name: 'dhrystone', args: ['2000'], expect: 0 },
  { name: 'ptrchase', args: ['4096'], expect: 0 },
  { name: 'segv', args: [], expect: 139 },
];

export async function demoCommand(options: { memory: number }): Promise<number> {
  const requests = await Promise.all(
    PROGRAMS.map(async (p) => ({
      file: await readInputFile(`${USER_BIN}${p.name}.elf`),
      argv: [p.name, ...p.args],
      envp: ['PAKAYA_DEMO=1'],
      name: p.name,
    })),
  );
  const processes = await runOneshot(requests, {
    ramSize: options.memory,
    sink: new TaggedConsole((proc) => `${proc.pid} ${proc.name}`),
    onReady: (home) => {
      const nodeId = formatNodeId(home.identity.id);
      process.stdout.write(`pakaya demo: ${requests.length} programs on node ${nodeId} (home ${home.dir})\n`);
    },
    reports: (message) => process.stdout.write(`${message.trimEnd().replace(/^/gm, '  | ')}\n`),
  });
  let ok = true;
  processes.forEach((proc, i) => {
    const expected = PROGRAMS[i]?.expect ?? 0;
    const code = proc.exitCode;
    const verdict = code === expected ? 'as expected' : `UNEXPECTED (wanted ${expected})`;
    if (code !== expected) ok = false;
    process.stdout.write(`  pid ${proc.pid} ${proc.name}: exit ${code} ${verdict}\n`);
  });
  process.stdout.write(ok ? 'pakaya demo: done\n' : 'pakaya demo: some programs did not end as expected\n');
  return ok ? 0 : 1;
}
