// Restore keeps a process's identity and its futex waits: a process checkpointed at seeded points
// and restored on another node keeps its NPID (getnpid answers it, not one made from the new
// node's id), its pid and thread ids where they are free, and its threads blocked in FUTEX_WAIT
// are back on their futex queues before anything runs, so no wake is lost (the multi-threaded
// futexwait program finishes with the output of an uninterrupted run).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KernelError } from '../../src/kernel/errors.js';
import { npid, npidLocal, npidNode, parseNpid } from '../../src/kernel/npid.js';
import { formatNodeId } from '../../src/net/node-id.js';
import { parseNpid as parseNodeNpid } from '../../src/node/node-kernel.js';
import { checkpointPositions, newKernel, program, runFor, runToEnd, uninterruptedRun } from './helpers.js';

/** Checkpoints `name` at instruction `at` on node 1, restores it on a fresh node 2, runs it out. */
function interrupted(name: string, args: string[], at: number, occupy = 0) {
  const a = newKernel(32, 1);
  const p = a.kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  runFor(a.kernel, at);
  assert.ok(p.alive, `${name} still runs at ${at}`);
  const bytes = a.kernel.checkpoint(p.pid);
  const before = a.host.stdout(p.pid);
  const b = newKernel(32, 2);
  // Processes born on node 2 first take local ids the image may hold.
  for (let i = 0; i < occupy; i++) b.kernel.spawn({ file: program('sleep'), argv: ['sleep'], envp: [] });
  const pid = b.kernel.restore(new Uint8Array(bytes));
  const restored = b.kernel.findProcess(pid)!;
  return { a, b, p, restored, before, pid };
}

test('futexwait: restored at seeded points while threads wait on futexes, it finishes as an uninterrupted run', () => {
  const args = ['300'];
  const ref = uninterruptedRun('futexwait', args);
  assert.match(ref.out, /^futexwait: 600 turns in strict alternation: yes, counter 12000\n$/);
  assert.equal(ref.code, 0);
  let sawFutexWaiter = 0;
  for (const at of checkpointPositions(0x5eed, 12, ref.instructions)) {
    const r = interrupted('futexwait', args, at);
    const waiters = r.restored.threads.filter((t) => t.wait?.kind === 'futex' && t.wait.woken === undefined);
    // a waiter is blocked on its futex queue before anything runs (not merely ready to re-check)
    for (const t of waiters) assert.equal(t.state, 'blocked', `thread ${t.tid} restored at ${at}`);
    sawFutexWaiter += waiters.length;
    runToEnd(r.b.kernel);
    assert.equal(r.before + r.b.host.stdout(r.pid), ref.out, `output after restore at ${at}`);
    assert.equal(r.restored.exitCode, 0, `exit status after restore at ${at}`);
  }
  assert.ok(sawFutexWaiter > 0, 'some checkpoint caught a thread waiting on a futex');
});

test('restore keeps the NPID, pid and thread ids: identity prints the same lines as an uninterrupted run', () => {
  const ref = uninterruptedRun('identity', ['20000']);
  assert.match(ref.out, /^identity main before: npid 00000001:1 pid 1 tid 1\n/);
  assert.match(ref.out, /identity thread before: npid 00000001:1 pid 1 tid 2\n/);
  for (const at of checkpointPositions(77, 4, ref.instructions)) {
    const r = interrupted('identity', ['20000'], at);
    assert.equal(r.restored.npid, r.p.npid, 'same NPID');
    assert.equal(r.restored.npid, npid(1, 1), 'the NPID names the birth node');
    assert.equal(r.pid, r.p.pid, 'a free pid is kept');
    runToEnd(r.b.kernel);
    assert.equal(r.before + r.b.host.stdout(r.pid), ref.out, `output after restore at ${at}`);
  }
});

test('restore where the image ids are taken: new local ids, the same NPID, and getnpid still answers it', () => {
  const ref = uninterruptedRun('identity', ['20000']);
  const lines = ref.out.split('\n');
  const at = Math.floor(ref.instructions / 10); // before the second thread starts
  const r = interrupted('identity', ['20000'], at, 3);
  assert.notEqual(r.pid, r.p.pid, 'pid 1 is taken on node 2');
  assert.equal(r.restored.npid, '00000001:1');
  runToEnd(r.b.kernel);
  const out = r.before + r.b.host.stdout(r.pid);
  assert.match(out, /identity main after: npid 00000001:1 pid \d+ tid \d+\n$/);
  assert.equal(out.split('\n')[0], lines[0]);
  // new processes on node 2 never take the restored process's ids
  const born = r.b.kernel.spawn({ file: program('true'), argv: ['true'], envp: [] });
  assert.ok(r.b.kernel.findProcess(born.pid) === born && born.pid !== r.pid);
});

test('a restore of a process whose NPID already runs on this node is refused', () => {
  const { kernel } = newKernel(32, 1);
  const p = kernel.spawn({ file: program('identity'), argv: ['identity'], envp: [] });
  runFor(kernel, 5000);
  const bytes = kernel.checkpoint(p.pid);
  const before = kernel.processes.size;
  assert.throws(() => kernel.restore(bytes), KernelError);
  assert.equal(kernel.processes.size, before);
});

test('NPIDs: one formatter and one parser; the node part prints as net/ prints a NodeId', () => {
  const id = npid(0xdeadbeef, 42);
  assert.equal(id, 'deadbeef:42');
  assert.equal(npidNode(id), 0xdeadbeef);
  assert.equal(npidLocal(id), 42);
  assert.equal(id.slice(0, 8), formatNodeId(0xdeadbeef));
  assert.equal(parseNpid('00000001:7'), '00000001:7');
  for (const bad of [
    '00000000:1',
    '1:1',
    '0000000g:1',
    '00000001:0',
    '00000001:01',
    '00000001:2147483648',
    'x',
  ])
    assert.equal(parseNpid(bad), undefined, bad);
  assert.equal(parseNpid('00000001:2147483647'), '00000001:2147483647');
  assert.deepEqual(parseNodeNpid('0000000a:3'), { nodeId: 10, local: 3 });
  assert.throws(() => npid(0, 1), RangeError);
});
