// The `pakaya` command line: parses argv with commander and dispatches to subcommands.
import { Command } from 'commander';

export async function main(argv: string[]): Promise<number> {
  const program = new Command('pakaya');
  program.description('Pakaya: a distributed microkernel on an emulated RISC-V machine');
  let exitCode = 0;
  program
    .command('version')
    .description('print the version')
    .action(() => {
      process.stdout.write('pakaya 0.1.0\n');
      exitCode = 0;
    });
  await program.parseAsync(argv);
  return exitCode;
}
