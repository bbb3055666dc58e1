// The JIT code cache's policies: frames are dropped whole, only guest stores into compiled code
// count towards leaving a frame to the interpreter, a flush forgets that history, and the
// machine's memory reports every drop of decoded code to the JIT.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CodeCache, Entry, Region } from '../../src/machine/jit/cache.js';
import { FRAME_MAX_INVALIDATIONS } from '../../src/machine/jit/limits.js';
import { Machine } from '../../src/machine/machine.js';

function compiledFrame(cache: CodeCache, frame: number): void {
  const region = new Region(() => 0, frame << 12, frame, 10);
  cache.add(region);
  const entry = new Entry(frame, 1);
  entry.region = region;
  cache.frameTable(frame)[0] = entry;
}

test('self-modifying stores leave a frame to the interpreter; loader writes do not', () => {
  const cache = new CodeCache(16);
  for (let k = 0; k < FRAME_MAX_INVALIDATIONS * 2; k++) {
    compiledFrame(cache, 3);
    cache.dropFrame(3, false);
  }
  assert.ok(cache.mayCompile(3), 'bulk writes (a loader reusing the frame) must not blacklist it');
  for (let k = 0; k < FRAME_MAX_INVALIDATIONS; k++) {
    assert.ok(cache.mayCompile(3));
    compiledFrame(cache, 3);
    cache.dropFrame(3, true);
    assert.equal(cache.table[3], undefined);
  }
  assert.ok(!cache.mayCompile(3), 'a frame rewritten by stores this often is left to the interpreter');
  assert.ok(cache.mayCompile(4));
  cache.flush();
  assert.ok(cache.mayCompile(3), 'a flush forgets invalidation history');
  assert.equal(cache.compiledInstructions, 0);
});

test('a store into a code frame drops its JIT code; fence.i drops all of it', () => {
  const machine = new Machine({ ramSize: 1 << 20, engine: 'jit' });
  const jit = machine.hart.jit;
  assert.ok(jit !== undefined);
  const mem = machine.memory;
  mem.decodedPage(0x2000);
  mem.decodedPage(0x5000);
  compiledFrame(jit.cache, 2);
  compiledFrame(jit.cache, 5);
  mem.write32(0x2010, 0x13);
  assert.equal(jit.cache.table[2], undefined, 'the written frame lost its code');
  assert.notEqual(jit.cache.table[5], undefined, 'other frames keep theirs');
  mem.dropAllDecoded();
  assert.equal(jit.cache.table[5], undefined);
});
