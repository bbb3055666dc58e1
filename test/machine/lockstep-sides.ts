// Lockstep sides for the tests: a bare-metal session (conformance ELFs, generated programs) and a
// kernel running a user program (user/bin/*.elf), each built for a given engine.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { CountingPids, type KernelHost, NO_PROGRAMS, SeededRandom } from '../../src/kernel/host.js';
import { Kernel } from '../../src/kernel/kernel.js';
import { BareMetalSession } from '../../src/machine/bare-metal.js';
import { parseElf } from '../../src/machine/elf.js';
import type { LockstepSide } from '../../src/machine/jit/lockstep.js';
import { DEFAULT_RAM_BASE, type Engine, Machine } from '../../src/machine/machine.js';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** A bare-metal ELF under HTIF; `output` collects what it prints. */
export class BareMetalSide implements LockstepSide {
  readonly session: BareMetalSession;
  output = '';
  constructor(bytes: Uint8Array, engine: Engine, ramSize = 16 << 20) {
    const image = parseElf(bytes, {
      addressLow: DEFAULT_RAM_BASE,
      addressHigh: DEFAULT_RAM_BASE + ramSize,
      usePhysical: true,
    });
    this.session = new BareMetalSession(image, {
      ramSize,
      engine,
      host: {
        output: (data) => {
          this.output += Buffer.from(data).toString('latin1');
        },
      },
    });
  }
  get machine(): Machine {
    return this.session.machine;
  }
  advance(budget: number): void {
    let left = budget;
    while (left > 0 && this.session.result === undefined) {
      const before = this.machine.hart.instret;
      this.session.step(left);
      left -= Math.max(this.machine.hart.instret - before, 1);
    }
  }
  get finished(): boolean {
    return this.session.result !== undefined;
  }
}

/** A kernel on its own machine running one user program with a seeded host. */
export class KernelSide implements LockstepSide {
  readonly machine: Machine;
  readonly kernel: Kernel;
  /** Everything the program wrote to fd 1; `output` has fd 2 and kernel reports too. */
  stdout = '';
  output = '';
  exitCode: number | undefined = undefined;
  constructor(program: string, args: string[], engine: Engine, ramSize = 64 << 20) {
    this.machine = new Machine({ ramSize, engine });
    const host: KernelHost = {
      console: {
        write: (fd, data) => {
          const text = Buffer.from(data).toString('latin1');
          this.output += text;
          if (fd === 1) this.stdout += text;
        },
      },
      random: new SeededRandom(7),
      clock: { realtimeNs: () => 1_700_000_000_000_000_000 },
      programs: NO_PROGRAMS,
      pids: new CountingPids(1),
      report: (message) => {
        this.output += `[report] ${message}`;
      },
    };
    this.kernel = new Kernel(this.machine, host);
    const file = new Uint8Array(readFileSync(`${ROOT}user/bin/${program}.elf`));
    const proc = this.kernel.spawn({
      file,
      argv: [`user/bin/${program}.elf`, ...args],
      envp: ['PAKAYA_GOLDEN=1'],
    });
    host.exited = () => {
      this.exitCode = proc.exitCode;
    };
  }
  advance(budget: number): void {
    // With every thread asleep, jump the virtual clock to the next deadline (both sides alike).
    const deadline = this.kernel.nextDeadline();
    if (this.kernel.idle && deadline >= 0) this.kernel.advanceIdle(deadline);
    this.kernel.step(budget);
  }
  get finished(): boolean {
    return this.kernel.liveProcesses() === 0 || (this.kernel.idle && this.kernel.nextDeadline() < 0);
  }
}
