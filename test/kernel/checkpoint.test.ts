// Checkpoint/restore equivalence: each CPU benchmark is checkpointed at a seeded random instruction
// count, the image is encoded, decoded and restored on a fresh node, and the output before the
// checkpoint plus the output after the restore must equal an uninterrupted run's, with the same
// exit status. Also: truncated or corrupted images are refused with an ImageError and nothing runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { encode } from '@msgpack/msgpack';
import { ImageError } from '../../src/kernel/image.js';
import { decodeImage, encodeImage } from '../../src/kernel/image-codec.js';
import { checkpointPositions, newKernel, program, runFor, runToEnd, uninterruptedRun } from './helpers.js';

const CASES: [string, string[]][] = [
  ['crc32', ['20000']],
  ['sha256', ['2000']],
  ['qsort', ['5000']],
  ['matmul', ['24']],
  ['dhrystone', ['3000']],
  ['ptrchase', ['8192']],
  ['stdio', []],
  ['brk', []],
];

for (const [name, args] of CASES) {
  test(`checkpoint/restore of ${name} at random points equals an uninterrupted run`, () => {
    const whole = uninterruptedRun(name, args);
    assert.ok(whole.instructions > 10, 'the program runs');
    for (const at of checkpointPositions(name.length * 7919, 3, whole.instructions)) {
      const a = newKernel(32);
      const p = a.kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
      runFor(a.kernel, at);
      assert.ok(p.alive, `${name} still runs at instruction ${at}`);
      const bytes = a.kernel.checkpoint(p.pid);
      const before = a.host.stdout(p.pid);

      const b = newKernel(32, 2);
      const pid = b.kernel.restore(new Uint8Array(bytes));
      const restored = b.kernel.findProcess(pid)!;
      runToEnd(b.kernel);
      assert.equal(before + b.host.stdout(pid), whole.out, `${name} output after restore at ${at}`);
      assert.equal(restored.exitCode, whole.code, `${name} exit status after restore at ${at}`);
      assert.equal(
        restored.instructions,
        whole.instructions,
        `${name} total instructions after restore at ${at}`,
      );
    }
  });
}

function sampleImage(): Uint8Array {
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] });
  runFor(kernel, 50_000);
  return kernel.checkpoint(p.pid);
}

test('a truncated image is refused at every length and nothing runs', () => {
  const bytes = sampleImage();
  for (const len of [0, 7, 8, 15, 20, 100, Math.floor(bytes.length / 2), bytes.length - 1]) {
    const { kernel } = newKernel(32);
    assert.throws(() => kernel.restore(bytes.subarray(0, len)), ImageError, `length ${len}`);
    assert.equal(kernel.processes.size, 0);
  }
});

test('a corrupted image is refused: any flipped byte fails its checksum', () => {
  const bytes = sampleImage();
  let s = 12345;
  for (let i = 0; i < 40; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const copy = bytes.slice();
    const at = s % copy.length;
    copy[at]! ^= 1 << (s >>> 29);
    const { kernel } = newKernel(32);
    assert.throws(() => kernel.restore(copy), ImageError, `flip at ${at}`);
    assert.equal(kernel.processes.size, 0);
  }
});

test('a well-formed image with a bad manifest names the bad field', () => {
  const image = decodeImage(sampleImage());
  const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
    ['regs', (m) => ((m.threads as Record<string, unknown>[])[0]!.regs = [1, 2, 3]), /threads\[0\]\.regs/],
    [
      'region',
      (m) => ((m.regions as Record<string, unknown>[])[0]!.start = 0x80000000),
      /regions\[0\]\.start/,
    ],
    ['state', (m) => ((m.threads as Record<string, unknown>[])[0]!.state = 'flying'), /threads\[0\]\.state/],
    ['page', (m) => ((m.pages as Record<string, unknown>[])[0]!.content = 1e6), /pages\[0\]\.content/],
    ['version', (m) => (m.version = 99), /version/],
  ];
  for (const [what, mutate, message] of cases) {
    const manifest = structuredClone(image.manifest) as unknown as Record<string, unknown>;
    mutate(manifest);
    // Re-encode with the bad manifest but correct checksums, so only the schema can catch it.
    const bytes = encodeImage({ manifest: manifest as never, contents: image.contents });
    assert.ok(encode(manifest).length > 0);
    const { kernel } = newKernel(32);
    assert.throws(() => kernel.restore(bytes), message, what);
    assert.equal(kernel.processes.size, 0, what);
  }
});
