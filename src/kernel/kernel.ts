// One node's kernel: owns the machine's RAM through the frame allocator, the process table and the
// run queue. `step(budget)` runs ready threads on the hart in hosted mode (DESIGN.md §4) for at most
// `budget` instructions, handling every exit from the hart: system calls, demand-zero page faults,
// and faults that kill a process with a crash report.
import {
  CAUSE_FETCH_PAGE_FAULT,
  CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_PAGE_FAULT,
  CAUSE_USER_ECALL,
  PRIV_U,
} from '../machine/constants.js';
import { parseElf } from '../machine/elf.js';
import type { Hart } from '../machine/hart.js';
import { EXIT_CAUSE, EXIT_PC, EXIT_TRAP, EXIT_TVAL } from '../machine/hart-state.js';
import type { Machine } from '../machine/machine.js';
import { assert } from './assert.js';
import { loadProgram } from './exec.js';
import { FrameAllocator } from './frames.js';
import type { KernelHost } from './host.js';
import { PROCESS_MAX, SLICE_INSTRUCTIONS, USER_BASE, USER_TOP } from './limits.js';
import { Process, type Termination, Thread } from './proc.js';
import { crashReport } from './report.js';
import { signalForCause } from './signals.js';
import { syscall } from './syscall.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE } from './vm.js';

export class KernelError extends Error {}

export interface SpawnRequest {
  /** The ELF file. */
  file: Uint8Array;
  argv: string[];
  envp: string[];
  /** Name shown in reports and listings (default argv[0]). */
  name?: string;
}

export class Kernel {
  readonly hart: Hart;
  readonly frames: FrameAllocator;
  readonly processes = new Map<number, Process>();
  private readonly runQueue: Thread[] = [];
  private onHart: Thread | undefined = undefined;
  private nextPid = 1;

  constructor(
    readonly machine: Machine,
    readonly host: KernelHost,
  ) {
    this.hart = machine.hart;
    this.hart.hosted = true;
    this.hart.priv = PRIV_U;
    this.frames = new FrameAllocator(machine.memory);
  }

  /** Creates a process running the given static ELF. Throws ElfError, ExecError or KernelError. */
  spawn(request: SpawnRequest): Process {
    if (this.liveProcesses() >= PROCESS_MAX)
      throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
    const image = parseElf(request.file, { addressLow: USER_BASE, addressHigh: USER_TOP });
    if (image.hasInterp)
      throw new KernelError('dynamically linked programs are not supported (PT_INTERP present)');
    const random = new Uint8Array(16);
    this.host.random.fill(random);
    const loaded = loadProgram(this.machine.memory, this.frames, image, request.file, {
      argv: request.argv,
      envp: request.envp,
      random,
    });
    const pid = this.nextPid++;
    const process = new Process(
      pid,
      request.name ?? request.argv[0] ?? `pid${pid}`,
      loaded.addressSpace,
      image,
    );
    process.brkStart = loaded.brkStart;
    process.brk = loaded.brkStart;
    const thread = new Thread(pid, process);
    thread.pc = loaded.entry;
    thread.regs[2] = loaded.sp;
    thread.sliceLeft = SLICE_INSTRUCTIONS;
    process.threads.push(thread);
    this.processes.set(pid, process);
    this.runQueue.push(thread);
    return process;
  }

  liveProcesses(): number {
    let n = 0;
    for (const p of this.processes.values()) if (p.alive) n++;
    return n;
  }

  /** True when no thread is ready to run. */
  get idle(): boolean {
    return this.runQueue.length === 0;
  }

  /**
   * Runs ready threads for at most `budget` instructions (a trap that retires nothing counts as
   * one). Returns the number of budget units used; less than `budget` only when the kernel is idle.
   */
  step(budget: number): number {
    let used = 0;
    while (used < budget) {
      const thread = this.runQueue[0];
      if (thread === undefined) break;
      this.switchTo(thread);
      const hart = this.hart;
      const before = hart.instret;
      const quantum = Math.min(budget - used, thread.sliceLeft);
      const reason = hart.run(quantum);
      const retired = hart.instret - before;
      thread.instructions += retired;
      thread.sliceLeft -= retired;
      used += Math.max(retired, 1);
      if (reason === EXIT_TRAP) this.handleTrap(thread);
      if (thread.state === 'running' && thread.sliceLeft <= 0) {
        thread.sliceLeft = SLICE_INSTRUCTIONS;
        this.runQueue.push(this.runQueue.shift()!);
      }
    }
    return used;
  }

  /** Puts `thread` on the hart, saving whichever thread was there. */
  private switchTo(thread: Thread): void {
    if (this.onHart === thread) return;
    const hart = this.hart;
    this.saveOnHart();
    hart.x.set(thread.regs);
    hart.x[0] = 0;
    hart.pc = thread.pc;
    hart.satp = thread.process.addressSpace.satp;
    hart.tlb.flush();
    hart.reservation = -1;
    thread.state = 'running';
    this.onHart = thread;
  }

  private saveOnHart(): void {
    const current = this.onHart;
    if (current === undefined) return;
    current.regs.set(this.hart.x.subarray(0, 32));
    current.pc = this.hart.pc;
    if (current.state === 'running') current.state = 'ready';
    this.onHart = undefined;
  }

  /** Drops cached translations after page-table entries were removed or narrowed. */
  flushTranslations(): void {
    this.hart.tlb.flush();
  }

  private handleTrap(thread: Thread): void {
    const info = this.hart.exitInfo;
    const cause = info[EXIT_CAUSE]!;
    const tval = info[EXIT_TVAL]! >>> 0;
    assert(info[EXIT_PC] === this.hart.pc, 'exit record pc differs from hart pc');
    if (cause === CAUSE_USER_ECALL) {
      syscall(this, thread);
      return;
    }
    if (
      cause === CAUSE_FETCH_PAGE_FAULT ||
      cause === CAUSE_LOAD_PAGE_FAULT ||
      cause === CAUSE_STORE_PAGE_FAULT
    ) {
      const prot =
        cause === CAUSE_FETCH_PAGE_FAULT
          ? PROT_EXEC
          : cause === CAUSE_LOAD_PAGE_FAULT
            ? PROT_READ
            : PROT_WRITE;
      if (thread.process.addressSpace.resolve(tval, prot) >= 0) return; // demand-zero page: retry
    }
    const signal = signalForCause(cause);
    this.host.report(crashReport(thread, this.hart, cause, tval, signal), thread.process);
    this.exitProcess(thread.process, { kind: 'signaled', signal });
  }

  /** Ends a process: its threads leave the run queue and its memory is freed. */
  exitProcess(process: Process, termination: Termination): void {
    assert(process.alive, `process ${process.pid} exits twice`);
    if (this.onHart !== undefined && this.onHart.process === process) this.onHart = undefined;
    for (const thread of process.threads) {
      thread.state = 'zombie';
      const at = this.runQueue.indexOf(thread);
      if (at >= 0) this.runQueue.splice(at, 1);
    }
    process.termination = termination;
    process.addressSpace.destroy();
    this.hart.tlb.flush();
    this.host.exited?.(process);
  }
}
