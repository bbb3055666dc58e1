// The real-world side of a kernel's host interface for a node: console output to stdout/stderr
// with back-pressure, reports to stderr, randomness from node:crypto, the host clock, the program
// store, and the source of process ids.
import { randomFillSync } from 'node:crypto';
import { CountingPids, type KernelHost, type PidSource, type ProgramStore } from '../kernel/host.js';
import type { Process } from '../kernel/proc.js';
import { DirectoryPrograms } from './program-store.js';

export interface ConsoleSink {
  /** Writes raw bytes; returns false when the stream wants the writer to wait for 'drain'. */
  write(fd: 1 | 2, data: Uint8Array, process: Process): boolean;
}

/** Passes fds 1 and 2 straight through to this process's stdout and stderr (`pakaya run`). */
export const rawConsole: ConsoleSink = {
  write: (fd, data) => (fd === 1 ? process.stdout : process.stderr).write(data),
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
    this.reports = options.reports ?? ((m) => process.stderr.write(m));
    this.programs = options.programs ?? new DirectoryPrograms();
    this.pids = options.pids ?? new CountingPids(1);
  }

  readonly console = {
    write: (fd: number, data: Uint8Array, proc: Process): void => {
      if (!this.sink.write(fd === 2 ? 2 : 1, data, proc)) this.backpressure = true;
    },
  };

  readonly random = { fill: (bytes: Uint8Array): void => void randomFillSync(bytes) };

  readonly clock = { realtimeNs: (): number => Date.now() * 1e6 };

  report(message: string): void {
    this.reports(message);
  }

  exited(proc: Process): void {
    this.exits.push(proc);
  }

  wantInput(): void {
    this.inputWanted = true;
  }

  /** Resolves when stdout and stderr have drained. */
  async drained(): Promise<void> {
    this.backpressure = false;
    await Promise.all(
      [process.stdout, process.stderr].map(
        (stream) =>
          new Promise<void>((resolve) => {
            if (!stream.writableNeedDrain) resolve();
            else stream.once('drain', () => resolve());
          }),
      ),
    );
  }
}
