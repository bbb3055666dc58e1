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

export function runBareMetal(image: ElfImage, options: BareMetalOptions): BareMetalResult {
  const { machine, tohost } = prepareBareMetal(image, options);
  const mem = machine.memory;
  const hart = machine.hart;
  const tohostOff = mem.offsetOf(tohost, 8);
  if (tohostOff < 0) throw new ElfError(`ELF: tohost 0x${tohost.toString(16)} is outside RAM`);
  const fromhost = image.symbol('fromhost');
  const fromhostOff = fromhost === undefined ? -1 : mem.offsetOf(fromhost.value, 8);
  const htif = new Htif(mem, tohostOff, fromhostOff, options.host);
  mem.writeHook = (off, size) => {
    if (htif.noteWrite(off, size)) {
      hart.stopRequested = true;
      hart.stopSlice = true;
    }
  };

  const limit = options.maxInstructions;
  // A write to tohost's low word alone is acted on after a short grace, so a 64-bit command written
  // low word first is seen whole; a write to the high word is acted on at once.
  let graceLeft = -1;
  while (hart.instret < limit) {
    let budget = Math.min(CHUNK, limit - hart.instret);
    if (graceLeft >= 0) budget = Math.min(budget, Math.max(graceLeft, 1));
    const before = hart.instret;
    if (options.trace) traceStep(machine, options.trace);
    else hart.run(budget);
    if (!htif.pending) continue;
    if (graceLeft >= 0) graceLeft -= Math.max(hart.instret - before, 1);
    else if (!htif.pendingHigh) {
      graceLeft = HTIF_GRACE_INSTRUCTIONS;
      continue;
    }
    if (htif.pendingHigh || graceLeft <= 0) {
      graceLeft = -1;
      htif.process();
      if (htif.exitCode !== undefined) {
        return {
          status: htif.exitCode === 0 ? 'pass' : 'fail',
          code: htif.exitCode,
          instructions: hart.instret,
        };
      }
    }
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
