// TEMPORARY GLUE, deleted when the kernel implements NodeKernel itself: presents today's Kernel
// (src/kernel/kernel.ts) to the node as a NodeKernel. It gives each process an NPID from the home's
// PidSource (today's kernel numbers pids itself, from 1, per run), terminates processes for signals
// whose default action is to terminate, and answers what today's kernel cannot do yet
// (SIGSTOP/SIGCONT, checkpoint, restore, event counters) with ENOSYS or NotImplementedError.
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc.js';
import {
  formatNpid,
  type KernelCounters,
  type NodeKernel,
  NotImplementedError,
  type PidSource,
  type ProcessInfo,
  type ProcessState,
} from './node-kernel.js';
import { SIGNALS } from './signal-names.js';

const PAGE = 4096;
const ENOSYS = 38;
/** Signals whose default action is to ignore, stop or continue: today's kernel cannot deliver these. */
const NOT_TERMINATING = new Set([
  SIGNALS.CHLD,
  SIGNALS.CONT,
  SIGNALS.STOP,
  SIGNALS.TSTP,
  SIGNALS.TTIN,
  SIGNALS.TTOU,
  SIGNALS.URG,
  SIGNALS.WINCH,
]);

export class KernelAdapter implements NodeKernel {
  private readonly npids = new Map<number, string>();
  readonly counters: KernelCounters = { syscalls: 0, pageFaults: 0, contextSwitches: 0 };

  constructor(
    private readonly kernel: Kernel,
    private readonly pids: PidSource,
  ) {}

  /** Gives a process spawned on the kernel its NPID. */
  adopt(process: Process): void {
    if (!this.npids.has(process.pid))
      this.npids.set(process.pid, formatNpid(this.pids.nodeId, this.pids.next()));
  }

  /** The NPID of a kernel pid, once adopted. */
  npidOf(pid: number): string | undefined {
    return this.npids.get(pid);
  }

  listProcesses(): ProcessInfo[] {
    return [...this.kernel.processes.values()].map((p) => this.describe(p));
  }

  private describe(p: Process): ProcessInfo {
    this.adopt(p);
    const info: ProcessInfo = {
      pid: p.pid,
      npid: this.npids.get(p.pid)!,
      ppid: 0,
      name: p.name,
      state: processState(p),
      priority: 0,
      threads: p.threads.filter((t) => t.state !== 'zombie').length,
      cpuInstructions: p.threads.reduce((n, t) => n + t.instructions, 0),
      memoryPages: p.alive ? mappedPages(p) : 0,
    };
    if (p.exitCode !== undefined) info.exitCode = p.exitCode;
    return info;
  }

  kill(pid: number, signal: number): number {
    const p = this.kernel.processes.get(pid);
    if (p === undefined) return -3;
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) return -22;
    if (signal === 0 || !p.alive) return 0;
    if (NOT_TERMINATING.has(signal)) return -ENOSYS;
    this.kernel.exitProcess(p, { kind: 'signaled', signal });
    return 0;
  }

  checkpoint(_pid: number): Uint8Array {
    throw new NotImplementedError('checkpoint is not implemented by this kernel yet');
  }

  restore(_image: Uint8Array): number {
    throw new NotImplementedError('restore is not implemented by this kernel yet');
  }

  get instructions(): number {
    return this.kernel.hart.instret;
  }

  step(budget: number): number {
    return this.kernel.step(budget);
  }

  get idle(): boolean {
    return this.kernel.idle;
  }
}

function processState(p: Process): ProcessState {
  if (!p.alive) return 'zombie';
  const states = new Set(p.threads.map((t) => t.state));
  if (states.has('running')) return 'running';
  if (states.has('ready')) return 'ready';
  return 'blocked';
}

/** Pages with a frame mapped, over the process's regions. */
function mappedPages(p: Process): number {
  let n = 0;
  for (const region of p.addressSpace.regions) {
    for (let va = region.start; va < region.end; va += PAGE) if (p.addressSpace.frameAt(va) >= 0) n++;
  }
  return n;
}
