import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mulh, mulhsu, mulhu } from '../../src/machine/muldiv.js';

const high = (product: bigint): number => Number(BigInt.asIntN(32, product >> 32n));

const EDGES = [0, 1, -1, 2, -2, 0x7fffffff, -0x80000000, 0xffff, 0x10000, -0x10000, 0x12345678, -0x789abcdf];

function cases(): [number, number][] {
  const out: [number, number][] = [];
  for (const a of EDGES) for (const b of EDGES) out.push([a, b]);
  let seed = 12345;
  for (let i = 0; i < 2000; i++) {
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    const a = seed;
    seed = (Math.imul(seed, 1103515245) + 12345) | 0;
    out.push([a, seed]);
  }
  return out;
}

test('mulhu matches a 64-bit unsigned product', () => {
  for (const [a, b] of cases()) {
    assert.equal(mulhu(a, b), high(BigInt(a >>> 0) * BigInt(b >>> 0)), `mulhu(${a}, ${b})`);
  }
});

test('mulh matches a 64-bit signed product', () => {
  for (const [a, b] of cases()) assert.equal(mulh(a, b), high(BigInt(a) * BigInt(b)), `mulh(${a}, ${b})`);
});

test('mulhsu matches signed times unsigned', () => {
  for (const [a, b] of cases()) {
    assert.equal(mulhsu(a, b), high(BigInt(a) * BigInt(b >>> 0)), `mulhsu(${a}, ${b})`);
  }
});
