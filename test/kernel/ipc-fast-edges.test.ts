// The IPC fastpath (sys/ipc-fast.ts) against its edge cases, with user/programs/ipc_fast.c: a call
// to a partner already waiting and its reply go the fast way (badge kept), a call carrying a
// capability or finding nobody waiting takes the general path, and faults and refusals (a bad data
// pointer, a read-only reply buffer, an answer too big, a receive buffer too small) give the
// general path's errors with nothing left behind. The invariant checker runs after every step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newKernel, program, runToEnd } from './helpers.js';

function run(args: string[]) {
  const { kernel, host } = newKernel();
  const frames = kernel.frames.available;
  const p = kernel.spawn({ file: program('ipc_fast'), argv: ['ipc_fast', ...args], envp: [] });
  runToEnd(kernel);
  return { out: host.stdout(p.pid), code: p.exitCode, fast: { ...kernel.ipc.fastpath }, kernel, frames };
}

test('calls to a waiting server and their replies take the fastpath; the badge arrives', () => {
  const n = 50;
  const r = run(['plain', String(n)]);
  assert.equal(r.out, `ipc_fast: ${n} calls, badge 0x80000001, 0 with a capability\n`);
  assert.equal(r.code, 0);
  assert.deepEqual(r.fast, { calls: n, replies: n });
  assert.equal(r.kernel.ipc.replies.size, 0, 'no reply object left in the table');
});

test('a call carrying a capability takes the general path; its plain reply the fast one', () => {
  const n = 20;
  const r = run(['caps', String(n)]);
  assert.equal(r.out, `ipc_fast: ${n} calls, badge 0x80000001, ${n} with a capability\n`);
  assert.equal(r.code, 0);
  assert.deepEqual(r.fast, { calls: 0, replies: n });
});

test('a call that finds nobody waiting is queued and its port_reply answer goes the general way', () => {
  const n = 10;
  const r = run(['early', String(n)]);
  assert.equal(r.out, `ipc_fast: ${n} calls, badge 0x80000001, 0 with a capability\n`);
  assert.equal(r.code, 0);
  assert.equal(r.fast.calls, 0);
  // port_reply (not reply_recv) answers on the general path
  assert.equal(r.fast.replies, 0);
});

test('faults and refusals give the general path errors and leave nothing behind', () => {
  const r = run(['edges']);
  assert.equal(r.out, 'ipc_fast: edges done\n');
  assert.equal(r.code, 0, 'the client saw EFAULT, EFAULT, EMSGSIZE, then its answer');
  // Only the call whose answer is too big finds the server waiting with room: it goes fast, and the
  // answer, refused by the client's 4-byte buffer, takes the general path (port_reply).
  assert.deepEqual(r.fast, { calls: 1, replies: 0 });
  assert.equal(r.kernel.ipc.replies.size, 0);
  assert.equal(r.kernel.frames.available, r.frames, 'every frame back once both processes ended');
});
