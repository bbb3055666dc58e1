// The frame fuzzer (issue 11): seeded random bytes, truncations and bit flips of valid frame
// streams fed to a FrameReader + LinkReceiver. Only typed NetErrors may come out, never a raw
// exception; the seed makes a failure reproducible.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BufferPool, ByteBudget } from '../../src/net/buffers.js';
import { NetError } from '../../src/net/errors.js';
import { FrameReader } from '../../src/net/frame.js';
import { FrameWriter } from '../../src/net/frame-writer.js';
import { DEFAULT_LANE_LIMITS, LinkReceiver, LinkSender } from '../../src/net/link.js';
import {
  decodeMessage,
  GoawaySchema,
  HelloAckSchema,
  HelloSchema,
  PingSchema,
} from '../../src/net/messages.js';
import { randomBelow, SeededRandom } from '../../src/net/random.js';

const INPUTS = 100_000;
const limits = { ...DEFAULT_LANE_LIMITS, fragmentSize: 256, maxMessageBytes: 4096, reassemblyBytes: 8192 };

/** A valid stream: a few small messages, a fragmented one, on both lanes. */
function validStream(random: SeededRandom): Uint8Array {
  const s = new LinkSender(limits, new ByteBudget(1 << 20));
  const n = 1 + randomBelow(random, 4);
  for (let i = 0; i < n; i++) {
    const len = randomBelow(random, 3) === 0 ? 300 + randomBelow(random, 900) : randomBelow(random, 40);
    const p = new Uint8Array(len);
    for (let k = 0; k < len; k++) p[k] = random.uint32() & 0xff;
    s.enqueue(randomBelow(random, 2) ? 'bulk' : 'control', randomBelow(random, 70000) & 0xffff, p);
  }
  const w = new FrameWriter(new BufferPool(64 * 1024));
  s.pull(w, Number.POSITIVE_INFINITY);
  return new Uint8Array(Buffer.concat(w.take().chunks)); // a plain array: Buffer#slice does not copy
}

function feed(bytes: Uint8Array, random: SeededRandom, reuseFragmentBuffer = false): NetError | undefined {
  const receiver = new LinkReceiver(limits, {
    message: () => {},
    net: (type, payload) => {
      // The net layer decodes these; it must not throw either.
      for (const schema of [HelloSchema, HelloAckSchema, PingSchema, GoawaySchema])
        decodeMessage(schema, payload);
      void type;
    },
  });
  const reader = new FrameReader(receiver, 2048, { reuseFragmentBuffer });
  // Feed in random-sized pieces to exercise the partial paths.
  let i = 0;
  while (i < bytes.length) {
    const step = 1 + randomBelow(random, 64);
    const err = reader.push(bytes.subarray(i, i + step));
    if (err) return err;
    i += step;
  }
  return undefined;
}

test(`frame fuzzer: ${INPUTS} seeded inputs give only typed errors`, () => {
  const random = new SeededRandom(0x5eed_f00d);
  const started = performance.now();
  const kinds = new Map<string, number>();
  let accepted = 0;
  const valids: Uint8Array[] = [];
  for (let k = 0; k < 64; k++) valids.push(validStream(random));
  for (let n = 0; n < INPUTS; n++) {
    const base = valids[randomBelow(random, valids.length)] as Uint8Array;
    let input: Uint8Array;
    const mode = n % 3;
    if (mode === 0) {
      input = new Uint8Array(randomBelow(random, 200));
      for (let k = 0; k < input.length; k++) input[k] = random.uint32() & 0xff;
      // Half of the random inputs start with a plausible header so they get past the magic check.
      if (input.length > 4 && n % 2 === 0) {
        input[0] = 0x50;
        input[1] = 0x4b;
        input[2] = 1;
      }
    } else if (mode === 1) {
      input = base.subarray(0, randomBelow(random, base.length + 1));
    } else {
      input = base.slice();
      const flips = 1 + randomBelow(random, 3);
      for (let f = 0; f < flips; f++) {
        const at = randomBelow(random, input.length);
        input[at] = (input[at] as number) ^ (1 << randomBelow(random, 8));
      }
    }
    let err: NetError | undefined;
    try {
      err = feed(input, random, n % 2 === 1);
    } catch (e) {
      assert.fail(`input ${n} (mode ${mode}) threw a raw exception: ${String(e)}`);
    }
    if (err) {
      assert.ok(err instanceof NetError, 'errors are NetErrors');
      kinds.set(err.kind, (kinds.get(err.kind) ?? 0) + 1);
    } else accepted++;
  }
  const seconds = (performance.now() - started) / 1000;
  assert.ok(seconds < 20, `fuzzer took ${seconds.toFixed(1)} s`);
  // Sanity: the fuzzer exercised both outcomes and the flips were mostly caught by the CRC.
  assert.ok(accepted > 1000, `some inputs are valid (truncations at frame boundaries): ${accepted}`);
  assert.ok((kinds.get('protocol') ?? 0) > 10_000, 'many inputs were refused as protocol errors');
  for (const valid of valids) {
    assert.equal(feed(valid, random), undefined, 'valid streams decode');
    assert.equal(feed(valid, random, true), undefined, 'valid streams decode with a reused fragment buffer');
  }
});
