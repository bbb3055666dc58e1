// System servers are not signal targets: a guest's kill on one is EPERM (group kills pass over
// them) and the node's kill (admin API) is refused; should a server ever end (a bug in its handler),
// the node restarts it on a new port, running processes get the new port in their bootstrap slot,
// and name lookups work again.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Kernel } from '../../src/kernel/kernel.js';
import { startServers } from '../../src/servers/boot.js';
import { newKernel, program, runToEnd } from './helpers.js';

function names(kernel: Kernel): number {
  return [...kernel.processes.values()].find((p) => kernel.isTask(p.pid) && p.name === 'names')!.pid;
}

test('a guest cannot kill a system server (EPERM) and the server keeps serving', () => {
  const { kernel, host } = newKernel(32);
  startServers(kernel);
  const target = names(kernel);
  const p = kernel.spawn({ file: program('hostile'), argv: ['hostile', 'kill', String(target)], envp: [] });
  runToEnd(kernel);
  assert.equal(host.stdout(p.pid), 'kill: -1 1\n'); // EPERM
  assert.ok(kernel.findProcess(target)?.alive, 'the name server lives');
  const after = kernel.spawn({ file: program('names'), argv: ['names'], envp: [] });
  runToEnd(kernel);
  assert.equal(after.exitCode, 0, host.stdout(after.pid));
});

test("the node's kill of a system server is refused with EPERM", () => {
  const { kernel } = newKernel(32);
  startServers(kernel);
  const target = names(kernel);
  for (const signal of [9, 15, 19]) assert.equal(kernel.kill(target, signal), -1);
  assert.ok(kernel.findProcess(target)?.alive);
});

test('a system server that fails is restarted and lookups work again', () => {
  const { kernel, host } = newKernel(32);
  const servers = startServers(kernel);
  const first = servers.names;
  // A bug in the server's handler: its next run throws.
  first.run = () => {
    throw new Error('injected fault');
  };
  const victim = kernel.spawn({ file: program('names'), argv: ['names'], envp: [] });
  for (let i = 0; i < 50 && !kernel.idle; i++) kernel.step(1_000_000);
  // Its call to the failed server ended with an error (not a hang); its next call, through the
  // same bootstrap slot, reached the restarted server (an empty table: ENOENT).
  assert.match(host.stdout(victim.pid), /^register demo\/echo: E.*\nlookup demo\/echo: ENOENT\n/);
  kernel.kill(victim.pid, 9);
  assert.equal(first.process.alive, false);
  assert.notEqual(servers.names, first, 'a new name server');
  assert.ok(servers.names.process.alive);
  assert.equal(servers.restarts.get('names'), 1);
  assert.ok(host.reports.some((r) => /system server names failed: injected fault/.test(r)));
  const after = kernel.spawn({ file: program('names'), argv: ['names'], envp: [] });
  runToEnd(kernel);
  assert.equal(after.exitCode, 0, host.stdout(after.pid));
});
