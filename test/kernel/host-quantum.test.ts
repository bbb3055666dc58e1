// A host quantum stays bounded however a guest spends it: system calls, console bytes and calls that
// build processes or threads are charged against the budget (not against guest time), so a guest
// writing an endless line or forking in a loop cannot hold the node's event loop for seconds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SYSCALL_HEAVY_COST } from '../../src/kernel/limits.js';
import { newKernel, program } from './helpers.js';

const BUDGET = 1_000_000;

test('console bytes count against the quantum: one step writes about a budget of bytes, not 200 MB', () => {
  const { kernel, host } = newKernel(32);
  const p = kernel.spawn({ file: program('hostile'), argv: ['hostile', 'longline'], envp: [] });
  kernel.step(BUDGET);
  const written = host.out.get(p.pid)?.length ?? 0;
  assert.ok(written > 0, 'it wrote');
  assert.ok(written <= BUDGET + 4096, `one quantum wrote ${written} bytes`);
});

test('forks count against the quantum: one step forks at most budget / cost processes', () => {
  const { kernel } = newKernel(64);
  kernel.spawn({ file: program('hostile'), argv: ['hostile', 'forkbomb'], envp: [] });
  const before = kernel.processes.size;
  kernel.step(BUDGET);
  const forked = kernel.processes.size - before;
  assert.ok(forked >= 1, 'it forked');
  assert.ok(forked <= BUDGET / SYSCALL_HEAVY_COST + 1, `one quantum forked ${forked} processes`);
});
