// Feeds the node's stdin to the kernel's console input (fd 0), only once a process reads it, with
// back-pressure: stdin pauses while the kernel's input queue is full and resumes when it has room.
import type { Kernel } from '../kernel/kernel.js';
import type { Wakeup } from './wakeup.js';

export class StdinFeed {
  private started = false;

  constructor(
    private readonly kernel: Kernel,
    private readonly wakeup: Wakeup,
  ) {}

  /** Starts reading stdin (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const stdin = process.stdin;
    stdin.on('data', (chunk: Buffer) => {
      this.kernel.pushInput(new Uint8Array(chunk));
      if (this.kernel.input.room === 0) stdin.pause();
      this.wakeup.wake();
    });
    const end = (): void => {
      this.kernel.endInput();
      this.wakeup.wake();
    };
    stdin.on('end', end);
    stdin.on('error', end);
  }

  /** Resumes a paused stdin once the kernel has room again. */
  refill(): void {
    if (this.started && process.stdin.isPaused() && this.kernel.input.room > 0) process.stdin.resume();
  }

  close(): void {
    if (!this.started) return;
    process.stdin.removeAllListeners('data');
    process.stdin.pause();
    process.stdin.destroy();
  }
}
