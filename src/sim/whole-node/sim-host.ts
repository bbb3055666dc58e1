// The KernelHost of a simulated node (DESIGN.md §3): console output and exits go to the cluster's
// records (by NPID, so a process's output follows it across restore and migration), randomness is
// the node's seeded generator, CLOCK_REALTIME is a fixed epoch plus the node's virtual clock, and
// programs come from the simulator's program store. Nothing here reads the host.
import type { KernelHost, PidSource, ProgramStore } from '../../kernel/host.js';
import type { Process } from '../../kernel/proc.js';
import type { Clock } from '../../net/clock.js';
import type { Random } from '../../net/random.js';

/** CLOCK_REALTIME at virtual time 0 (ns since the epoch): 2026-01-01T00:00:00Z. */
export const SIM_REALTIME_EPOCH_NS = 1_767_225_600_000_000_000;

export interface SimHostSinks {
  output(process: Process, fd: number, data: Uint8Array): void;
  exited(process: Process): void;
  report(message: string, process: Process | undefined): void;
}

export class SimHost implements KernelHost {
  readonly console: KernelHost['console'];
  readonly random: KernelHost['random'];
  readonly clock: KernelHost['clock'];

  constructor(
    readonly programs: ProgramStore,
    readonly pids: PidSource,
    random: Random,
    clock: Clock,
    private readonly sinks: SimHostSinks,
  ) {
    this.console = { write: (fd, data, p) => sinks.output(p, fd, data) };
    this.random = {
      fill: (bytes) => {
        for (let i = 0; i < bytes.length; i++) bytes[i] = random.uint32() & 0xff;
      },
    };
    this.clock = { realtimeNs: () => SIM_REALTIME_EPOCH_NS + Math.round(clock.now() * 1e6) };
  }

  report(message: string, process: Process | undefined): void {
    this.sinks.report(message, process);
  }

  exited(process: Process): void {
    this.sinks.exited(process);
  }
}
