// The hand-written FragmentHeader codec gives the generated protobuf codec's bytes, decodes what it
// encodes (unknown fields skipped), and turns malformed input into protocol errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { NetError } from '../../src/net/errors.js';
import {
  decodeFragmentHeader,
  encodeFragmentHeader,
  FRAGMENT_HEADER_MAX_ENCODED,
  type FragmentHeaderFields,
} from '../../src/net/fragment-header.js';
import { decodeMessage, encodeMessage, FragmentHeaderSchema } from '../../src/net/messages.js';
import { SeededRandom } from '../../src/net/random.js';

const EDGES = [0, 1, 127, 128, 16383, 16384, 0xffff, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1];

function samples(): FragmentHeaderFields[] {
  const random = new SeededRandom(11);
  const pick = (): number =>
    random.uint32() & 1 ? (EDGES[random.uint32() % EDGES.length] as number) : random.uint32();
  const out: FragmentHeaderFields[] = [];
  for (let n = 0; n < 2000; n++)
    out.push({
      messageId: pick(),
      appType: pick() & 0xffff,
      totalLength: pick(),
      index: pick(),
      count: pick(),
    });
  return out;
}

test('encoding gives the bytes of the generated protobuf codec', () => {
  const buf = new Uint8Array(FRAGMENT_HEADER_MAX_ENCODED + 3);
  for (const h of samples()) {
    const end = encodeFragmentHeader(h, buf, 3);
    assert.ok(end - 3 <= FRAGMENT_HEADER_MAX_ENCODED);
    assert.deepEqual(
      [...buf.subarray(3, end)],
      [...encodeMessage(FragmentHeaderSchema, h)],
      JSON.stringify(h),
    );
  }
});

test('decoding reads what protobuf encodes, and agrees with protobuf on what it decodes', () => {
  for (const h of samples()) {
    const bytes = encodeMessage(FragmentHeaderSchema, h);
    assert.deepEqual(decodeFragmentHeader(bytes, 0, bytes.length), h);
  }
  // Unknown fields of every wire type (a newer peer's) are skipped.
  const withUnknown = new Uint8Array([
    0x08,
    0x05, // message_id = 5
    0x30,
    0xac,
    0x02, // field 6 varint 300
    0x39,
    1,
    2,
    3,
    4,
    5,
    6,
    7,
    8, // field 7 fixed64
    0x42,
    0x02,
    0xaa,
    0xbb, // field 8 bytes
    0x4d,
    1,
    2,
    3,
    4, // field 9 fixed32
    0x28,
    0x03, // count = 3
  ]);
  const got = decodeFragmentHeader(withUnknown, 0, withUnknown.length);
  assert.deepEqual(got, { messageId: 5, appType: 0, totalLength: 0, index: 0, count: 3 });
  const theirs = decodeMessage(FragmentHeaderSchema, withUnknown);
  assert.ok(!(theirs instanceof NetError));
  assert.equal(theirs.messageId, 5);
  assert.equal(theirs.count, 3);
});

test('malformed headers are protocol errors', () => {
  const cases: number[][] = [
    [0x08], // truncated varint
    [0x08, 0x80, 0x80], // truncated varint
    [0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01], // varint over 10 bytes
    [0x00, 0x01], // field 0
    [0x0a, 0x01, 0x00], // known field with the wrong wire type
    [0x42, 0x05, 0x01], // bytes longer than the header
    [0x39, 1, 2], // truncated fixed64
    [0x4b], // group start
    new Array<number>(65).fill(0x08),
  ];
  for (const c of cases) {
    const got = decodeFragmentHeader(new Uint8Array(c), 0, c.length);
    assert.ok(got instanceof NetError, JSON.stringify(c));
    assert.equal(got.kind, 'protocol');
  }
  // A varint of 10 bytes is accepted and keeps its low 32 bits, as protobuf does.
  const long = new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual(decodeFragmentHeader(long, 0, long.length), {
    messageId: 2 ** 32 - 1,
    appType: 0,
    totalLength: 0,
    index: 0,
    count: 0,
  });
});
