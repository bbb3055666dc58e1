// The node's kernel driver: runs bounded quanta while threads are ready, sleeps on the host while
// the kernel is idle until woken, and returns promptly when stopped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setImmediate as turn } from 'node:timers/promises';
import { KernelDriver } from '../../src/node/driver.js';

class StubKernel {
  ready = 0;
  readonly budgets: number[] = [];
  private waiter: { count: number; resolve: () => void } | undefined;

  get idle(): boolean {
    return this.ready === 0;
  }

  nextDeadline(): number {
    return -1;
  }

  now(): number {
    return 0;
  }

  advanceIdle(): void {}

  step(budget: number): number {
    this.budgets.push(budget);
    this.ready--;
    if (this.waiter && this.budgets.length >= this.waiter.count) this.waiter.resolve();
    return budget;
  }

  /** Resolves once step() has been called `count` times in all. */
  stepped(count: number): Promise<void> {
    return new Promise((resolve) => {
      this.waiter = { count, resolve };
      if (this.budgets.length >= count) resolve();
    });
  }
}

test('the driver sleeps while idle, runs quanta when woken, and stops', async () => {
  const kernel = new StubKernel();
  const driver = new KernelDriver(kernel, undefined, 5000);
  const running = driver.run();
  for (let i = 0; i < 20; i++) await turn();
  assert.equal(kernel.budgets.length, 0, 'no quantum while idle');

  kernel.ready = 3;
  driver.wake();
  await kernel.stepped(3);
  assert.deepEqual(kernel.budgets, [5000, 5000, 5000], 'bounded quanta');
  for (let i = 0; i < 20; i++) await turn();
  assert.equal(kernel.budgets.length, 3, 'idle again: no more quanta');

  driver.stop();
  await running;
});

test('the driver yields to the event loop between quanta', async () => {
  const kernel = new StubKernel();
  kernel.ready = 1_000_000;
  const driver = new KernelDriver(kernel, undefined, 1);
  const running = driver.run();
  await kernel.stepped(10);
  let turns = 0;
  while (turns < 5) {
    await turn();
    turns++;
  }
  assert.ok(kernel.budgets.length < 100, `the loop ran other work between quanta (${kernel.budgets.length})`);
  driver.stop();
  await running;
});
