// `pakaya machine run prog.elf`: runs a bare-metal test ELF in M-mode until it writes tohost.
// Exit status: 0 on pass, the failing test number (1..255) on fail, 3 when the instruction limit
// runs out. --trace prints one line per instruction: pc, raw bits, disassembly, value written.
import { runBareMetal } from '../machine/bare-metal.js';
import { decodeInto } from '../machine/decoder.js';
import { disassemble, instructionLength } from '../machine/disasm.js';
import { parseElf } from '../machine/elf.js';
import { DEFAULT_RAM_BASE, type Engine } from '../machine/machine.js';
import { lenOf, rdOf, X0_SINK } from '../machine/opcodes.js';
import { readInputFile } from './io.js';
import { ProfileOption } from './profile.js';

export interface MachineRunOptions {
  maxInstructions: number;
  trace: boolean;
  memory: number;
  engine?: Engine;
  profile?: boolean;
}

export const EXIT_LIMIT = 3;

const hex = (n: number, digits = 8): string => `0x${(n >>> 0).toString(16).padStart(digits, '0')}`;

export async function machineRun(path: string, options: MachineRunOptions): Promise<number> {
  const bytes = await readInputFile(path);
  const image = parseElf(bytes, {
    addressLow: DEFAULT_RAM_BASE,
    addressHigh: DEFAULT_RAM_BASE + options.memory,
    usePhysical: true,
  });
  const out: string[] = [];
  const flush = (): void => {
    if (out.length > 0) process.stdout.write(out.join(''));
    out.length = 0;
  };
  const scratch = new Int32Array(2);
  const profile = new ProfileOption(options.profile === true);
  const result = runBareMetal(image, {
    ramSize: options.memory,
    engine: options.engine,
    onMachine: profile.attach,
    maxInstructions: options.maxInstructions,
    host: {
      output: (data, fd) => {
        flush();
        (fd === 2 ? process.stderr : process.stdout).write(data);
      },
    },
    trace: options.trace
      ? (pc, raw, machine, trapped) => {
          const hart = machine.hart;
          let line = `${hex(pc)} (${hex(raw, instructionLength(raw) * 2)}) ${disassemble(raw, pc)}`;
          if (trapped) {
            const cause = hart.priv === 1 ? hart.scause : hart.mcause;
            line += `  trap cause=${hex(cause)} -> ${hex(hart.pc)}`;
          } else {
            decodeInto(raw, scratch, 0);
            const rd = rdOf(scratch[0] ?? 0);
            if (rd !== X0_SINK && lenOf(scratch[0] ?? 0) !== 0) line += `  x${rd}=${hex(hart.x[rd] ?? 0)}`;
          }
          out.push(`${line}\n`);
          if (out.length >= 4096) flush();
        }
      : undefined,
  });
  flush();
  profile.report(image.symbolize);
  if (result.status === 'pass') {
    process.stderr.write(`PASS (${result.instructions} instructions)\n`);
    return 0;
  }
  if (result.status === 'fail') {
    process.stderr.write(`FAIL: test ${result.code} (${result.instructions} instructions)\n`);
    return Math.min(Math.max(result.code, 1), 255);
  }
  process.stderr.write(`pakaya: no tohost write within ${options.maxInstructions} instructions\n`);
  return EXIT_LIMIT;
}
