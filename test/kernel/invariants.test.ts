// The kernel invariant checker: it finds a broken rule (a leaked frame, a thread in two places, a
// capability that names another slot, a reply nobody waits for), and the programs that exercise
// threads, futexes, fork, shared memory and IPC — with the system servers running — keep every
// rule after every slice and trap, and leave the node's frames where they were before they ran.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInvariants, KernelInvariantError } from '../../src/kernel/invariants.js';
import { startServers } from '../../src/servers/boot.js';
import { newKernel, program, runToEnd } from './helpers.js';

test('the checker finds a leaked frame, a thread queued while blocked, a bad slot and a stray reply', () => {
  const { kernel } = newKernel(8);
  const p = kernel.spawn({ file: program('true'), argv: ['true'], envp: [] });
  checkInvariants(kernel.inspect());

  const frame = kernel.frames.alloc();
  assert.throws(() => checkInvariants(kernel.inspect()), /frame \d+ has 1 references but 0 holders/);
  kernel.frames.release(frame);
  checkInvariants(kernel.inspect());

  const t = p.threads[0]!;
  t.state = 'blocked';
  t.wait = { kind: 'sleep', deadline: -1, addr: 0, private: false, key: '', object: 0, woken: undefined };
  assert.throws(() => checkInvariants(kernel.inspect()), KernelInvariantError);
  t.state = 'ready';
  t.wait = undefined;
  checkInvariants(kernel.inspect());

  const slot = kernel.ipc.createPort(p.caps);
  p.caps.get(slot)!.slot = slot + 1;
  assert.throws(() => checkInvariants(kernel.inspect()), /names another slot/);
  p.caps.get(slot)!.slot = slot;

  const reply = kernel.ipc.newReply(t.tid);
  kernel.ipc.replies.set(reply.id, reply);
  assert.throws(() => checkInvariants(kernel.inspect()), /does not wait for it/);
  kernel.ipc.replies.delete(reply.id);
  checkInvariants(kernel.inspect());
});

const PROGRAMS: [string, string[]][] = [
  ['threads', ['4']],
  ['sync', []],
  ['fork_wait', []],
  ['futexwait', ['200']],
  ['shm', []],
  ['prodcons', []],
  ['names', []],
  ['ipc_caps', []],
  ['ipc_ports', []],
  ['ipc_security', []],
  ['ipc_pingpong', []],
  ['ipc_rpc', []],
  ['ipc_pipeline', []],
  ['spawnwait', ['5']],
  ['fuzz', ['1', '600', 'all']],
];

for (const [name, args] of PROGRAMS) {
  test(`${name}: every invariant holds after every step, and the frames return to the baseline`, () => {
    const { kernel, host } = newKernel(16);
    startServers(kernel);
    const baseline = kernel.frames.available;
    let steps = 0;
    const check = kernel.afterEachStep!;
    kernel.afterEachStep = (view) => {
      steps++;
      check(view);
    };
    const p = kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
    runToEnd(kernel);
    assert.equal(p.exitCode, 0, host.stdout(p.pid));
    assert.doesNotMatch(host.allStdout(), /FAIL/);
    assert.ok(steps > 10, `the checker ran (${steps} steps)`);
    assert.equal(kernel.frames.available, baseline, 'every frame a program took is back');
  });
}
