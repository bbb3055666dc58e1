// `pakaya run prog.elf [args...]`: runs a static RISC-V Linux ELF as a process on a one-shot node.
// fds 1 and 2 pass through raw; the exit status is the program's (128 + signal after a fatal fault),
// so output and status match `qemu-riscv32 prog.elf args...`. Crash reports go to stderr. The node
// serves its admin API from a one-shot home (<base>/oneshot/pid-<pid>) while the program runs;
// nothing about it is printed.
import type { Engine } from '../machine/machine.js';
import { rawConsole } from '../node/host-io.js';
import { runOneshot } from '../node/oneshot.js';
import { readInputFile } from './io.js';
import { ProfileOption } from './profile.js';

export interface RunOptions {
  memory: number;
  stats?: boolean;
  engine?: Engine;
  profile?: boolean;
}

export async function runCommand(path: string, args: string[], options: RunOptions): Promise<number> {
  const file = await readInputFile(path);
  const envp = Object.entries(process.env).map(([key, value]) => `${key}=${value ?? ''}`);
  const started = performance.now();
  const profile = new ProfileOption(options.profile === true);
  const [proc] = await runOneshot([{ file, argv: [path, ...args], envp }], {
    ramSize: options.memory,
    sink: rawConsole,
    engine: options.engine,
    onMachine: profile.attach,
  });
  profile.report(proc?.symbols.symbolize);
  if (options.stats && proc !== undefined) {
    const seconds = (performance.now() - started) / 1000;
    const instructions = proc.instructions; // every thread's, exited ones included
    process.stderr.write(
      `pakaya: ${instructions} instructions in ${seconds.toFixed(3)} s (${(instructions / seconds / 1e6).toFixed(1)} MIPS)\n`,
    );
  }
  return proc?.exitCode ?? 1;
}
