// The driver of a long-running node: runs the kernel in bounded quanta, yielding to the event loop
// between them (DESIGN.md §5), and sleeps on the host — no polling — while no thread is ready,
// until wake() says the kernel may have work again (a restore, a signal, a spawn) or the next
// sleeper's deadline comes, when the virtual clock jumps to it.
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { HOST_QUANTUM } from './local-run.js';
import type { NodeKernel } from './node-kernel.js';

/** Console back-pressure, as NodeHost provides it. */
export interface Backpressure {
  readonly backpressure: boolean;
  drained(): Promise<void>;
}

export class KernelDriver {
  private wakeUp: (() => void) | undefined = undefined;
  private stopping = false;
  /** Quanta run so far (for tests and logs). */
  quanta = 0;

  constructor(
    private readonly kernel: Pick<NodeKernel, 'step' | 'idle' | 'nextDeadline' | 'now' | 'advanceIdle'>,
    private readonly output: Backpressure | undefined,
    private readonly quantum = HOST_QUANTUM,
  ) {}

  /** Ends an idle wait; call after anything that may make a thread ready. */
  wake(): void {
    const wakeUp = this.wakeUp;
    this.wakeUp = undefined;
    wakeUp?.();
  }

  /** Runs until stop(). Never holds the event loop for more than one quantum. */
  async run(): Promise<void> {
    while (!this.stopping) {
      if (this.kernel.idle) {
        // Sleep on the host until woken or until the next deadline, then jump the clock to it.
        const deadline = this.kernel.nextDeadline();
        let timedOut = false;
        await new Promise<void>((resolve) => {
          const timer =
            deadline < 0
              ? undefined
              : setTimeout(
                  () => {
                    timedOut = true;
                    this.wakeUp = undefined;
                    resolve();
                  },
                  Math.max(0, (deadline - this.kernel.now()) / 1e6),
                );
          this.wakeUp = () => {
            if (timer !== undefined) clearTimeout(timer);
            resolve();
          };
        });
        if (timedOut && this.kernel.idle && this.kernel.nextDeadline() === deadline)
          this.kernel.advanceIdle(deadline);
        continue;
      }
      this.kernel.step(this.quantum);
      this.quanta++;
      if (this.output?.backpressure) await this.output.drained();
      // An idle kernel goes straight to its wait, which yields to the loop: no extra turn (and
      // no Immediate) per message on the path of a call.
      else if (!this.kernel.idle) await yieldToLoop();
    }
  }

  /** Makes run() return after the current quantum. */
  stop(): void {
    this.stopping = true;
    this.wake();
  }
}
