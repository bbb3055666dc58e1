// The bare-metal runner: loads a test ELF into a machine, starts the hart in M-mode at the entry
// point, and runs until the program writes `tohost` (the HTIF convention of riscv-tests), the
// instruction limit runs out, or an optional tracer sees every instruction.
import { ACCESS_FETCH } from './constants.js';
import { ElfError, type ElfImage } from './elf.js';
import { HTIF_GRACE_INSTRUCTIONS, Htif, type HtifHost } from './htif.js';
import { Machine, type MachineOptions } from './machine.js';
import { translate } from './mmu.js';

/** Instructions per `run` call: bounds how long the host waits between HTIF polls. */
const CHUNK = 1 << 20;

export type BareMetalStatus = 'pass' | 'fail' | 'limit';

export interface BareMetalResult {
  status: BareMetalStatus;
  /** HTIF exit code: 0 for pass, the failing test number otherwise. */
  code: number;
  /** Instructions retired. */
  instructions: number;
}

export interface BareMetalOptions extends MachineOptions {
  maxInstructions: number;
  host: HtifHost;
  /** Called with the machine before it runs (the CLI turns on the JIT profile here). */
  onMachine?: (machine: Machine) => void;
  /** Called once per instruction (slow): pc, raw instruction, and the machine after it ran. */
  trace?: (pc: number, raw: number, machine: Machine, trapped: boolean) => void;
}

/** Builds a machine for `image`, checking that the image fits its RAM and has a `tohost` symbol. */
export function prepareBareMetal(
  image: ElfImage,
  options: MachineOptions,
): { machine: Machine; tohost: number } {
  const machine = new Machine(options);
  const tohost = image.symbol('tohost');
  if (tohost === undefined) throw new ElfError('ELF: no `tohost` symbol: not a bare-metal test program');
  machine.loadPhysical(image);
  machine.hart.pc = image.entry | 0;
  return { machine, tohost: tohost.value };
}

/**
 * A bare-metal run that advances in steps: the host side of HTIF (tohost polling with the grace
 * for 64-bit commands) between `run` calls. Two sessions given the same steps stay in lockstep.
 */
export class BareMetalSession {
  readonly machine: Machine;
  readonly htif: Htif;
  /** Set once the guest has written an exit command. */
  result: BareMetalResult | undefined = undefined;
  private graceLeft = -1;

  constructor(image: ElfImage, options: MachineOptions & { host: HtifHost }) {
    const { machine, tohost } = prepareBareMetal(image, options);
    this.machine = machine;
    const mem = machine.memory;
    const hart = machine.hart;
    const tohostOff = mem.offsetOf(tohost, 8);
    if (tohostOff < 0) throw new ElfError(`ELF: tohost 0x${tohost.toString(16)} is outside RAM`);
    const fromhost = image.symbol('fromhost');
    const fromhostOff = fromhost === undefined ? -1 : mem.offsetOf(fromhost.value, 8);
    const htif = new Htif(mem, tohostOff, fromhostOff, options.host);
    this.htif = htif;
    mem.writeHook = (off, size) => {
      if (htif.noteWrite(off, size)) {
        hart.stopRequested = true;
        hart.stopSlice = true;
      }
    };
  }

  /** Runs at most `budget` instructions (fewer while a tohost command waits), then serves HTIF. */
  step(budget: number, runner: (budget: number) => void = (b) => void this.machine.hart.run(b)): void {
    const hart = this.machine.hart;
    const htif = this.htif;
    if (this.result !== undefined) return;
    // A write to tohost's low word alone is acted on after a short grace, so a 64-bit command written
    // low word first is seen whole; a write to the high word is acted on at once.
    if (this.graceLeft >= 0) budget = Math.min(budget, Math.max(this.graceLeft, 1));
    const before = hart.instret;
    runner(budget);
    if (!htif.pending) return;
    if (this.graceLeft >= 0) this.graceLeft -= Math.max(hart.instret - before, 1);
    else if (!htif.pendingHigh) {
      this.graceLeft = HTIF_GRACE_INSTRUCTIONS;
      return;
    }
    if (htif.pendingHigh || this.graceLeft <= 0) {
      this.graceLeft = -1;
      htif.process();
      if (htif.exitCode !== undefined) {
        this.result = {
          status: htif.exitCode === 0 ? 'pass' : 'fail',
          code: htif.exitCode,
          instructions: hart.instret,
        };
      }
    }
  }
}

export function runBareMetal(image: ElfImage, options: BareMetalOptions): BareMetalResult {
  const session = new BareMetalSession(image, options);
  const machine = session.machine;
  options.onMachine?.(machine);
  const hart = machine.hart;
  const limit = options.maxInstructions;
  const trace = options.trace;
  const runner = trace === undefined ? undefined : () => traceStep(machine, trace);
  while (hart.instret < limit) {
    session.step(Math.min(CHUNK, limit - hart.instret), runner);
    if (session.result !== undefined) return session.result;
  }
  return { status: 'limit', code: -1, instructions: hart.instret };
}

/** Runs one instruction (or takes one trap) and reports it to the tracer. */
function traceStep(machine: Machine, trace: NonNullable<BareMetalOptions['trace']>): void {
  const hart = machine.hart;
  const pc = hart.pc;
  let raw = 0;
  const paddr = translate(hart, pc, ACCESS_FETCH);
  hart.trapPending = false;
  if (paddr >= 0) {
    const off = machine.memory.offsetOf(paddr, 2);
    if (off >= 0) {
      raw = machine.memory.read16(off);
      if ((raw & 3) === 3) {
        const hiOff = machine.memory.offsetOf(paddr + 2, 2);
        if (hiOff >= 0) raw = (raw | (machine.memory.read16(hiOff) << 16)) >>> 0;
      }
    }
  }
  const before = hart.instret;
  hart.run(1);
  trace(pc, raw, machine, hart.instret === before);
}
