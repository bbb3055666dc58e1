// The image fuzzer: mutations of a valid process image — raw byte flips, and mutated manifests
// re-checksummed so only the decoder's limits and schema stand between them and the kernel — only
// ever give an ImageError (or, rarely, a valid image), each within a time bound, and a refused image
// leaves nothing behind. Crafted manifests (millions of keys, deep nesting, raised limits) are
// refused fast instead of hanging or exhausting the heap.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { ImageError } from '../../src/kernel/image.js';
import { decodeImage, encodeImage } from '../../src/kernel/image-codec.js';
import { newKernel, program, runFor } from './helpers.js';

/** Time one decode-and-restore may take (generous: CI machines are shared). */
const BOUND_MS = 2000;
const MAGIC = new TextEncoder().encode('PKYIMAGE');

function sampleImage(): Uint8Array {
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] });
  runFor(kernel, 50_000);
  return kernel.checkpoint(p.pid);
}

/** An image around raw manifest bytes, with correct page hashes and checksum. */
function withManifest(manifest: Uint8Array, contents: Uint8Array[]): Uint8Array {
  const sha = (b: Uint8Array): Buffer => createHash('sha256').update(b).digest();
  const head = Buffer.alloc(MAGIC.length + 8);
  head.set(MAGIC, 0);
  head.writeUInt32LE(1, MAGIC.length);
  head.writeUInt32LE(manifest.length, MAGIC.length + 4);
  const count = Buffer.alloc(4);
  count.writeUInt32LE(contents.length, 0);
  const body = Buffer.concat([head, manifest, count, ...contents.flatMap((p) => [sha(p), p])]);
  return new Uint8Array(Buffer.concat([body, sha(body)]));
}

/** Restores `bytes` on a fresh kernel: 'ok', or 'refused' for an ImageError; anything else fails. */
const { kernel: shared } = newKernel(32);

function attempt(bytes: Uint8Array, what: string): 'ok' | 'refused' {
  const kernel = shared;
  const before = kernel.processes.size;
  const started = performance.now();
  let outcome: 'ok' | 'refused';
  try {
    const pid = kernel.restore(bytes);
    outcome = 'ok';
    kernel.kill(pid, 9);
  } catch (err) {
    if (!(err instanceof ImageError)) throw new Error(`${what}: ${String(err)}`, { cause: err });
    outcome = 'refused';
    assert.equal(kernel.processes.size, before, `${what}: a refused image left a process`);
  }
  const ms = performance.now() - started;
  assert.ok(ms < BOUND_MS, `${what}: took ${ms.toFixed(0)} ms`);
  return outcome;
}

function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return s >>> 0;
  };
}

const sample = sampleImage();
const decoded = decodeImage(sample);
const manifestBytes = encode(decoded.manifest, { ignoreUndefined: true });

test('the re-checksummed sample manifest restores (the harness is sound)', () => {
  assert.equal(attempt(withManifest(manifestBytes, decoded.contents), 'unmutated'), 'ok');
});

test('mutated manifests with valid checksums only ever give ImageError, in bounded time', () => {
  const next = rng(0x1badcafe);
  const special = [0xc1, 0xdc, 0xdd, 0xde, 0xdf, 0xdb, 0xc6, 0xc9, 0xff, 0x00, 0x7f, 0x8f, 0x9f, 0xbf];
  let refused = 0;
  for (let i = 0; i < 400; i++) {
    const m = manifestBytes.slice();
    const edits = 1 + (next() % 4);
    let bytes: Uint8Array = m;
    for (let e = 0; e < edits; e++) {
      const at = next() % bytes.length;
      switch (next() % 5) {
        case 0:
          bytes[at]! ^= 1 << (next() % 8);
          break;
        case 1:
          bytes[at] = special[next() % special.length]!;
          break;
        case 2: // a big length after a type byte
          bytes[at] = special[next() % 5]!;
          if (at + 4 < bytes.length) bytes.fill(0xff, at + 1, at + 5);
          break;
        case 3:
          bytes = bytes.subarray(0, at);
          break;
        default:
          bytes = new Uint8Array([
            ...bytes.subarray(0, at),
            ...bytes.subarray(at, at + 16),
            ...bytes.subarray(at),
          ]);
      }
    }
    if (attempt(withManifest(bytes, decoded.contents), `mutation ${i}`) === 'refused') refused++;
  }
  assert.ok(refused > 300, `most mutations are refused (${refused} of 400)`);
});

test('raw byte mutations anywhere in the image only ever give ImageError', () => {
  const next = rng(0x5eed);
  for (let i = 0; i < 100; i++) {
    const copy = sample.slice();
    const at = i < 40 ? next() % 64 : next() % copy.length; // the header often, then anywhere
    copy[at]! ^= 1 + (next() % 255);
    assert.equal(attempt(copy, `flip ${i} at ${at}`), 'refused');
  }
});

test('a manifest with millions of keys is refused fast', () => {
  // A 64k-key map (within the manifest size cap) is refused by its count before it is decoded, and
  // a header claiming 2^32 keys by its length.
  const big = new Uint8Array(5 + 65536 * 2);
  big[0] = 0xdf;
  new DataView(big.buffer).setUint32(1, 65536);
  for (let i = 0; i < 65536; i++) {
    big[5 + i * 2] = i & 0x7f;
    big[6 + i * 2] = 0xc0;
  }
  assert.throws(() => decodeImage(withManifest(big, decoded.contents)), /map .* exceeds the limit/);
  assert.equal(attempt(withManifest(big, decoded.contents), 'many keys'), 'refused');
  const huge = new Uint8Array(5);
  huge[0] = 0xdf;
  new DataView(huge.buffer).setUint32(1, 0xffffffff);
  assert.equal(attempt(withManifest(huge, decoded.contents), 'huge map header'), 'refused');
});

test('a deeply nested manifest is refused fast (no stack or heap exhaustion)', () => {
  const depth = 1_000_000;
  const nested = new Uint8Array(depth + 1).fill(0x91); // [[[[...]]]]
  nested[depth] = 0xc0;
  assert.throws(() => decodeImage(withManifest(nested, decoded.contents)), /nests deeper/);
  assert.equal(attempt(withManifest(nested, decoded.contents), 'deep nesting'), 'refused');
});

test('an image may not raise its own limits above the node’s', () => {
  for (const [field, value] of [
    ['threads', 100_000],
    ['pages', 10_000_000],
    ['handles', 1 << 20],
  ] as const) {
    const manifest = structuredClone(decoded.manifest);
    manifest.limits = { ...manifest.limits, [field]: value };
    const bytes = encodeImage({ manifest, contents: decoded.contents });
    const { kernel } = newKernel(32);
    assert.throws(() => kernel.restore(bytes), new RegExp(`limits\\.${field}.*node limit`), field);
    assert.equal(kernel.processes.size, 0);
  }
});
