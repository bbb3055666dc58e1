// The fast IPC path (issue 12): the IPC benchmark's round trips and one-way messages keep every
// kernel invariant after every step; a message borrowed from the sender's memory keeps its bytes
// when it has to wait in a queue; and the kernel's translation cache for user buffers forgets a
// page whenever the page tables narrow (mprotect, copy-on-write after fork, unmap).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FrameAllocator } from '../../src/kernel/frames.js';
import { AddressSpace, PROT_READ, PROT_WRITE } from '../../src/kernel/vm.js';
import { Machine } from '../../src/machine/machine.js';
import { startServers } from '../../src/servers/boot.js';
import { newKernel, program, runToEnd } from './helpers.js';

for (const [mode, n] of [
  ['call', 400],
  ['send64', 400],
  ['send4k', 100],
] as const) {
  test(`ipcbench ${mode}: every invariant holds after every step, and every message arrives intact`, () => {
    const { kernel, host } = newKernel(16);
    startServers(kernel);
    const baseline = kernel.frames.available;
    const p = kernel.spawn({ file: program('ipcbench'), argv: ['ipcbench', String(n), mode], envp: [] });
    runToEnd(kernel);
    // The receiver checks each message's first byte against its index: a queued message that still
    // pointed into the sender's buffer would read the sender's later value and fail the run.
    assert.equal(p.exitCode, 0, host.stdout(p.pid));
    assert.match(host.stdout(p.pid), new RegExp(`ipcbench: ${n} ${mode} done`));
    assert.equal(kernel.frames.available, baseline, 'every frame is back');
  });
}

function space(): { as: AddressSpace; machine: Machine } {
  const machine = new Machine({ ramSize: 4 * 1024 * 1024 });
  const as = AddressSpace.create(machine.memory, new FrameAllocator(machine.memory));
  assert.ok(as !== undefined);
  return { as, machine };
}

const BASE = 0x10000;

test('the translation cache drops a page made read-only by mprotect', () => {
  const { as } = space();
  assert.ok(as.addRegion(BASE, BASE + 0x2000, PROT_READ | PROT_WRITE, 'data'));
  assert.ok(as.translate(BASE + 8, PROT_WRITE) >= 0);
  assert.ok(as.writeWords(BASE, new Int32Array([1, 2]), 2));
  assert.ok(as.protect(BASE, BASE + 0x1000, PROT_READ));
  assert.equal(as.rangeOk(BASE, 8, PROT_WRITE), false, 'no write through a stale entry');
  assert.equal(as.writeWords(BASE, new Int32Array([3, 4]), 2), false);
  const out = new Int32Array(2);
  assert.ok(as.readWords(BASE, out, 2));
  assert.deepEqual([...out], [1, 2]);
});

test('after fork a cached writable page is copied on write, so the child keeps its bytes', () => {
  const { as } = space();
  assert.ok(as.addRegion(BASE, BASE + 0x1000, PROT_READ | PROT_WRITE, 'data'));
  assert.ok(as.writeWords(BASE, new Int32Array([7]), 1)); // cached writable
  const child = as.fork();
  assert.ok(child !== undefined);
  assert.ok(as.writeWords(BASE, new Int32Array([8]), 1));
  const word = new Int32Array(1);
  assert.ok(child.readWords(BASE, word, 1));
  assert.equal(word[0], 7, 'the parent wrote its own copy');
  assert.ok(as.readWords(BASE, word, 1));
  assert.equal(word[0], 8);
  assert.notEqual(as.translate(BASE, PROT_READ) >>> 12, child.translate(BASE, PROT_READ) >>> 12);
});

test('an unmapped page is gone from the translation cache; borrow stays inside one page', () => {
  const { as } = space();
  assert.ok(as.addRegion(BASE, BASE + 0x2000, PROT_READ | PROT_WRITE, 'data'));
  assert.ok(as.copyOut(BASE + 0xffe, new Uint8Array([1, 2, 3, 4])), 'a copy across two pages');
  assert.deepEqual([...(as.copyIn(BASE + 0xffe, 4) ?? [])], [1, 2, 3, 4]);
  assert.equal(as.borrow(BASE + 0xffe, 4), undefined, 'across a page: copied, not borrowed');
  assert.deepEqual([...(as.borrow(BASE + 0xffc, 4) ?? [])], [0, 0, 1, 2]);
  as.unmap(BASE, BASE + 0x1000);
  assert.equal(as.translate(BASE + 0xffc, PROT_READ) < 0, true);
  assert.equal(as.borrow(BASE + 0xffc, 4), undefined);
  assert.equal(as.rangeOk(BASE + 0xffe, 4, PROT_READ), false);
});
