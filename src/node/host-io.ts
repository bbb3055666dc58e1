// The real-world side of a kernel's host interface for a node: console output to stdout/stderr
// with back-pressure, reports to stderr, and randomness from node:crypto.
import { randomFillSync } from 'node:crypto';
import type { KernelHost } from '../kernel/host.js';
import type { Process } from '../kernel/proc.js';

export interface ConsoleSink {
  /** Writes raw bytes; returns false when the stream wants the writer to wait for 'drain'. */
  write(fd: 1 | 2, data: Uint8Array, process: Process): boolean;
}

/** Passes fds 1 and 2 straight through to this process's stdout and stderr (`pakaya run`). */
export const rawConsole: ConsoleSink = {
  write: (fd, data) => (fd === 1 ? process.stdout : process.stderr).write(data),
};

export class NodeHost implements KernelHost {
  /** Set when an output stream asked us to wait; the driver awaits `drained()` before running more. */
  backpressure = false;
  readonly exits: Process[] = [];

  constructor(
    private readonly sink: ConsoleSink,
    private readonly reports: (message: string) => void = (m) => process.stderr.write(m),
  ) {}

  readonly console = {
    write: (fd: number, data: Uint8Array, proc: Process): void => {
      if (!this.sink.write(fd === 2 ? 2 : 1, data, proc)) this.backpressure = true;
    },
  };

  readonly random = { fill: (bytes: Uint8Array): void => void randomFillSync(bytes) };

  report(message: string): void {
    this.reports(message);
  }

  exited(proc: Process): void {
    this.exits.push(proc);
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
