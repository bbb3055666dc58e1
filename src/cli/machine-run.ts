// `pakaya machine run prog.elf`: runs a bare-metal test ELF in M-mode until it writes tohost.
// Exit status: 0 on pass, the failing test number (1..255) on fail, 3 when the instruction limit
// runs out. --trace prints one line per instruction: pc, raw bits, disassembly, value written.
import { runBareMetal } from '../machine/bare-metal.js';
import { decodeInto } from '../machine/decoder.js';
import { disassemble, instructionLength } from '../machine/disasm.js';
import { parseElf } from '../machine/elf.js';
import { formatProfile } from '../machine/jit/profile.js';
import { DEFAULT_RAM_BASE, type Engine, type Machine } from '../machine/machine.js';
import { lenOf, rdOf, X0_SINK } from '../machine/opcodes.js';
import { readInputFile } from './io.js';

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
  let machine: Machine | undefined;
  const result = runBareMetal(image, {
    ramSize: options.memory,
    engine: options.engine,
    onMachine: (m) => {
      machine = m;
      if (options.profile && m.hart.jit !== undefined) {
        m.hart.jit.profiling = true;
        m.hart.jit.clock = () => performance.now();
      }
    },
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
  if (options.profile && machine?.hart.jit !== undefined) {
    const symbolize = (pc: number): string => {
      const sym = image.symbolize(pc);
      return sym === undefined ? '?' : `${sym.name}+0x${sym.offset.toString(16)}`;
    };
    process.stderr.write(formatProfile(machine.hart.jit, machine.hart.instret, symbolize));
  }
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
