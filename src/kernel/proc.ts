// Processes and threads. A thread is its registers plus a state; a process owns an address space,
// its threads, its program break and, once it ends, its exit status. No process state lives in a
// closure: everything here is plain data that a process image can serialise.
import type { ElfImage } from '../machine/elf.js';
import type { AddressSpace, Region } from './vm.js';

export type ThreadState = 'ready' | 'running' | 'blocked' | 'zombie';

export class Thread {
  /** x0..x31 (x0 unused) while the thread is not on the hart. */
  readonly regs = new Int32Array(32);
  pc = 0;
  state: ThreadState = 'ready';
  /** Instructions left in the current scheduler slice. */
  sliceLeft = 0;
  /** Instructions retired by this thread. */
  instructions = 0;

  constructor(
    readonly tid: number,
    readonly process: Process,
  ) {}
}

/** How a process ended: an exit status, or the signal that killed it. */
export type Termination = { kind: 'exited'; status: number } | { kind: 'signaled'; signal: number };

export class Process {
  readonly threads: Thread[] = [];
  /** Start of the heap (page-aligned end of the loaded image) and the current program break. */
  brkStart = 0;
  brk = 0;
  heap: Region | undefined = undefined;
  termination: Termination | undefined = undefined;

  constructor(
    readonly pid: number,
    readonly name: string,
    readonly addressSpace: AddressSpace,
    readonly image: ElfImage,
  ) {}

  get alive(): boolean {
    return this.termination === undefined;
  }

  /** Exit code as a shell reports it: the status, or 128 + signal number. */
  get exitCode(): number | undefined {
    const t = this.termination;
    if (t === undefined) return undefined;
    return t.kind === 'exited' ? t.status : 128 + t.signal;
  }
}
