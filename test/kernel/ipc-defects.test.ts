// Regression tests for the IPC defects of issue 12, on the capability-checked operations every
// caller goes through (ipc/ipc.ts), with test-double hooks standing in for the kernel's wait
// queues: a failed call has no effect (capabilities carried by a reply are placed all or none;
// a failed cap_derive links nothing), badges are full uint32s, and a receive right that moved
// away no longer serves threads of its old holder that were blocked receiving through it. The last
// test drives the same defects from user/programs/ipc_defects.c, with the invariant checker on.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EINVAL, EMFILE, EPIPE } from '../../src/kernel/errno.js';
import { CapSpace } from '../../src/kernel/ipc/cspace.js';
import {
  type Delivery,
  Ipc,
  type IpcHooks,
  notifyKey,
  type Received,
  receiveKey,
  replyKey,
  sendKey,
} from '../../src/kernel/ipc/ipc.js';
import { RIGHT_GRANT, RIGHT_RECEIVE, RIGHT_SEND } from '../../src/kernel/ipc/limits.js';
import type { Notification, Port, PortSet } from '../../src/kernel/ipc/objects.js';
import { startServers } from '../../src/servers/boot.js';
import { newKernel, program, runToEnd } from './helpers.js';

interface Waiter {
  space: CapSpace;
  tid: number;
}

/** The kernel's side as plain data: waiters by key, what was written to whom, what was woken. */
class Hooks implements IpcHooks {
  private ids = 0;
  readonly waiters = new Map<string, Waiter[]>();
  readonly written = new Map<number, Received>();
  readonly woken: string[] = [];
  newObjectId(): number {
    return ++this.ids;
  }
  wait(key: string, space: CapSpace, tid: number): void {
    this.waiters.set(key, [...(this.waiters.get(key) ?? []), { space, tid }]);
  }
  deliverToWaiter(key: string, deliver: Delivery): boolean {
    const w = this.waiters.get(key)?.shift();
    if (w === undefined) return false;
    if (deliver(w.space, w.tid)) return true;
    this.woken.push(key); // the kernel wakes it to run its call again
    return false;
  }
  wakeAll(key: string): void {
    if (this.waiters.delete(key)) this.woken.push(key);
  }
  queued(): void {}
  writeMessage(received: Received, tid: number): boolean {
    this.written.set(tid, received);
    return true;
  }
  writeWord(): boolean {
    return true;
  }
}

function setup() {
  const hooks = new Hooks();
  return { hooks, ipc: new Ipc(hooks) };
}

/** A send right (with GRANT) to the port whose receive right is in `from` at `slot`, put in `to`. */
function sendRight(from: CapSpace, slot: number, to: CapSpace, badge = 0): number {
  const cap = from.get(slot)!;
  return to.insert(cap.derive(RIGHT_SEND | RIGHT_GRANT, badge));
}

/** A call from `client` (thread `tid`) to the server port; returns the reply id and the server's reply slot. */
function call(ipc: Ipc, hooks: Hooks, client: CapSpace, server: CapSpace, serverPort: number, tid: number) {
  const to = sendRight(server, serverPort, client);
  const reply = ipc.newReply(tid);
  assert.equal(ipc.send(client, 1, to, new Uint8Array([1]), [], 0, reply), 0);
  hooks.wait(replyKey(reply.id), client, tid);
  const got = ipc.receive(server, serverPort) as Received;
  assert.ok(got.replySlot > 0);
  return { reply, replySlot: got.replySlot };
}

test('a reply carrying more capabilities than the caller has room for places none of them', () => {
  const { hooks, ipc } = setup();
  const server = new CapSpace(10, 16);
  const client = new CapSpace(20, 3);
  const serverPort = ipc.createPort(server);
  const { reply, replySlot } = call(ipc, hooks, client, server, serverPort, 7);
  // the client now holds its send right; one more slot used leaves one free
  ipc.createPort(client);
  assert.equal(client.size, 2);
  const a = ipc.createNotification(server);
  const b = ipc.createNotification(server);
  assert.equal(ipc.reply(server, replySlot, new Uint8Array([2]), [a, b], 0), 0);
  assert.equal(client.size, 2, 'nothing placed in the client space');
  assert.equal(hooks.written.has(7), false, 'the waiting client did not take it');
  assert.deepEqual(hooks.woken, [replyKey(reply.id)], 'the client runs its call again');
  // runs again with still no room: EMFILE, nothing placed, the copies are gone
  assert.equal(ipc.collectReply(client, reply.id), -EMFILE);
  assert.equal(client.size, 2);
  assert.equal(server.get(a)!.children.size, 0, 'the dropped copies left the derivation tree');
  assert.equal(ipc.replies.has(reply.id), false);
  assert.equal(ipc.collectReply(client, reply.id), -EPIPE, 'a second try finds no answer, and no crash');
});

test('a reply whose caller frees slots before it runs again delivers every capability once', () => {
  const { hooks, ipc } = setup();
  const server = new CapSpace(10, 16);
  const client = new CapSpace(20, 3);
  const serverPort = ipc.createPort(server);
  const { reply, replySlot } = call(ipc, hooks, client, server, serverPort, 7);
  const extra = ipc.createPort(client);
  const a = ipc.createNotification(server);
  const b = ipc.createNotification(server);
  assert.equal(ipc.reply(server, replySlot, new Uint8Array([2]), [a, b], 0), 0);
  assert.equal(ipc.delete(client, extra), 0); // another thread of the caller frees a slot
  const got = ipc.collectReply(client, reply.id) as Received;
  assert.equal(got.capSlots.length, 2);
  assert.ok(got.capSlots.every((s) => s > 0 && client.get(s) !== undefined));
  assert.equal(client.size, 3);
});

test('a cap_derive that fails links nothing and holds nothing', () => {
  const { ipc } = setup();
  const space = new CapSpace(1, 2);
  const port = ipc.createPort(space);
  ipc.createNotification(space);
  let holds = 0;
  const cap = space.get(port)!;
  (cap.object as { hold?: () => void }).hold = () => holds++;
  assert.equal(ipc.derive(space, port, RIGHT_SEND, 5), -EMFILE);
  assert.equal(cap.children.size, 0, 'no child linked');
  assert.equal(holds, 0, 'no reference taken');
  assert.equal(space.size, 2);
});

test('badges are full uint32s: 2^31 and 2^32-1 are accepted and arrive intact', () => {
  const { ipc } = setup();
  const space = new CapSpace(1, 16);
  const port = ipc.createPort(space);
  for (const badge of [0x80000000, 0xffffffff]) {
    const slot = ipc.derive(space, port, RIGHT_SEND, badge);
    assert.ok(slot > 0, `badge ${badge} -> ${slot}`);
    assert.equal(space.get(slot)!.badge, badge);
    assert.equal(ipc.send(space, 1, slot, new Uint8Array(0), [], 0, undefined), 0);
    const got = ipc.receive(space, port) as Received;
    assert.equal(got.message.badge >>> 0, badge);
  }
  for (const badge of [-1, 2 ** 32, 1.5]) assert.equal(ipc.derive(space, port, RIGHT_SEND, badge), -EINVAL);
});

test('a moved receive right stops serving the old holder: its blocked receivers wake, the set lets go', () => {
  const { hooks, ipc } = setup();
  const a = new CapSpace(1, 16);
  const b = new CapSpace(2, 16);
  const p = ipc.createPort(a);
  const set = ipc.createPortSet(a);
  assert.equal(ipc.portSetAdd(a, set, p), 0);
  const port = a.get(p)!.object as Port;
  const portSet = a.get(set)!.object as PortSet;
  hooks.wait(receiveKey(port.id), a, 11); // a thread of A blocked on the port
  hooks.wait(receiveKey(portSet.id), a, 12); // another on the set
  // A moves the receive right to B through B's port
  const q = ipc.createPort(b);
  const toB = sendRight(b, q, a);
  assert.equal(ipc.send(a, 1, toB, new Uint8Array(0), [p], 1, undefined), 0);
  assert.deepEqual(hooks.woken.sort(), [receiveKey(port.id), receiveKey(portSet.id)].sort());
  assert.equal(port.set, undefined);
  assert.equal(portSet.ports.size, 0);
  // B takes the right; a message sent to the port then reaches nobody in A
  const got = ipc.receive(b, q) as Received;
  const moved = got.capSlots[0]!;
  assert.ok(b.get(moved)!.has(RIGHT_RECEIVE));
  assert.equal(port.receiver, b);
  hooks.wait(receiveKey(port.id), a, 13); // a stale waiter of A cannot take B's messages
  const toPort = b.insert(b.get(moved)!.derive(RIGHT_SEND, 0));
  assert.equal(ipc.send(b, 2, toPort, new Uint8Array([9]), [], 0, undefined), 0);
  assert.equal(hooks.written.has(13), false);
  assert.equal((ipc.receive(b, moved) as Received).message.data[0], 9);
});

test('a deleted port set or notification wakes the threads blocked on it', () => {
  const { hooks, ipc } = setup();
  const a = new CapSpace(1, 16);
  const set = ipc.createPortSet(a);
  const n = ipc.createNotification(a);
  const setId = (a.get(set)!.object as PortSet).id;
  const nId = (a.get(n)!.object as Notification).id;
  hooks.wait(receiveKey(setId), a, 1);
  hooks.wait(notifyKey(nId), a, 2);
  assert.equal(ipc.delete(a, set), 0);
  assert.equal(ipc.delete(a, n), 0);
  assert.deepEqual(hooks.woken, [receiveKey(setId), notifyKey(nId)]);
});

test('a moved port set arrives empty (its ports stay with their receive rights), and a receive right cannot travel on its own port', () => {
  const { ipc } = setup();
  const a = new CapSpace(1, 16);
  const b = new CapSpace(2, 16);
  const p = ipc.createPort(a);
  const set = ipc.createPortSet(a);
  assert.equal(ipc.portSetAdd(a, set, p), 0);
  const q = ipc.createPort(b);
  const toB = sendRight(b, q, a);
  assert.equal(ipc.send(a, 1, toB, new Uint8Array(0), [set], 1, undefined), 0);
  const got = ipc.receive(b, q) as Received;
  const moved = b.get(got.capSlots[0]!)!.object as PortSet;
  assert.equal(moved.ports.size, 0);
  assert.equal((a.get(p)!.object as Port).set, undefined);
  // B cannot receive A's messages through the set
  const toP = sendRight(a, p, b);
  assert.equal(ipc.send(b, 2, toP, new Uint8Array([1]), [], 0, undefined), 0);
  assert.equal(ipc.receivable(b, got.capSlots[0]!), undefined);
  // a receive right queued on its own port: EINVAL, nothing moved
  const self = sendRight(a, p, a);
  assert.equal(ipc.send(a, 1, self, new Uint8Array(0), [p], 1, undefined), -EINVAL);
  assert.ok(a.get(p)!.has(RIGHT_RECEIVE));
});

test('ipc_defects: the same defects driven by a program with real threads and processes', () => {
  const { kernel, host } = newKernel(16);
  startServers(kernel);
  const p = kernel.spawn({ file: program('ipc_defects'), argv: ['ipc_defects'], envp: [] });
  runToEnd(kernel);
  assert.equal(
    host.stdout(p.pid),
    'ipc_defects: a reply with more capabilities than room: EMFILE, nothing placed; with room made meanwhile: both arrive once\n' +
      'ipc_defects: a failed cap_derive derives nothing\n' +
      'ipc_defects: badges 0x80000000 and 0xffffffff derived and delivered\n' +
      "ipc_defects: a moved receive right: the old holder's receivers get EBADF and time out, the new holder exited 0 with the message\n" +
      'ipc_defects ok\n',
  );
  assert.equal(p.exitCode, 0);
  assert.deepEqual(host.reports, []);
});

test('senders blocked on a port wake when a send right to it is deleted, revoked or moved away', () => {
  const { hooks, ipc } = setup();
  const a = new CapSpace(1, 16);
  const b = new CapSpace(2, 16);
  const p = ipc.createPort(b);
  const port = b.get(p)!.object as Port;
  for (const how of ['delete', 'revoke', 'move'] as const) {
    const s = sendRight(b, p, a);
    hooks.wait(sendKey(port.id), a, 5); // a thread of A blocked sending through `s`
    hooks.woken.length = 0;
    if (how === 'delete') assert.equal(ipc.delete(a, s), 0);
    else if (how === 'revoke') assert.ok(ipc.revoke(b, p) >= 1);
    else {
      const q = ipc.createPort(b);
      const carrier = sendRight(b, q, a);
      assert.equal(ipc.send(a, 1, carrier, new Uint8Array(0), [s], 1, undefined), 0);
    }
    assert.ok(hooks.woken.includes(sendKey(port.id)), how);
  }
});
