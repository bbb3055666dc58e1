// The remote-port wire codec: frames round-trip, and bad bytes from another node (garbage, unsafe
// integers, bad NPIDs, too many carried acks or capabilities, unknown types) give a PortsWireError
// value, never an exception. And the route table at its limit: references past it are dead ports,
// never a crash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CARRIED_ACKS_MAX, ROUTES_MAX } from '../../src/cluster/ports/limits.js';
import { RouteTable } from '../../src/cluster/ports/routes.js';
import {
  decodeFrame,
  encodeMessage,
  encodeReply,
  encodeWatch,
  encodeWatchAnswer,
  PortsWireError,
  T_MESSAGE,
  T_REPLY,
  T_WATCH,
  T_WATCH_ANSWER,
} from '../../src/cluster/ports/wire.js';
import type { Npid } from '../../src/kernel/npid.js';

const holder = '00000002:7' as Npid;
const sender = '00000001:3' as Npid;

test('ports wire: frames round-trip, with carried acks', () => {
  const m = {
    stream: 5,
    seq: 9,
    sender,
    holder,
    port: 2 ** 33 + 1,
    badge: 7,
    data: new Uint8Array([1, 2, 3]),
    caps: [{ holder, port: 12, rights: 1, badge: 0 }],
    reply: 44,
    replyAcks: [1, 2],
  };
  assert.deepEqual(decodeFrame(T_MESSAGE, encodeMessage(m)), { kind: 'message', ...m });
  const r = {
    reply: 44,
    data: new Uint8Array([9]),
    caps: [],
    errno: 0,
    acks: [{ stream: 5, delivered: 9, status: 'ok' as const }],
  };
  assert.deepEqual(decodeFrame(T_REPLY, encodeReply(r)), { kind: 'reply', ...r });
  assert.deepEqual(decodeFrame(T_WATCH, encodeWatch(holder, 12)), { kind: 'watch', holder, port: 12 });
  assert.deepEqual(decodeFrame(T_WATCH_ANSWER, encodeWatchAnswer(holder, 12, 'dead')), {
    kind: 'watch-answer',
    holder,
    port: 12,
    status: 'dead',
  });
});

test('ports wire: bad frames are errors, not exceptions', () => {
  const base = {
    stream: 1,
    seq: 1,
    sender,
    holder,
    port: 1,
    badge: 0,
    data: new Uint8Array(0),
    caps: [],
    reply: 0,
    replyAcks: [],
  };
  const bad: [number, Uint8Array, RegExp][] = [
    [T_MESSAGE, new Uint8Array([0xff, 0xff, 0xff]), /ports frame/],
    [T_MESSAGE, encodeMessage({ ...base, seq: 0 }), /seq 0/],
    [T_MESSAGE, encodeMessage({ ...base, sender: 'nonsense' as Npid }), /not an NPID/],
    [T_MESSAGE, encodeMessage({ ...base, stream: Number.MAX_SAFE_INTEGER + 2 }), /safe integer/],
    [
      T_MESSAGE,
      encodeMessage({ ...base, replyAcks: Array.from({ length: CARRIED_ACKS_MAX + 1 }, (_, i) => i) }),
      /carried answer acks/,
    ],
    [
      T_MESSAGE,
      encodeMessage({
        ...base,
        caps: Array.from({ length: 5 }, () => ({ holder, port: 1, rights: 1, badge: 0 })),
      }),
      /capabilities/,
    ],
    [
      T_WATCH_ANSWER,
      encodeWatchAnswer(holder, 1, 'dead').map((b, i, a) => (i === a.length - 1 ? 0 : b)),
      /status/,
    ],
    [99, new Uint8Array(0), /not a ports frame/],
  ];
  for (const [type, bytes, why] of bad) {
    const f = decodeFrame(type, bytes);
    assert.ok(f instanceof PortsWireError, `type ${type} decoded: ${JSON.stringify(f)}`);
    assert.match(f.message, why);
  }
});

test('ports routes: past ROUTES_MAX failed routes are forgotten first, then new ones are born dead', () => {
  const t = new RouteTable();
  for (let i = 0; i < ROUTES_MAX; i++) assert.equal(t.routeFor(holder, i).failed, 0);
  assert.equal(t.size, ROUTES_MAX);
  assert.equal(t.routeFor(holder, 5).id, t.find(holder, 5)?.id, 'a known reference keeps its route');
  const over = t.routeFor(holder, ROUTES_MAX);
  assert.equal(over.failed, 32, 'no room: a dead port (EPIPE)');
  assert.equal(t.get(over.id), undefined);
  t.routeFor(holder, 7).failed = 32;
  const room = t.routeFor(holder, ROUTES_MAX + 1);
  assert.equal(room.failed, 0, 'a failed route made room');
  assert.equal(t.size, ROUTES_MAX);
  assert.equal(t.find(holder, 7), undefined);
});
