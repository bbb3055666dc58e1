// The durable Raft log: round trip, restart recovery, segment rollover and compaction, a torn tail
// cut on restart, corruption in the middle refused with a WalError, storage failures poisoning the
// log, and the record codec's bounds.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import {
  CodecError,
  decodeEntry,
  decodeHardState,
  encodeEntry,
  encodeHardState,
} from '../../src/cluster/raft/codec.js';
import type { Entry, HardState, Snapshot } from '../../src/cluster/raft/types.js';
import { Wal, WalError } from '../../src/cluster/raft/wal.js';
import { StorageError } from '../../src/cluster/storage.js';
import type { NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';

const enc = new TextEncoder();

function entry(index: number, term: number, text = `e${index}`): Entry {
  return { kind: 'normal', term, index, data: enc.encode(text) };
}

function entries(from: number, to: number, term: number): Entry[] {
  const out: Entry[] = [];
  for (let i = from; i <= to; i++) out.push(entry(i, term));
  return out;
}

function summary(es: readonly Entry[]): string {
  return es.map((e) => `${e.term}/${e.index}`).join(' ');
}

const hs = (term: number, vote: number, commit: number): HardState => ({
  term,
  vote: vote as NodeId,
  commit,
});

test('codec: entries and hard state round trip; bad bytes are a CodecError', () => {
  const conf: Entry = {
    kind: 'conf',
    term: 7,
    index: 2 ** 40,
    change: { type: 'add-learner', node: 9 as NodeId },
  };
  assert.deepEqual(decodeEntry(encodeEntry(conf)), conf);
  assert.deepEqual(decodeEntry(encodeEntry(entry(3, 2, 'hello'))), entry(3, 2, 'hello'));
  assert.deepEqual(decodeHardState(encodeHardState(hs(5, 3, 12))), hs(5, 3, 12));
  const bytes = encodeEntry(entry(3, 2, 'hello'));
  assert.throws(() => decodeEntry(bytes.subarray(0, bytes.length - 1)), CodecError);
  const bad = bytes.slice();
  bad[0] = 9;
  assert.throws(() => decodeEntry(bad), /unknown entry kind/);
  const huge = bytes.slice();
  huge.set([0xff, 0xff, 0xff, 0xff], 17); // data length field
  assert.throws(() => decodeEntry(huge), /exceeds the limit/);
});

test('wal: a new log is empty; saved entries and hard state come back after reopening', () => {
  const storage = new MemoryStorage();
  const first = Wal.open(storage, 'raft');
  assert.deepEqual(first.state, { hardState: hs(0, 0, 0), snapshot: undefined, entries: [] });
  first.wal.save(hs(1, 1, 0), entries(1, 3, 1));
  first.wal.save(hs(2, 2, 2), entries(4, 5, 2));
  // an overwrite from a new leader replaces the suffix from index 4
  first.wal.save(hs(3, 0, 3), [entry(4, 3, 'x'), entry(5, 3, 'y'), entry(6, 3, 'z')]);
  storage.crash(); // everything was synced: nothing is lost
  const again = Wal.open(storage, 'raft');
  assert.deepEqual(again.state.hardState, hs(3, 0, 3));
  assert.equal(summary(again.state.entries), '1/1 1/2 1/3 3/4 3/5 3/6');
  assert.equal(new TextDecoder().decode((again.state.entries[5] as Entry & { data: Uint8Array }).data), 'z');
  assert.equal(again.cutBytes, 0);
});

test('wal: unsynced appends are lost by a crash, synced ones are not', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft');
  wal.save(hs(1, 1, 0), entries(1, 2, 1));
  wal.save(hs(1, 1, 2), entries(3, 4, 1), false);
  storage.crash();
  const { state } = Wal.open(storage, 'raft');
  assert.equal(summary(state.entries), '1/1 1/2');
  assert.deepEqual(state.hardState, hs(1, 1, 0));
});

test('wal: a torn tail is cut on restart, and the log keeps working after it', () => {
  for (let seed = 1; seed <= 40; seed++) {
    const storage = new MemoryStorage();
    const { wal } = Wal.open(storage, 'raft');
    wal.save(hs(1, 1, 1), entries(1, 3, 1));
    wal.save(hs(1, 1, 3), entries(4, 9, 1), false); // not synced: a crash may tear it anywhere
    storage.crash(new SeededRandom(seed));
    const { wal: w2, state } = Wal.open(storage, 'raft');
    const n = state.entries.length;
    assert.ok(n >= 3 && n <= 9, `seed ${seed}: kept ${n} entries`);
    assert.equal(summary(state.entries), summary(entries(1, n, 1)), `seed ${seed}: a prefix survives`);
    w2.save(hs(2, 2, n), [entry(n + 1, 2)]);
    const third = Wal.open(storage, 'raft');
    assert.equal(third.cutBytes, 0, 'nothing left to cut');
    assert.equal(third.state.entries.length, n + 1);
  }
});

test('wal: a damaged last record is a torn tail; damage with records after it is a WalError', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft');
  wal.save(hs(1, 1, 0), entries(1, 4, 1));
  const [segment] = wal.segments().slice(-1);
  assert.ok(segment);
  const size = (storage.read(segment) as Uint8Array).length;

  const tail = new MemoryStorage();
  tail.writeAtomic(segment, (storage.read(segment) as Uint8Array).slice());
  tail.corrupt(segment, size - 1); // inside the last record (the hard state)
  const cut = Wal.open(tail, 'raft');
  assert.ok(cut.cutBytes > 0);
  assert.equal(cut.state.entries.length, 4);
  assert.deepEqual(cut.state.hardState, hs(0, 0, 0), 'the torn hard state record is gone');

  const middle = new MemoryStorage();
  middle.writeAtomic(segment, (storage.read(segment) as Uint8Array).slice());
  middle.corrupt(segment, 60); // inside an early entry record
  assert.throws(
    () => Wal.open(middle, 'raft'),
    (err: unknown) =>
      err instanceof WalError && err.code === 'corrupt' && /checksum mismatch/.test(err.message),
  );
});

test('wal: corruption in a sealed (not last) segment is a WalError even at its end', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft', { segmentBytes: 200 });
  for (let i = 1; i <= 20; i++) wal.save(hs(1, 1, i - 1), [entry(i, 1)]);
  const segs = wal.segments();
  assert.ok(segs.length > 3, `rolled over into ${segs.length} segments`);
  const sealed = segs[1] as string;
  const size = (storage.read(sealed) as Uint8Array).length;
  storage.corrupt(sealed, size - 1);
  assert.throws(
    () => Wal.open(storage, 'raft', { segmentBytes: 200 }),
    (err: unknown) => err instanceof WalError && /sealed segment/.test(err.message),
  );
});

test('wal: segments roll over, and all of them replay in order', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft', { segmentBytes: 256 });
  for (let i = 1; i <= 50; i++) wal.save(hs(1, 1, i - 1), [entry(i, 1)]);
  assert.ok(wal.segments().length > 5);
  const { state } = Wal.open(storage, 'raft', { segmentBytes: 256 });
  assert.equal(state.entries.length, 50);
  assert.deepEqual(state.hardState, hs(1, 1, 49));
});

test('wal: local compaction keeps later entries and deletes a prefix of segments', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft', { segmentBytes: 256 });
  for (let i = 1; i <= 40; i++) wal.save(hs(2, 1, i), [entry(i, 2)]);
  const before = wal.segments().length;
  const snap: Snapshot = {
    index: 30,
    term: 2,
    conf: { voters: [1, 2, 3] as NodeId[], learners: [] },
    data: enc.encode('state@30'),
  };
  wal.saveSnapshot(snap, false);
  assert.ok(wal.segments().length < before, 'old segments were deleted');
  const { state } = Wal.open(storage, 'raft', { segmentBytes: 256 });
  assert.deepEqual(state.snapshot, snap);
  assert.equal(summary(state.entries), summary(entries(31, 40, 2)));
  assert.deepEqual(state.hardState, hs(2, 1, 40));
});

test('wal: a snapshot from the leader replaces the log, even its stale tail', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft');
  wal.save(hs(2, 1, 3), entries(1, 9, 2)); // 4..9 uncommitted, from an old leader
  const snap: Snapshot = {
    index: 6,
    term: 3,
    conf: { voters: [1, 2, 3] as NodeId[], learners: [] },
    data: enc.encode('s'),
  };
  wal.saveReady({
    hardState: hs(3, 0, 6),
    entries: [entry(7, 3)],
    snapshot: snap,
    committedEntries: [],
    messages: [],
    readStates: [],
    mustSync: true,
  });
  const { state } = Wal.open(storage, 'raft');
  assert.equal(state.snapshot?.index, 6);
  assert.equal(summary(state.entries), '3/7');
  assert.deepEqual(state.hardState, hs(3, 0, 6));
});

test('wal: a crash right after the snapshot file was written recovers to the snapshot', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft');
  wal.save(hs(2, 1, 3), entries(1, 9, 2));
  const snap: Snapshot = {
    index: 6,
    term: 3,
    conf: { voters: [1] as NodeId[], learners: [] },
    data: new Uint8Array(0),
  };
  storage.failNext('append'); // the new segment's first write fails: the log is poisoned
  assert.throws(() => wal.saveSnapshot(snap, true), StorageError);
  assert.throws(
    () => wal.save(hs(3, 0, 6), []),
    (err: unknown) => err instanceof WalError && err.code === 'failed',
  );
  storage.crash();
  const { state } = Wal.open(storage, 'raft');
  assert.equal(state.snapshot?.index, 6);
  assert.deepEqual(state.entries, [], 'the stale entries 7..9 are void');
  assert.deepEqual(state.hardState, hs(2, 1, 3));
});

test('wal: a corrupt snapshot file is a WalError', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft');
  wal.save(hs(1, 1, 2), entries(1, 2, 1));
  wal.saveSnapshot(
    { index: 2, term: 1, conf: { voters: [1] as NodeId[], learners: [] }, data: enc.encode('abc') },
    false,
  );
  storage.corrupt('raft/snapshot', 20);
  assert.throws(
    () => Wal.open(storage, 'raft'),
    (err: unknown) => err instanceof WalError && /snapshot/.test(err.message),
  );
});

test('wal: an unsynced save that rolls the segment over is sealed before the next segment starts', () => {
  const storage = new MemoryStorage();
  const { wal } = Wal.open(storage, 'raft', { segmentBytes: 128 });
  wal.save(hs(1, 1, 0), entries(1, 3, 1), false); // not synced, but crosses the segment size
  assert.ok(wal.segments().length >= 2);
  storage.crash(new SeededRandom(3));
  const { state } = Wal.open(storage, 'raft', { segmentBytes: 128 });
  assert.equal(summary(state.entries), '1/1 1/2 1/3');
});
