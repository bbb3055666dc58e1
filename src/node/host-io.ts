// The real-world side of a kernel's host interface for a node: console output to stdout/stderr
// with back-pressure, reports to stderr, randomness from node:crypto, the host clock, the program
// store, and the source of process ids.
import { randomFillSync } from 'node:crypto';
import { CountingPids, type KernelHost, type PidSource, type ProgramStore } from '../kernel/host.js';
import type { Process } from '../kernel/proc.js';
import { printableLines } from './printable.js';
import { DirectoryPrograms } from './program-store.js';
import { outputBroken, outputDrained, writeOutput } from './std-output.js';

export interface ConsoleSink {
  /** Writes raw bytes; returns false when the stream wants the writer to wait for 'drain'. */
  write(fd: 1 | 2, data: Uint8Array, process: Process): boolean;
  /** The process ended: flush what it left without a newline. */
  end?(process: Process): void;
  /** True when writes to fd can no longer reach a reader: the guest's write fails with EPIPE. */
  closed?(fd: 1 | 2): boolean;
}

/**
 * Passes fds 1 and 2 straight through to this process's stdout and stderr (`pakaya run`). When one
 * breaks (its reader went away) the guest's next write to it gets EPIPE and SIGPIPE, as under qemu.
 */
export const rawConsole: ConsoleSink = {
  write: (fd, data) => writeOutput(fd, data),
  closed: (fd) => outputBroken(fd) === 'EPIPE',
};

export interface NodeHostOptions {
  reports?: (message: string) => void;
  programs?: ProgramStore;
  pids?: PidSource;
}

export class NodeHost implements KernelHost {
  /** Set when an output stream asked us to wait; the driver awaits `drained()` before running more. */
  backpressure = false;
  /** Set when a thread waits for console input. */
  inputWanted = false;
  readonly exits: Process[] = [];
  readonly programs: ProgramStore;
  readonly pids: PidSource;
  private readonly reports: (message: string) => void;

  constructor(
    private readonly sink: ConsoleSink,
    options: NodeHostOptions = {},
  ) {
    // Reports quote guest text (process names): escape control characters before a terminal sees them.
    this.reports = options.reports ?? ((m) => void writeOutput(2, printableLines(m)));
    this.programs = options.programs ?? new DirectoryPrograms();
    this.pids = options.pids ?? new CountingPids(1);
  }

  readonly console = {
    write: (fd: number, data: Uint8Array, proc: Process): void => {
      if (!this.sink.write(fd === 2 ? 2 : 1, data, proc)) this.backpressure = true;
    },
    closed: (fd: number): boolean => this.sink.closed?.(fd === 2 ? 2 : 1) ?? false,
  };

  readonly random = { fill: (bytes: Uint8Array): void => void randomFillSync(bytes) };

  readonly clock = { realtimeNs: (): number => Date.now() * 1e6 };

  report(message: string): void {
    this.reports(message);
  }

  exited(proc: Process): void {
    this.sink.end?.(proc);
    this.exits.push(proc);
  }

  wantInput(): void {
    this.inputWanted = true;
  }

  /** Resolves when stdout and stderr have drained (at once for one that is broken). */
  async drained(): Promise<void> {
    this.backpressure = false;
    await Promise.all([outputDrained(1), outputDrained(2)]);
  }
}
