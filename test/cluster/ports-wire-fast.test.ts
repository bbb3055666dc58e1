// The hand-written codec of the hot ports frames (src/cluster/ports/wire-fast.ts) against
// @bufbuild/protobuf: the same bytes out, the same values in, and "not mine" for shapes it leaves
// to the generated codec (unknown fields, unpacked lists, non-ASCII strings, oversized varints).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { create, toBinary } from '@bufbuild/protobuf';
import { decodeFrame, T_MESSAGE, T_REPLY } from '../../src/cluster/ports/wire.js';
import {
  type FastMessage,
  type FastReply,
  fastDecodeMessage,
  fastDecodeReply,
  fastEncodeMessage,
  fastEncodeReply,
} from '../../src/cluster/ports/wire-fast.js';
import {
  CapRefSchema,
  PortAckSchema,
  PortMessageSchema,
  PortReplySchema,
} from '../../src/net/gen/pakaya/cluster/v1/ports_pb.js';
import { randomBelow, SeededRandom } from '../../src/net/random.js';

const seeded = new SeededRandom(7);
/** An integer in [lo, hi]. */
const r = { int: (lo: number, hi: number): number => lo + randomBelow(seeded, hi - lo + 1) };
/** 0, small, or large up to 2^53-1 (every varint length). */
function num(): number {
  const k = r.int(0, 3);
  if (k === 0) return 0;
  if (k === 1) return r.int(1, 300);
  if (k === 2) return r.int(1, 2 ** 31 - 1);
  return r.int(0, 2 ** 21 - 1) * 2 ** 32 + r.int(0, 2 ** 31 - 1) * 2 + r.int(0, 1);
}
const u32 = (): number => (r.int(0, 2) === 0 ? 0 : r.int(1, 2 ** 31 - 1) * 2 - r.int(0, 1));
const npid = (): string => (r.int(0, 4) === 0 ? '' : `0000000${r.int(1, 9)}:${r.int(1, 99999)}`);
const bytes = (): Uint8Array =>
  Uint8Array.from({ length: r.int(0, 3) === 0 ? 0 : r.int(1, 300) }, () => r.int(0, 255));
const caps = () =>
  Array.from({ length: r.int(0, 3) }, () => ({ holder: npid(), port: num(), rights: u32(), badge: u32() }));
const pbCaps = (cs: FastMessage['caps']) =>
  cs.map((c) =>
    create(CapRefSchema, { holder: c.holder, port: BigInt(c.port), rights: c.rights, badge: c.badge }),
  );

function message(): FastMessage {
  return {
    stream: num(),
    seq: num(),
    sender: npid(),
    holder: npid(),
    port: num(),
    badge: u32(),
    data: bytes(),
    caps: caps(),
    reply: num(),
    replyAcks: Array.from({ length: r.int(0, 4) }, num),
  };
}

function reply(): FastReply {
  return {
    reply: num(),
    data: bytes(),
    caps: caps(),
    errno: r.int(0, 2) === 0 ? 0 : r.int(1, 4095),
    acks: Array.from({ length: r.int(0, 3) }, () => ({
      stream: num(),
      delivered: num(),
      status: r.int(0, 4),
    })),
  };
}

const pbMessage = (m: FastMessage) =>
  toBinary(
    PortMessageSchema,
    create(PortMessageSchema, {
      ...m,
      stream: BigInt(m.stream),
      seq: BigInt(m.seq),
      port: BigInt(m.port),
      caps: pbCaps(m.caps),
      reply: BigInt(m.reply),
      replyAcks: m.replyAcks.map(BigInt),
    }),
  );

const pbReply = (m: FastReply) =>
  toBinary(
    PortReplySchema,
    create(PortReplySchema, {
      ...m,
      reply: BigInt(m.reply),
      caps: pbCaps(m.caps),
      acks: m.acks.map((a) =>
        create(PortAckSchema, { stream: BigInt(a.stream), delivered: BigInt(a.delivered), status: a.status }),
      ),
    }),
  );

test('ports fast wire: the same bytes as @bufbuild/protobuf, and the same values back', () => {
  for (let i = 0; i < 400; i++) {
    const m = message();
    const pb = pbMessage(m);
    assert.deepEqual(fastEncodeMessage(m), pb);
    assert.deepEqual(fastDecodeMessage(pb), m);
    const a = reply();
    const pa = pbReply(a);
    assert.deepEqual(fastEncodeReply(a), pa);
    assert.deepEqual(fastDecodeReply(pa), a);
  }
});

test('ports fast wire: other shapes are left to @bufbuild/protobuf, and decodeFrame still reads them', () => {
  const m: FastMessage = {
    ...message(),
    seq: 5,
    sender: '00000001:5',
    holder: '00000002:9',
    caps: [],
    replyAcks: [3],
  };
  const pb = pbMessage(m);
  // An unknown field (number 15, varint) appended: protobuf skips it; the fast reader declines.
  const unknown = Uint8Array.from([...pb, 0x78, 0x01]);
  assert.equal(fastDecodeMessage(unknown), undefined);
  const f = decodeFrame(T_MESSAGE, unknown);
  assert.ok(!(f instanceof Error) && f.kind === 'message' && f.seq === 5 && f.replyAcks[0] === 3);
  // reply_acks unpacked (field 10, varint 7): valid protobuf, not the fast shape.
  const unpacked = Uint8Array.from([
    0x10,
    0x05,
    0x1a,
    10,
    ...Buffer.from('00000001:5'),
    0x22,
    10,
    ...Buffer.from('00000002:9'),
    0x50,
    0x07,
  ]);
  assert.equal(fastDecodeMessage(unpacked), undefined);
  const g = decodeFrame(T_MESSAGE, unpacked);
  assert.ok(
    !(g instanceof Error) && g.kind === 'message' && g.replyAcks.length === 1 && g.replyAcks[0] === 7,
  );
  // A varint past 2^53 and a truncated frame: not the fast shape, and an error from decodeFrame.
  const huge = Uint8Array.from([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.equal(fastDecodeReply(huge), undefined);
  assert.ok(decodeFrame(T_REPLY, huge) instanceof Error);
  assert.equal(fastDecodeReply(Uint8Array.from([0x12, 0x05, 1])), undefined);
  assert.ok(decodeFrame(T_REPLY, Uint8Array.from([0x12, 0x05, 1])) instanceof Error);
  // A non-ASCII string is encoded by the generated codec.
  assert.equal(fastEncodeMessage({ ...m, sender: 'é' }), undefined);
});
