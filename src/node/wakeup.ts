// A one-slot wake-up for a node's driver loop: the driver waits (for a time, or without limit) while
// no thread can run; console input, an admin API request or a signal ends the wait early.
export class Wakeup {
  private waiter: ((woken: boolean) => void) | undefined = undefined;

  /** Ends the current wait (if any). */
  wake(): void {
    const w = this.waiter;
    this.waiter = undefined;
    w?.(true);
  }

  /** Waits for wake() or `ms` milliseconds (-1: no limit); resolves true when woken. */
  wait(ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      const timer =
        ms >= 0
          ? setTimeout(() => {
              this.waiter = undefined;
              resolve(false);
            }, ms)
          : undefined;
      this.waiter = (woken) => {
        if (timer !== undefined) clearTimeout(timer);
        resolve(woken);
      };
    });
  }
}
