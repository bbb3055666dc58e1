// `--profile` for `run` and `machine run`: switches on the JIT's profiling when a machine is built,
// and afterwards prints where guest and host time went, with symbols.
import { formatProfile } from '../machine/jit/profile.js';
import type { Machine } from '../machine/machine.js';

type Symbolize = (addr: number) => { name: string; offset: number } | undefined;

export class ProfileOption {
  private machine: Machine | undefined = undefined;

  constructor(private readonly enabled: boolean) {}

  /** Pass as `onMachine`: remembers the machine and turns profiling on. */
  readonly attach = (m: Machine): void => {
    this.machine = m;
    if (this.enabled && m.hart.jit !== undefined) {
      m.hart.jit.profiling = true;
      m.hart.jit.clock = () => performance.now();
    }
  };

  /** Prints the profile to stderr (when enabled and the JIT ran). */
  report(symbols: Symbolize | undefined): void {
    const jit = this.machine?.hart.jit;
    if (!this.enabled || jit === undefined || symbols === undefined || this.machine === undefined) return;
    const symbolize = (pc: number): string => {
      const sym = symbols(pc);
      return sym === undefined ? '?' : `${sym.name}+0x${sym.offset.toString(16)}`;
    };
    process.stderr.write(formatProfile(jit, this.machine.hart.instret, symbolize));
  }
}
