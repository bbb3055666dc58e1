// A machine: physical memory, one hart and the CLINT, wired together. Loading an ELF image copies
// its PT_LOAD segments into RAM at their physical addresses and zero-fills the rest of each segment.
import { CLINT_BASE, Clint } from './clint.js';
import type { ElfImage } from './elf.js';
import { Hart } from './hart.js';
import { JitEngine } from './jit/engine.js';
import { PhysicalMemory } from './memory.js';

export const DEFAULT_RAM_BASE = 0x80000000;
export const DEFAULT_RAM_SIZE = 128 * 1024 * 1024;

export interface MachineOptions {
  /** Physical address of the first byte of RAM (default 0x80000000). */
  ramBase?: number;
  /** RAM size in bytes, a multiple of 64 KiB (default 128 MiB). */
  ramSize?: number;
  /** Execution engine: the JIT (default) or the interpreter alone (the reference). */
  engine?: Engine;
}

export type Engine = 'interp' | 'jit';
export const ENGINES: readonly Engine[] = ['interp', 'jit'];

export class Machine {
  readonly memory: PhysicalMemory;
  readonly hart: Hart;
  readonly clint: Clint;

  constructor(options: MachineOptions = {}) {
    this.memory = new PhysicalMemory(
      options.ramBase ?? DEFAULT_RAM_BASE,
      options.ramSize ?? DEFAULT_RAM_SIZE,
    );
    this.hart = new Hart(this.memory);
    if ((options.engine ?? 'jit') === 'jit') this.hart.jit = new JitEngine(this.hart);
    this.clint = new Clint(this.hart);
    if (
      CLINT_BASE + this.clint.size <= this.memory.base ||
      CLINT_BASE >= this.memory.base + this.memory.size
    ) {
      this.hart.devices.push(this.clint);
    }
  }

  /** Copies the image's segments into RAM by physical address; the caller checked they fit. */
  loadPhysical(image: ElfImage): void {
    for (const segment of image.segments) {
      const off = this.memory.offsetOf(segment.paddr, Math.max(segment.memsz, 1));
      if (off < 0) throw new RangeError(`segment at 0x${segment.paddr.toString(16)} is outside RAM`);
      this.memory.writeBytes(off, segment.data);
      this.memory.fill(off + segment.filesz, segment.memsz - segment.filesz);
    }
  }
}
