// Scheduler behaviour over fixed instruction budgets (guest time, so the results are exact and
// repeatable): equal threads share the CPU fairly, a higher priority gets more, and aging keeps a
// lowest-priority thread running under a load of highest-priority ones.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newKernel, program, runFor } from './helpers.js';

const BUSY = ['crc32', '100000000'];

function spawnBusy(kernel: ReturnType<typeof newKernel>['kernel'], nice: number) {
  return kernel.spawn({ file: program('crc32'), argv: BUSY, envp: [], nice });
}

test('two equal threads get CPU within 10% of each other', () => {
  const { kernel } = newKernel(32);
  const a = spawnBusy(kernel, 0);
  const b = spawnBusy(kernel, 0);
  runFor(kernel, 20_000_000);
  const ia = a.instructions;
  const ib = b.instructions;
  assert.ok(ia + ib >= 19_999_000, `both ran: ${ia} + ${ib}`);
  assert.ok(Math.abs(ia - ib) / Math.max(ia, ib) <= 0.1, `fair share: ${ia} vs ${ib}`);
});

test('a higher priority gets more CPU than a lower one', () => {
  const { kernel } = newKernel(32);
  const high = spawnBusy(kernel, -5);
  const low = spawnBusy(kernel, 5);
  runFor(kernel, 20_000_000);
  assert.ok(high.instructions > 2 * low.instructions, `high ${high.instructions} vs low ${low.instructions}`);
  assert.ok(low.instructions > 0, 'aging lets the low priority thread run');
});

test('aging: a nice 19 thread still runs under a load of nice -20 threads', () => {
  const { kernel } = newKernel(64);
  const load = [spawnBusy(kernel, -20), spawnBusy(kernel, -20), spawnBusy(kernel, -20)];
  const starved = spawnBusy(kernel, 19);
  runFor(kernel, 40_000_000);
  assert.ok(starved.instructions > 0, 'the lowest priority thread ran');
  const share = starved.instructions / 40_000_000;
  assert.ok(share < 0.25, `but less than an equal share (${share.toFixed(3)})`);
  for (const p of load)
    assert.ok(p.instructions > starved.instructions, 'the high priority threads ran more');
});

test('a process stopped with SIGSTOP gets no CPU until SIGCONT', () => {
  const { kernel } = newKernel(32);
  const a = spawnBusy(kernel, 0);
  const b = spawnBusy(kernel, 0);
  runFor(kernel, 1_000_000);
  assert.equal(kernel.kill(b.pid, 19), 0);
  const frozen = b.instructions;
  runFor(kernel, 5_000_000);
  assert.equal(b.instructions, frozen, 'no instructions while stopped');
  assert.equal(b.threads[0]!.state, 'suspended');
  assert.equal(kernel.kill(b.pid, 18), 0);
  runFor(kernel, 5_000_000);
  assert.ok(b.instructions > frozen, 'runs again after SIGCONT');
  assert.ok(a.alive && b.alive);
  assert.equal(kernel.kill(b.pid, 15), 0);
  assert.equal(b.exitCode, 128 + 15, 'SIGTERM kills with 128 + 15');
  assert.equal(kernel.kill(b.pid, 15), -3, 'ESRCH once it is gone');
});
