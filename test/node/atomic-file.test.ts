// Atomic file writes: the new contents replace the old in one step, and a write that fails at any
// step leaves the old file intact and no temporary file behind.
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { type AtomicStep, writeFileAtomic, writeFileAtomicSync } from '../../src/node/atomic-file.js';

const fresh = (): string => mkdtempSync(join(tmpdir(), 'pakaya-atomic-'));

test('writeFileAtomicSync creates and replaces a file with mode 0600', () => {
  const dir = fresh();
  const path = join(dir, 'f.json');
  writeFileAtomicSync(path, 'one');
  assert.equal(readFileSync(path, 'utf8'), 'one');
  writeFileAtomicSync(path, new TextEncoder().encode('two'));
  assert.equal(readFileSync(path, 'utf8'), 'two');
  assert.equal(statSync(path).mode & 0o777, 0o600);
  assert.deepEqual(readdirSync(dir), ['f.json']);
});

test('writeFileAtomic writes a large image', async () => {
  const dir = fresh();
  const path = join(dir, 'image');
  const data = new Uint8Array(3 * 1024 * 1024).map((_, i) => i * 7);
  await writeFileAtomic(path, data);
  assert.deepEqual(new Uint8Array(readFileSync(path)), data);
});

const FAILING_STEPS: AtomicStep[] = ['open', 'write', 'fsync', 'rename'];

for (const step of FAILING_STEPS) {
  const fault = (at: AtomicStep): void => {
    if (at === step) throw Object.assign(new Error(`injected ENOSPC at ${at}`), { code: 'ENOSPC' });
  };
  test(`a sync write failing at '${step}' leaves the old file intact and no temp file`, () => {
    const dir = fresh();
    const path = join(dir, 'node.json');
    writeFileSync(path, 'old');
    assert.throws(() => writeFileAtomicSync(path, 'new contents', { fault }), /injected ENOSPC/);
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['node.json']);
  });
  test(`an async write failing at '${step}' leaves the old file intact and no temp file`, async () => {
    const dir = fresh();
    const path = join(dir, 'image');
    writeFileSync(path, 'old');
    await assert.rejects(writeFileAtomic(path, new Uint8Array(1000), { fault }), /injected ENOSPC/);
    assert.equal(readFileSync(path, 'utf8'), 'old');
    assert.deepEqual(readdirSync(dir), ['image']);
  });
}

test('a write into a missing directory fails without creating anything', async () => {
  const dir = fresh();
  await assert.rejects(writeFileAtomic(join(dir, 'no', 'image'), new Uint8Array(1)), /ENOENT/);
  assert.deepEqual(readdirSync(dir), []);
});
