// The local kernel as process control sees it (LocalProcs of src/cluster/procs/service.ts): spawn a
// program stopped and start it once its registry record is written, list, signal and drop processes
// by NPID, the output rings of the processes the cluster manages (a tap on the kernel host's console
// and exit hooks), and the load figures placement compares. Runs on the event loop between quanta;
// anything that may make a thread runnable calls changed().
import { ProcsError } from '../cluster/procs/errors.js';
import { LogRings } from '../cluster/procs/log-ring.js';
import type { LocalProcs } from '../cluster/procs/service.js';
import type { Kernel } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc.js';
import type { ProcessInfo } from './node-kernel.js';

const PAGE_BYTES = 4096;
const SIGKILL = 9;

export class KernelProcs implements LocalProcs {
  readonly rings = new LogRings();
  /** NPIDs whose output this node keeps (spawned here or adopted). */
  private readonly kept = new Set<string>();
  private readonly exitListeners: ((p: Process) => void)[] = [];

  constructor(
    private readonly kernel: Kernel,
    private readonly changed: () => void,
  ) {
    const host = kernel.host;
    const console = host.console;
    host.console = {
      write: (fd, data, proc) => {
        if (this.kept.has(proc.npid)) this.rings.write(proc.npid, fd === 2 ? 2 : 1, data);
        console.write(fd, data, proc);
      },
      ...(console.closed === undefined ? {} : { closed: (fd, proc) => console.closed?.(fd, proc) ?? false }),
    };
    const exited = host.exited?.bind(host);
    host.exited = (proc) => {
      exited?.(proc);
      if (this.kept.has(proc.npid)) {
        this.rings.end(proc.npid);
        this.kept.delete(proc.npid);
      }
      for (const l of this.exitListeners) l(proc);
    };
  }

  /** Calls `l` for every process that ends. */
  onExit(l: (p: Process) => void): void {
    this.exitListeners.push(l);
  }

  /** Keeps the output of `npid` from now on (an adopted process: migration, recovery). */
  keep(npid: string): void {
    this.kept.add(npid);
    this.rings.open(npid);
  }

  /** True when this node keeps the output of `npid`. */
  keeps(npid: string): boolean {
    return this.kept.has(npid);
  }

  find(npid: string): Process | undefined {
    for (const p of this.kernel.allProcesses()) if (p.npid === npid && p.alive) return p;
    return undefined;
  }

  spawn(request: { elf: Uint8Array; name: string; args: readonly string[] }): { npid: string; pid: number } {
    let p: Process;
    try {
      p = this.kernel.spawn({
        file: request.elf,
        argv: [request.name, ...request.args],
        envp: [],
        name: request.name,
      });
    } catch (err) {
      throw new ProcsError('refused', `cannot start ${request.name}: ${(err as Error).message}`);
    }
    // Stopped before any of it runs: it runs once the registry names this node its owner.
    this.kernel.stopProcess(p);
    this.keep(p.npid);
    return { npid: p.npid, pid: p.pid };
  }

  start(npid: string): void {
    const p = this.find(npid);
    if (p === undefined) return;
    this.kernel.continueProcess(p);
    p.waitReport = undefined;
    this.changed();
  }

  discard(npid: string): void {
    const p = this.find(npid);
    if (p === undefined) return;
    this.kernel.kill(p.pid, SIGKILL);
    this.changed();
  }

  list(): ProcessInfo[] {
    return this.kernel.listProcesses();
  }

  kill(npid: string, signal: number): number {
    const p = this.find(npid);
    if (p === undefined) return -3;
    const r = this.kernel.kill(p.pid, signal);
    if (r === 0) this.changed();
    return r;
  }

  logs(npid: string, outFrom: number, errFrom: number) {
    return this.rings.read(npid, outFrom, errFrom);
  }

  stats(): { freeBytes: number; load: number; processes: number } {
    const rows = this.kernel.listProcesses();
    return {
      freeBytes: this.kernel.frames.available * PAGE_BYTES,
      load: rows.filter((r) => r.state === 'ready' || r.state === 'running').length,
      processes: rows.filter((r) => r.state !== 'zombie').length,
    };
  }
}
