// The content-addressed checkpoint store on MemoryStorage: a restore from the store equals an
// uninterrupted run; pages are stored once across checkpoints and processes (every checkpoint after
// the first writes only new pages); gc keeps the last N per process and removes the rest; a corrupt
// or torn page or manifest is detected and never restored from.
import assert from 'node:assert/strict';
import test from 'node:test';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import { StoreError } from '../../src/cluster/store/errors.js';
import { decodeManifest, splitBundle } from '../../src/cluster/store/manifest.js';
import { CheckpointStore } from '../../src/cluster/store/store.js';
import { newKernel, program, runFor, runToEnd, uninterruptedRun } from '../kernel/helpers.js';

test('an image goes into the store and comes back byte for byte; a restore from it finishes the run', () => {
  const whole = uninterruptedRun('crc32', ['2000']);
  const a = newKernel(32);
  const p = a.kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] });
  runFor(a.kernel, Math.floor(whole.instructions / 2));
  const bundle = a.kernel.checkpoint(p.pid);
  const store = new CheckpointStore(new MemoryStorage());
  const put = store.putImage(bundle);
  assert.equal(put.pagesWritten, put.pages);
  assert.deepEqual(store.getImage(put.manifest), bundle);
  const before = a.host.stdout(p.pid);

  const b = newKernel(32, 2);
  const pid = b.kernel.restore(store.getImage(put.manifest));
  const restored = b.kernel.findProcess(pid);
  runToEnd(b.kernel);
  assert.equal(before + b.host.stdout(pid), whole.out);
  assert.equal(restored?.exitCode, whole.code);
});

test('the second checkpoint of a process writes only the pages that changed', () => {
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('qsort'), argv: ['qsort', '5000'], envp: [] });
  runFor(kernel, 200_000);
  const store = new CheckpointStore(new MemoryStorage());
  const first = store.putImage(kernel.checkpoint(p.pid));
  kernel.markClean(p.pid);
  runFor(kernel, 20_000);
  const dirty = new Set(kernel.dirtyPages(p.pid)).size;
  const second = store.putImage(kernel.checkpoint(p.pid));
  assert.notEqual(second.manifest, first.manifest);
  assert.ok(second.pagesWritten > 0, 'some pages changed');
  assert.ok(second.pagesWritten <= dirty, `${second.pagesWritten} written, ${dirty} dirty`);
  assert.ok(second.pagesWritten < first.pagesWritten / 2, `${second.pagesWritten} of ${first.pagesWritten}`);
  // The same state again writes nothing at all.
  const again = store.putImage(kernel.checkpoint(p.pid));
  assert.equal(again.manifest, second.manifest);
  assert.equal(again.bytesWritten, 0);
});

test('ten processes running one program share their pages in the store', () => {
  const { kernel } = newKernel(64);
  const procs = Array.from({ length: 10 }, () =>
    kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] }),
  );
  runFor(kernel, 100_000);
  const store = new CheckpointStore(new MemoryStorage());
  let logical = 0;
  let written = 0;
  for (const p of procs) {
    const r = store.putImage(kernel.checkpoint(p.pid));
    logical += r.pages;
    written += r.pagesWritten;
  }
  assert.equal(store.stats().pages, written);
  assert.ok(written * 3 < logical, `${written} pages stored for ${logical} referenced`);
});

test('gc keeps the last N checkpoints per process and removes pages nothing references', () => {
  const storage = new MemoryStorage();
  const store = new CheckpointStore(storage, { keep: 2 });
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('qsort'), argv: ['qsort', '5000'], envp: [] });
  const manifests: string[] = [];
  for (let i = 0; i < 4; i++) {
    runFor(kernel, 100_000);
    const r = store.putImage(kernel.checkpoint(p.pid));
    manifests.push(r.manifest);
    store.record(p.npid, r.manifest, i);
  }
  assert.deepEqual(
    store.checkpoints(p.npid).map((c) => c.manifest),
    manifests.slice(2),
  );
  const before = store.stats();
  const pinned = manifests[0]!;
  store.pin(pinned);
  const first = store.gc();
  assert.equal(first.manifestsRemoved, 1, 'the second checkpoint goes; the pinned first stays');
  store.unpin(pinned);
  const second = store.gc();
  assert.equal(second.manifestsRemoved, 1);
  assert.ok(first.pagesRemoved + second.pagesRemoved > 0);
  assert.equal(store.stats().pages, before.pages - first.pagesRemoved - second.pagesRemoved);
  // Every page the kept checkpoints name is still there, and every stored page is named by one.
  const named = new Set(manifests.slice(2).flatMap((m) => store.getManifest(m).pages));
  assert.equal(store.stats().pages, named.size);
  for (const m of manifests.slice(2)) assert.deepEqual(store.missingPages(m), []);
  assert.throws(
    () => store.getImage(manifests[0]!),
    (e: unknown) => e instanceof StoreError && e.code === 'missing',
  );
  // Forgetting the process frees everything.
  store.forget(p.npid);
  store.gc();
  assert.deepEqual(store.stats(), { pages: 0, manifests: 0, processes: 0 });
});

test('a corrupt or torn page, or a corrupt manifest, is detected and never restored from', () => {
  const storage = new MemoryStorage();
  const store = new CheckpointStore(storage);
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('crc32'), argv: ['crc32', '2000'], envp: [] });
  runFor(kernel, 50_000);
  const bundle = kernel.checkpoint(p.pid);
  const r = store.putImage(bundle);
  const pages = storage.list('pages/');
  const victim = pages[Math.floor(pages.length / 2)]!;
  const hash = victim.slice(victim.lastIndexOf('/') + 1);
  const bytes = storage.read(victim)!;
  bytes[100]! ^= 0x40;
  storage.writeAtomic(victim, bytes);
  const corrupt = (e: unknown) => e instanceof StoreError && e.code === 'corrupt';
  assert.throws(() => store.getImage(r.manifest), corrupt);
  assert.equal(store.hasPage(hash), false, 'the corrupt page was removed');
  assert.deepEqual(store.missingPages(r.manifest), [hash]);
  // A torn write (a short page) is refused the same way.
  const other = pages[0]!;
  storage.writeAtomic(other, storage.read(other)!.subarray(0, 1000));
  assert.throws(() => store.getPage(other.slice(other.lastIndexOf('/') + 1)), corrupt);
  // Putting the page back heals the checkpoint; a page with the wrong hash is refused.
  const { manifest, contents } = splitBundle(bundle);
  const at = manifest.pages.indexOf(hash);
  assert.throws(() => store.putPage(contents[at]!, other.slice(other.lastIndexOf('/') + 1)), corrupt);
  store.putPage(contents[at]!, hash);
  store.putPage(contents[manifest.pages.indexOf(other.slice(other.lastIndexOf('/') + 1))]!);
  assert.deepEqual(store.getImage(r.manifest), bundle);
  // A flipped manifest byte: detected, removed.
  const name = `manifests/${r.manifest}`;
  const m = storage.read(name)!;
  m[m.length - 1]! ^= 1;
  storage.writeAtomic(name, m);
  assert.throws(() => store.getManifest(r.manifest), corrupt);
  assert.equal(store.hasManifest(r.manifest), false);
  // Malformed manifests from outside are typed errors.
  for (const bad of [new Uint8Array(0), new Uint8Array(40), m.subarray(0, 30)])
    assert.throws(
      () => decodeManifest(bad),
      (e: unknown) => e instanceof StoreError,
    );
});
