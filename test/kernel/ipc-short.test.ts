// Short messages in registers (calls 537-539, sys/msg-short.ts) with user/programs/ipc_short.c:
// short calls, replies and sends with each other and with the descriptor calls, a message that
// does not fit a short receive (too long, or carrying a capability) left queued with EMSGSIZE, an
// answer that does not fit dropped with nothing left behind, EAGAIN on a full quota. The
// invariant checker runs after every step. ipcbench's short mode shows every call and reply on
// the fastpath, registers to registers.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  copyShort,
  ramToShort,
  SHORT_BYTES,
  shortBytes,
  writeShort,
} from '../../src/kernel/sys/msg-short.js';
import { newKernel, program, runToEnd } from './helpers.js';

function run(name: string, args: string[]) {
  const { kernel, host } = newKernel();
  const frames = kernel.frames.available;
  const p = kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  runToEnd(kernel);
  return { out: host.stdout(p.pid), code: p.exitCode, kernel, frames };
}

test('short calls, replies and sends meet each other and the descriptor calls as documented', () => {
  const r = run('ipc_short', []);
  assert.equal(r.out, 'ipc_short: ok\n');
  assert.equal(r.code, 0);
  assert.equal(r.kernel.ipc.replies.size, 0, 'no reply object left in the table');
  assert.equal(r.kernel.frames.available, r.frames, 'every frame back once both processes ended');
});

test('short call/reply round trips all take the fastpath, registers to registers', () => {
  const n = 200;
  const r = run('ipcbench', [String(n), 'short']);
  assert.equal(r.out, `ipcbench: ${n} short done\n`);
  assert.equal(r.code, 0);
  assert.deepEqual({ ...r.kernel.ipc.fastpath }, { calls: n, replies: n });
});

test('the register packing keeps exactly size bytes, little-endian, zero past size', () => {
  const regs = new Int32Array(32);
  for (let size = 0; size <= SHORT_BYTES; size++) {
    const data = Uint8Array.from({ length: size }, (_, i) => 0xf0 + i);
    regs.fill(-1);
    writeShort(regs, data, 0x80000001 | 0, 5);
    assert.equal(regs[11], size);
    assert.deepEqual([...shortBytes(regs, size)], [...data], `size ${size} round trip`);
    const bytes = new Uint8Array(16);
    new DataView(bytes.buffer).setInt32(0, regs[12]!, true);
    new DataView(bytes.buffer).setInt32(4, regs[13]!, true);
    new DataView(bytes.buffer).setInt32(8, regs[14]!, true);
    assert.ok(
      bytes.subarray(size, 12).every((b) => b === 0),
      `size ${size}: zero past size`,
    );
    assert.equal(regs[15], 0x80000001 | 0);
    assert.equal(regs[16], 5);
    // registers to registers and RAM to registers give the same words
    const from = new Int32Array(32).fill(-1);
    from[12] = -1;
    from.set(regs.subarray(12, 15), 12);
    for (let i = 12; i < 15; i++) from[i] = from[i]! | ~((1 << 30) - 1); // junk past size
    for (let i = 0; i < size; i++) {
      const w = 12 + (i >> 2);
      from[w] = (from[w]! & ~(0xff << (8 * (i & 3)))) | (data[i]! << (8 * (i & 3)));
    }
    const viaRegs = new Int32Array(32);
    copyShort(from, viaRegs, size, 1, 2);
    const ram = new Uint8Array(64);
    ram.set(data, 8);
    const viaRam = new Int32Array(32);
    ramToShort(ram, 8, size, viaRam, 1, 2);
    assert.deepEqual([...viaRegs.subarray(11, 17)], [...viaRam.subarray(11, 17)], `size ${size}`);
    assert.deepEqual([...viaRegs.subarray(12, 15)], [...regs.subarray(12, 15)], `size ${size} words`);
  }
});
