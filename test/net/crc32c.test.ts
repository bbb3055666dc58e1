// CRC32C: the wasm path and the JS path agree with each other and with a bitwise reference on every
// length, offset and alignment around their thresholds; the committed wasm matches its source.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { crc32c, crc32cBackend, crc32cJs } from '../../src/net/crc32c.js';
import { CRC32C_WASM_BASE64 } from '../../src/net/gen/crc32c-wasm.js';

/** One bit at a time: slow and obviously right. */
function bitwise(data: Uint8Array, crc = 0): number {
  let c = ~crc >>> 0;
  for (const byte of data) {
    c ^= byte;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
  }
  return ~c >>> 0;
}

const bytes = (n: number, seed: number): Uint8Array => {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
};

test('long inputs (the wasm path) give the standard check values', () => {
  assert.equal(crc32cBackend, 'wasm', 'the wasm loop loads on a little-endian host');
  assert.equal(crc32c(new Uint8Array(4096)), bitwise(new Uint8Array(4096)));
  const nine = new TextEncoder().encode('123456789'.repeat(100));
  assert.equal(crc32c(nine), bitwise(nine));
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
});

test('wasm and JS paths agree with a bitwise reference at every length, offset and alignment', () => {
  const data = bytes(2048, 7);
  for (let start = 0; start < 9; start++) {
    for (const len of [0, 1, 3, 15, 16, 17, 31, 255, 256, 257, 300, 1024, 1031]) {
      const view = data.subarray(start, start + len);
      const want = bitwise(view, 0x1234);
      assert.equal(crc32c(view, 0x1234), want, `wasm/js crc32c start ${start} len ${len}`);
      assert.equal(crc32cJs(view, 0x1234), want, `crc32cJs start ${start} len ${len}`);
      assert.equal(crc32c(data, 0x1234, start, start + len), want, `range start ${start} len ${len}`);
    }
  }
});

test('inputs longer than one wasm block are summed across blocks', () => {
  const big = bytes(300 * 1024 + 5, 99);
  const want = crc32cJs(big);
  assert.equal(crc32c(big), want);
  assert.equal(crc32c(big.subarray(1000), crc32c(big.subarray(0, 1000))), want);
  assert.notEqual(crc32c(big, 0, 1), want);
});

test('the committed wasm module is the one its source assembles to', async () => {
  // wabt is a dev dependency, as is the test run.
  const { default: wabtInit } = await import('wabt');
  const wabt = await wabtInit();
  const mod = wabt.parseWat('crc32c.wat', readFileSync('wasm/crc32c.wat', 'utf8'));
  const { buffer } = mod.toBinary({});
  mod.destroy();
  assert.equal(Buffer.from(buffer).toString('base64'), CRC32C_WASM_BASE64, 'run npm run gen:wasm');
});
