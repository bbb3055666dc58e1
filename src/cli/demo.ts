// `pakaya demo`: runs the example programs together on one node, each line of output tagged with
// the process that wrote it, then prints how each ended. Exits 0 when every program ended as expected.
import { fileURLToPath } from 'node:url';
import type { Process } from '../kernel/proc.js';
import type { ConsoleSink } from '../node/host-io.js';
import { runLocal } from '../node/local-run.js';
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

/** Prefixes every complete line with `[pid name]`, buffering partial lines per process and fd. */
class TaggedConsole implements ConsoleSink {
  private readonly partial = new Map<string, string>();
  private readonly decoder = new TextDecoder();

  write(fd: 1 | 2, data: Uint8Array, proc: Process): boolean {
    const key = `${proc.pid}:${fd}`;
    const text = (this.partial.get(key) ?? '') + this.decoder.decode(data);
    const lines = text.split('\n');
    this.partial.set(key, lines.pop() ?? '');
    if (lines.length === 0) return true;
    const tag = `[${proc.pid} ${proc.name}] `;
    const stream = fd === 2 ? process.stderr : process.stdout;
    return stream.write(lines.map((line) => `${tag}${line}\n`).join(''));
  }
}

export async function demoCommand(options: { memory: number }): Promise<number> {
  const requests = await Promise.all(
    PROGRAMS.map(async (p) => ({
      file: await readInputFile(`${USER_BIN}${p.name}.elf`),
      argv: [p.name, ...p.args],
      envp: ['PAKAYA_DEMO=1'],
      name: p.name,
    })),
  );
  process.stdout.write(`pakaya demo: ${requests.length} programs on one node\n`);
  const processes = await runLocal(requests, {
    ramSize: options.memory,
    sink: new TaggedConsole(),
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
