// spawn_on (Pakaya 504) with a test double for the RemoteSpawner (src/kernel/hooks.ts): the caller
// blocks in wait kind 'spawn' until Kernel.remoteSpawnDone answers — later or at once — and then
// gets the NPID in its struct pk_npid, or the errno; without a spawner the call is ENOSYS; a missing
// program is ENOENT before anything is asked; the program's bytes and argv reach the spawner; a
// caller checkpointed while it waits asks its new node again after the restore.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { REMOTE_SPAWN_ANY, type RemoteSpawnRequest } from '../../src/kernel/hooks.js';
import { type Npid, npid } from '../../src/kernel/npid.js';
import { newKernel, program, runFor, runToEnd } from './helpers.js';

// spawnon prints errno as the C library sees it: picolibc's numbers (user/lib/errno.c maps the
// kernel's Linux errno to them), not Linux's.
const PICOLIBC_ENOENT = 2;
const PICOLIBC_ENOSYS = 88;
const PICOLIBC_EHOSTUNREACH = 118;
const LINUX_EHOSTUNREACH = 113;

test('spawn_on: the caller waits for the answer and gets the NPID; errors come back as errno', () => {
  const { kernel, host } = newKernel(32);
  const asked: { ticket: number; request: RemoteSpawnRequest }[] = [];
  kernel.setRemoteSpawner({ spawn: (ticket, request) => asked.push({ ticket, request }) });
  const p = kernel.spawn({
    file: program('spawnon'),
    argv: ['spawnon', '0000abcd', 'exitcode', '5'],
    envp: [],
  });
  runFor(kernel, 5_000_000);
  assert.equal(asked.length, 1);
  const { ticket, request } = asked[0]!;
  assert.equal(request.node, 0xabcd);
  assert.deepEqual(request.argv, ['exitcode', '5']);
  assert.deepEqual(request.file, program('exitcode'));
  assert.equal(request.parent, p.npid);
  assert.ok(p.alive);
  assert.equal(p.threads[0]?.state, 'blocked');
  assert.equal(p.threads[0]?.wait?.kind, 'spawn');
  // Nothing happens while no answer comes, and a wrong ticket wakes nobody.
  kernel.remoteSpawnDone(ticket + 100, npid(1, 1) as Npid);
  runFor(kernel, 1_000_000);
  assert.equal(p.threads[0]?.state, 'blocked');
  kernel.remoteSpawnDone(ticket, npid(0x0000abcd, 42));
  runToEnd(kernel);
  assert.equal(host.stdout(p.pid), 'spawnon: 0000abcd:42\n');
  assert.equal(p.exitCode, 0);
  assert.equal(kernel.remoteSpawns.size, 0);

  // An answer given at once (inside spawn) and an errno.
  kernel.setRemoteSpawner({ spawn: (t) => kernel.remoteSpawnDone(t, -LINUX_EHOSTUNREACH) });
  const q = kernel.spawn({ file: program('spawnon'), argv: ['spawnon', 'any', 'hello'], envp: [] });
  runToEnd(kernel);
  assert.equal(host.stdout(q.pid), `spawnon: error ${PICOLIBC_EHOSTUNREACH}\n`);
  assert.equal(q.exitCode, 1);

  // A program the node does not have: ENOENT, nothing asked.
  let calls = 0;
  kernel.setRemoteSpawner({ spawn: () => calls++ });
  const r = kernel.spawn({ file: program('spawnon'), argv: ['spawnon', 'any', 'no-such-program'], envp: [] });
  runToEnd(kernel);
  assert.equal(host.stdout(r.pid), `spawnon: error ${PICOLIBC_ENOENT}\n`);
  assert.equal(calls, 0);
  assert.equal(REMOTE_SPAWN_ANY, 0xffffffff);
});

test('spawn_on without a spawner is ENOSYS; a caller killed while waiting leaves no ticket', () => {
  const { kernel, host } = newKernel(32);
  const p = kernel.spawn({ file: program('spawnon'), argv: ['spawnon', 'any', 'hello'], envp: [] });
  runToEnd(kernel);
  assert.equal(host.stdout(p.pid), `spawnon: error ${PICOLIBC_ENOSYS}\n`);

  let ticket = 0;
  kernel.setRemoteSpawner({ spawn: (t) => (ticket = t) });
  const q = kernel.spawn({ file: program('spawnon'), argv: ['spawnon', 'any', 'hello'], envp: [] });
  runFor(kernel, 5_000_000);
  assert.equal(kernel.remoteSpawns.size, 1);
  assert.equal(kernel.kill(q.pid, 9), 0);
  runFor(kernel, 1000);
  kernel.remoteSpawnDone(ticket, npid(2, 2));
  assert.equal(kernel.remoteSpawns.size, 0);
  assert.equal(q.alive, false);
});

test('spawn_on: a caller checkpointed while it waits asks again after its restore', () => {
  const first = newKernel(32);
  let asked = 0;
  first.kernel.setRemoteSpawner({ spawn: () => asked++ });
  const p = first.kernel.spawn({
    file: program('spawnon'),
    argv: ['spawnon', '00000007', 'hello'],
    envp: [],
  });
  runFor(first.kernel, 5_000_000);
  assert.equal(asked, 1);
  assert.equal(p.threads[0]?.wait?.kind, 'spawn');
  const image = first.kernel.checkpoint(p.pid);

  const second = newKernel(32, 2);
  const requests: { ticket: number; request: RemoteSpawnRequest }[] = [];
  second.kernel.setRemoteSpawner({ spawn: (ticket, request) => requests.push({ ticket, request }) });
  const pid = second.kernel.restore(image);
  runFor(second.kernel, 5_000_000);
  assert.equal(requests.length, 1, 'the restored call asked its new node');
  assert.equal(requests[0]?.request.node, 7);
  assert.equal(requests[0]?.request.parent, p.npid);
  second.kernel.remoteSpawnDone(requests[0]!.ticket, npid(7, 3));
  runToEnd(second.kernel);
  assert.equal(second.host.stdout(pid), 'spawnon: 00000007:3\n');
});
