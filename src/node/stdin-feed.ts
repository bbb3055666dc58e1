// Feeds the node's stdin to the kernel's console input (fd 0), only once a process reads it, with
// back-pressure: stdin pauses while the kernel's input queue is full.
import type { Kernel } from '../kernel/kernel.js';

export class StdinFeed {
  private started = false;
  private waiter: (() => void) | undefined = undefined;
  /** True when the last waitForInput ended by its timeout rather than by input. */
  lastWaitTimedOut = false;

  constructor(private readonly kernel: Kernel) {}

  /** Starts reading stdin (idempotent). */
  start(): void {
    if (this.started) return;
    this.started = true;
    const stdin = process.stdin;
    stdin.on('data', (chunk: Buffer) => {
      this.kernel.pushInput(new Uint8Array(chunk));
      if (this.kernel.input.room === 0) stdin.pause();
      this.wakeWaiter();
    });
    stdin.on('end', () => {
      this.kernel.endInput();
      this.wakeWaiter();
    });
    stdin.on('error', () => {
      this.kernel.endInput();
      this.wakeWaiter();
    });
  }

  /** Resumes a paused stdin once the kernel has room again. */
  private refill(): void {
    if (this.started && process.stdin.isPaused() && this.kernel.input.room > 0) process.stdin.resume();
  }

  private wakeWaiter(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.();
  }

  /** Waits for input, or for `ms` milliseconds (-1: no limit). */
  waitForInput(ms: number): Promise<void> {
    this.refill();
    this.lastWaitTimedOut = false;
    return new Promise((resolve) => {
      const timer =
        ms >= 0
          ? setTimeout(() => {
              this.waiter = undefined;
              this.lastWaitTimedOut = true;
              resolve();
            }, ms)
          : undefined;
      this.waiter = () => {
        if (timer !== undefined) clearTimeout(timer);
        resolve();
      };
    });
  }

  close(): void {
    if (!this.started) return;
    process.stdin.removeAllListeners('data');
    process.stdin.pause();
    process.stdin.destroy();
  }
}
