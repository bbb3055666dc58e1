// Frame codec: CRC32C check values, envelope round trips (whole, split at every byte), fragment
// round trips through LinkSender/LinkReceiver, limits checked before allocation, typed errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool, ByteBudget } from '../../src/net/buffers.js';
import { crc32c } from '../../src/net/crc32c.js';
import { NetError } from '../../src/net/errors.js';
import {
  encodeFrame,
  FrameReader,
  FrameType,
  HEADER_BYTES,
  LANE_BULK,
  LANE_CONTROL,
} from '../../src/net/frame.js';
import { FrameWriter } from '../../src/net/frame-writer.js';
import { DEFAULT_LANE_LIMITS, LinkReceiver, LinkSender } from '../../src/net/link.js';
import { decodeMessage, encodeMessage, HelloSchema } from '../../src/net/messages.js';

interface Got {
  type: number;
  lane: number;
  app: number;
  payload: Uint8Array;
}

function collect(): {
  frames: Got[];
  handler: { frame(t: number, l: number, a: number, p: Uint8Array): void };
} {
  const frames: Got[] = [];
  return {
    frames,
    handler: { frame: (type, lane, app, payload) => frames.push({ type, lane, app, payload }) },
  };
}

test('crc32c matches the standard check values', () => {
  assert.equal(crc32c(new TextEncoder().encode('123456789')), 0xe3069283);
  assert.equal(crc32c(new Uint8Array(32)), 0x8a9136aa);
  const ff = new Uint8Array(32).fill(0xff);
  assert.equal(crc32c(ff), 0x62a8ab43);
  // Incremental equals one-shot.
  const data = new Uint8Array(1000).map((_, i) => (i * 31) & 0xff);
  assert.equal(crc32c(data.subarray(500), crc32c(data.subarray(0, 500))), crc32c(data));
});

test('frames round-trip whole and split at every byte', () => {
  const payloads = [new Uint8Array(0), new Uint8Array([1, 2, 3]), new Uint8Array(300).fill(7)];
  const stream: Uint8Array[] = payloads.map((p, i) => encodeFrame(FrameType.APP, i % 2, 1000 + i, p));
  const all = Buffer.concat(stream);
  for (let cut = 0; cut <= all.length; cut++) {
    const { frames, handler } = collect();
    const r = new FrameReader(handler);
    assert.equal(r.push(all.subarray(0, cut)), undefined);
    assert.equal(r.push(all.subarray(cut)), undefined);
    assert.equal(frames.length, 3);
    frames.forEach((f, i) => {
      assert.equal(f.type, FrameType.APP);
      assert.equal(f.lane, i % 2);
      assert.equal(f.app, 1000 + i);
      assert.deepEqual([...f.payload], [...(payloads[i] as Uint8Array)]);
    });
    assert.ok(r.idle);
  }
});

test('bad frames give typed protocol errors and the reader stays failed', () => {
  const good = encodeFrame(FrameType.APP, LANE_BULK, 5, new Uint8Array([9, 9, 9]));
  const flipped = good.slice();
  flipped[HEADER_BYTES] = (flipped[HEADER_BYTES] as number) ^ 1;
  const { handler } = collect();
  const r = new FrameReader(handler);
  const err = r.push(flipped);
  assert.ok(err instanceof NetError);
  assert.equal(err.kind, 'protocol');
  assert.match(err.message, /checksum/);
  assert.equal(r.push(good), err, 'a failed reader stays failed');

  const huge = good.slice(0, HEADER_BYTES);
  huge[8] = 0x7f; // length ~2 GiB
  const e2 = new FrameReader(handler).push(huge);
  assert.ok(e2 instanceof NetError && /exceeds the limit/.test(e2.message));
  const magic = good.slice();
  magic[0] = 0;
  assert.match(String(new FrameReader(handler).push(magic)?.message), /magic/);
});

test('FrameWriter batches small frames and references large payloads', () => {
  const pool = new BufferPool(4096);
  const w = new FrameWriter(pool);
  const big = new Uint8Array(10000).fill(3);
  w.frame(FrameType.APP, LANE_CONTROL, 1, undefined, new Uint8Array([1]), 0, 1);
  w.frame(FrameType.APP, LANE_CONTROL, 2, undefined, new Uint8Array([2]), 0, 1);
  w.frame(FrameType.APP, LANE_BULK, 3, undefined, big, 0, big.length);
  const { chunks, buffers } = w.take();
  assert.equal(buffers.length, 1);
  assert.ok(chunks.includes(big), 'large payload is not copied');
  const { frames, handler } = collect();
  assert.equal(new FrameReader(handler).push(Buffer.concat(chunks)), undefined);
  assert.deepEqual(
    frames.map((f) => f.app),
    [1, 2, 3],
  );
  for (const b of buffers) pool.release(b);
  assert.equal(pool.freeCount, 1);
  assert.equal(pool.acquire(), buffers[0]);
});

test('a reader reusing one fragment buffer reassembles messages split at any chunk size', () => {
  const limits = { ...DEFAULT_LANE_LIMITS, fragmentSize: 1000 };
  const sender = new LinkSender(limits, new ByteBudget(1 << 30));
  const bigs = [0, 1, 2].map((k) => new Uint8Array(3500 + k * 700).map((_, i) => (i * (k + 3)) & 0xff));
  const small = new Uint8Array(1500).fill(9); // an APP frame that spans chunks: kept, so never reused
  for (const b of bigs) assert.equal(sender.enqueue('bulk', 7, b), undefined);
  assert.equal(sender.enqueue('control', 8, small), undefined);
  const w = new FrameWriter(new BufferPool(64 * 1024));
  sender.pull(w, Number.POSITIVE_INFINITY);
  const stream = Buffer.concat(w.take().chunks);
  for (const step of [1, 7, 100, 999, 4096]) {
    const got: Uint8Array[] = [];
    const receiver = new LinkReceiver(limits, {
      message: (_lane, _app, payload) => got.push(payload),
      net: () => assert.fail('no net frames'),
    });
    const reader = new FrameReader(receiver, 2048, { reuseFragmentBuffer: true });
    for (let i = 0; i < stream.length; i += step)
      assert.equal(reader.push(stream.subarray(i, i + step)), undefined);
    assert.equal(got.length, 4, `step ${step}`);
    assert.deepEqual([...(got[0] as Uint8Array)], [...small], `step ${step}: the kept APP payload is intact`);
    for (let k = 0; k < 3; k++)
      assert.deepEqual(
        [...(got[k + 1] as Uint8Array)],
        [...(bigs[k] as Uint8Array)],
        `step ${step} msg ${k}`,
      );
  }
});

test('large messages are fragmented, control frames overtake between fragments, reassembly works', () => {
  const limits = { ...DEFAULT_LANE_LIMITS, fragmentSize: 1000 };
  const sender = new LinkSender(limits, new ByteBudget(1 << 30));
  const big = new Uint8Array(5500).map((_, i) => i & 0xff);
  assert.equal(sender.enqueue('bulk', 7, big), undefined);
  const w = new FrameWriter(new BufferPool(64 * 1024));
  sender.pull(w, 1); // first fragment
  assert.equal(sender.enqueue('control', 8, new Uint8Array([42])), undefined);
  sender.pull(w, Number.POSITIVE_INFINITY);
  const got: { lane: string; app: number; len: number }[] = [];
  const receiver = new LinkReceiver(limits, {
    message: (lane, app, payload) => {
      got.push({ lane, app, len: payload.length });
      if (app === 7) assert.deepEqual([...payload], [...big]);
    },
    net: () => assert.fail('no net frames'),
  });
  const seen: number[] = [];
  const reader = new FrameReader({
    frame: (t, l, a, p) => {
      seen.push(t);
      receiver.frame(t, l, a, p);
    },
  });
  assert.equal(reader.push(Buffer.concat(w.take().chunks)), undefined);
  assert.deepEqual(seen, [
    FrameType.FRAGMENT,
    FrameType.APP,
    FrameType.FRAGMENT,
    FrameType.FRAGMENT,
    FrameType.FRAGMENT,
    FrameType.FRAGMENT,
    FrameType.FRAGMENT,
  ]);
  assert.deepEqual(got, [
    { lane: 'control', app: 8, len: 1 },
    { lane: 'bulk', app: 7, len: 5500 },
  ]);
  assert.equal(sender.queuedBytes('bulk'), 0);
  assert.equal(receiver.reassemblyBytes, 0);
});

test('lane queues are bounded in messages and bytes and report overload', async () => {
  const limits = { ...DEFAULT_LANE_LIMITS, controlFrames: 2, bulkBytes: 1000 };
  const node = new ByteBudget(1 << 20);
  const s = new LinkSender(limits, node);
  assert.equal(s.enqueue('control', 1, new Uint8Array(1)), undefined);
  assert.equal(s.enqueue('control', 1, new Uint8Array(1)), undefined);
  assert.equal(s.enqueue('control', 1, new Uint8Array(1))?.kind, 'overload');
  assert.equal(s.enqueue('bulk', 1, new Uint8Array(900)), undefined);
  assert.equal(s.enqueue('bulk', 1, new Uint8Array(900))?.kind, 'overload');
  assert.equal(s.enqueue('bulk', 70000, new Uint8Array(1))?.kind, 'protocol');
  let woke = false;
  const p = s.whenWritable('bulk').then(() => {
    woke = true;
  });
  assert.equal(woke, false);
  s.pull(new FrameWriter(new BufferPool(65536)), Number.POSITIVE_INFINITY);
  await p;
  assert.ok(woke);
  assert.equal(node.inUse, 0);
  assert.ok(node.highWater > 900);
});

test('protobuf messages round-trip and malformed ones are protocol errors', () => {
  const bytes = encodeMessage(HelloSchema, {
    minVersion: 1,
    maxVersion: 3,
    nodeId: 0xdeadbeef,
    clusterId: 'c1',
  });
  const h = decodeMessage(HelloSchema, bytes);
  assert.ok(!(h instanceof NetError));
  assert.equal(h.nodeId, 0xdeadbeef);
  assert.equal(h.clusterId, 'c1');
  const bad = decodeMessage(HelloSchema, new Uint8Array([0x08, 0xff]));
  assert.ok(bad instanceof NetError && bad.kind === 'protocol');
});
