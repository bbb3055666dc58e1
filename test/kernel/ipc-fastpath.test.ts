// Round 2 of fast IPC (issue 12), checked at the Ipc layer with a test double for the kernel: the
// register-only path (a message to a receiver already waiting is written into its buffer without
// being queued, and takes the queued path, with its own bytes, when the receiver refuses it),
// pooled reply objects (reused only once answered and collected) and wait queues that keep emptied
// queues under their keys up to a bound.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FutexTable, WaitPoint } from '../../src/kernel/futex.js';
import { CapSpace } from '../../src/kernel/ipc/cspace.js';
import { type Delivery, Ipc, type Received } from '../../src/kernel/ipc/ipc.js';
import type { Port, Reply } from '../../src/kernel/ipc/objects.js';
import { WAIT_QUEUES_EMPTY_KEPT } from '../../src/kernel/limits.js';
import type { Thread } from '../../src/kernel/proc.js';

interface Got {
  tid: number;
  data: number[];
  badge: number;
  replySlot: number;
}

/** An Ipc over a test double: waiters by key, buffers that accept or refuse what is written. */
function world() {
  let nextId = 100;
  const waiters = new Map<string, { space: CapSpace; tid: number }[]>();
  const got: Got[] = [];
  const offers: string[] = [];
  const refuse = new Set<number>();
  const ipc = new Ipc({
    newObjectId: () => nextId++,
    deliverToWaiter: (key: string, deliver: Delivery) => {
      const w = waiters.get(key)?.shift();
      if (w === undefined) return false;
      offers.push(key);
      return deliver(w.space, w.tid);
    },
    wakeAll: (key) => waiters.delete(key),
    queued: () => {},
    writeMessage: (r: Received, tid: number) => {
      if (refuse.has(tid)) return false;
      got.push({ tid, data: [...r.message.data], badge: r.message.badge, replySlot: r.replySlot });
      return true;
    },
    writeWord: () => true,
  });
  const wait = (key: string, space: CapSpace, tid: number) => {
    const queue = waiters.get(key) ?? [];
    queue.push({ space, tid });
    waiters.set(key, queue);
  };
  return { ipc, got, offers, refuse, wait };
}

/** A server space with a port, a client space with a badged send right to it. */
function serverAndClient(ipc: Ipc) {
  const server = new CapSpace(1, 16);
  const client = new CapSpace(2, 16);
  const recvSlot = ipc.createPort(server);
  const port = server.get(recvSlot)!.object as Port;
  const sendSlot = client.insert(server.get(recvSlot)!.derive(1, 7)); // RIGHT_SEND, badge 7
  return { server, client, port, recvSlot, sendSlot };
}

test('a call to a waiting receiver is written into its buffer without being queued', () => {
  const { ipc, got, wait } = world();
  const { server, client, port, sendSlot } = serverAndClient(ipc);
  wait(port.recvKey, server, 10);
  const reply = ipc.newReply(20);
  assert.equal(ipc.send(client, 2, sendSlot, new Uint8Array([1, 2, 3]), [], 0, reply, true), 0);
  assert.equal(port.queue.length, 0, 'nothing queued');
  assert.equal(got.length, 1);
  assert.deepEqual(got[0]!.data, [1, 2, 3]);
  assert.equal(got[0]!.badge, 7);
  assert.ok(got[0]!.replySlot > 0);
  assert.equal(server.get(got[0]!.replySlot)?.object, reply, 'the reply capability names the call');
  assert.equal(ipc.replies.get(reply.id), reply);
  assert.ok(port.hasRoomFor(2) && port.hasRoomFor(3), 'no quota taken');
});

test('a refused direct message is queued with its own bytes and no reply capability left behind', () => {
  const { ipc, got, offers, refuse, wait } = world();
  const { server, client, port, sendSlot } = serverAndClient(ipc);
  wait(port.recvKey, server, 10);
  wait(port.recvKey, server, 11);
  refuse.add(10);
  const sizeBefore = server.size;
  const bytes = new Uint8Array([5, 6]);
  assert.equal(ipc.send(client, 2, sendSlot, bytes, [], 0, ipc.newReply(20), true), 0);
  bytes[0] = 99; // the sender's buffer changes after the call: the queued message must not
  assert.equal(got.length, 0);
  assert.deepEqual(offers, [port.recvKey], 'the refusing waiter was offered it once, no other waiter');
  assert.equal(server.size, sizeBefore, 'the reply capability placed for it was taken back');
  assert.equal(port.queue.length, 1);
  assert.deepEqual([...port.queue[0]!.data], [5, 6]);
  const r = ipc.receive(server, 1);
  assert.ok(typeof r === 'object');
  assert.ok(r.replySlot > 0);
});

test('a pooled reply object is reused only after its answer was taken', () => {
  const { ipc, got, wait } = world();
  const { server, client, port, sendSlot } = serverAndClient(ipc);
  const call = (): Reply => {
    wait(port.recvKey, server, 10);
    const reply = ipc.newReply(20);
    assert.equal(ipc.send(client, 2, sendSlot, new Uint8Array([1]), [], 0, reply), 0);
    return reply;
  };
  const first = call();
  wait(first.waitKey, client, 20);
  assert.equal(ipc.reply(server, got[0]!.replySlot, new Uint8Array([42]), [], 0, true), 0);
  assert.deepEqual(got[1], { tid: 20, data: [42], badge: 0, replySlot: 0 });
  assert.equal(ipc.replies.has(first.id), false);
  const second = call();
  assert.equal(second, first, 'the answered reply object came back from the pool');
  assert.equal(second.state, 'waiting');
  assert.equal(second.message, undefined);
  // Abandoned (the client left): the server still holds its capability, so it is never reused.
  ipc.abandonReply(second.id);
  const third = ipc.newReply(21);
  assert.notEqual(third, second);
  assert.notEqual(third.id, second.id);
});

test('an answer its client refuses waits with its own bytes and is collected later', () => {
  const { ipc, got, refuse, wait } = world();
  const { server, client, port, sendSlot } = serverAndClient(ipc);
  wait(port.recvKey, server, 10);
  const reply = ipc.newReply(20);
  assert.equal(ipc.send(client, 2, sendSlot, new Uint8Array([1]), [], 0, reply), 0);
  wait(reply.waitKey, client, 20);
  refuse.add(20);
  const answer = new Uint8Array([8, 9]);
  assert.equal(ipc.reply(server, got[0]!.replySlot, answer, [], 0, true), 0);
  answer[0] = 0;
  const collected = ipc.collectReply(client, reply.id);
  assert.ok(typeof collected === 'object');
  assert.deepEqual([...collected.message.data], [8, 9]);
  assert.equal(collected.message.senderPid, 1);
  assert.equal(ipc.newReply(21), reply, 'collected: back in the pool');
});

test('wait queues keep emptied queues under their keys, at most WAIT_QUEUES_EMPTY_KEPT', () => {
  const table = new FutexTable();
  const t = { tid: 1 } as Thread;
  table.add('a', t);
  assert.equal(table.takeFirst('a'), t);
  assert.equal(table.emptyQueues, 1);
  assert.deepEqual([...table.entries()], [], 'an empty queue is not listed');
  table.add('a', t);
  assert.equal(table.emptyQueues, 0, 'the kept queue is used again');
  assert.deepEqual(
    [...table.entries()].map(([k, q]) => [k, q.length]),
    [['a', 1]],
  );
  table.remove('a', t);
  for (let i = 0; i < WAIT_QUEUES_EMPTY_KEPT * 3; i++) {
    table.add(`k${i}`, t);
    table.remove(`k${i}`, t);
    assert.ok(table.emptyQueues <= WAIT_QUEUES_EMPTY_KEPT);
  }
  assert.equal(table.takeFirst('k0'), undefined);
});

test('a wait point caches its queue and finds the live one again after a sweep dropped it', () => {
  const table = new FutexTable();
  const t = { tid: 1 } as Thread;
  const u = { tid: 2 } as Thread;
  const point = new WaitPoint('p');
  assert.equal(table.firstAt(point), undefined, 'no queue yet');
  table.addAt(point, t);
  assert.equal(table.first('p'), t, 'the same queue by key');
  table.add('p', u);
  assert.equal(table.firstAt(point), t);
  assert.equal(table.takeFirstAt(point), t);
  assert.equal(table.takeFirstAt(point), u);
  assert.equal(table.takeFirstAt(point), undefined);
  // Enough emptied queues to sweep every empty one, 'p' included: the cached array is gone.
  for (let i = 0; i <= WAIT_QUEUES_EMPTY_KEPT; i++) {
    table.add(`k${i}`, t);
    table.takeFirst(`k${i}`);
  }
  table.addAt(point, u);
  assert.deepEqual(
    [...table.entries()].map(([k, q]) => [k, q.length]),
    [['p', 1]],
    'the waiter is in the table, not in a dropped array',
  );
  assert.equal(table.takeFirst('p'), u);
  assert.equal(table.emptyQueues <= WAIT_QUEUES_EMPTY_KEPT, true);
});
