// The name server trusts nothing a client sends: it registers only send rights to ports (a receive
// right, a notification or shared memory is EINVAL), bounds the names one client may hold, and no
// request can wedge it — a client that keeps looking up a bad entry, or sends what the server has no
// room to take, does not stop it answering everyone else. Clients here are bare task processes
// calling through the kernel's IPC operations; the invariant checker runs after every step.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkInvariants } from '../../src/kernel/invariants.js';
import { RIGHT_GRANT, RIGHT_SEND, SLOT_NAME_SERVER } from '../../src/kernel/ipc/limits.js';
import type { Reply } from '../../src/kernel/ipc/objects.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { Process } from '../../src/kernel/proc.js';
import { startServers } from '../../src/servers/boot.js';
import { NAMES_MAX, NAMES_PER_CLIENT } from '../../src/servers/name-server.js';
import { NAME_LOOKUP, NAME_REGISTER } from '../../src/servers/protocol.js';
import { newKernel } from './helpers.js';

/** A client: a task process holding a send right to the name server badged `badge`. */
function client(kernel: Kernel, badge: number): Process {
  const task = kernel.createTask(`client${badge}`, (process) => ({ process, run: () => {} }));
  task.process.caps.place(
    kernel.bootstrap.nameServer!.derive(RIGHT_SEND | RIGHT_GRANT, badge),
    SLOT_NAME_SERVER,
  );
  return task.process;
}

function requestBytes(op: number, name: string): Uint8Array {
  const out = new Uint8Array(4 + name.length);
  new DataView(out.buffer).setUint32(0, op, true);
  for (let i = 0; i < name.length; i++) out[4 + i] = name.charCodeAt(i);
  return out;
}

/**
 * Calls the name server from `c` and lets it run: the reply's status, 'none' when no answer came,
 * 'dropped' when the request was dropped (EPIPE for the caller), or the send's own -errno. The
 * answer is consumed.
 */
function request(kernel: Kernel, c: Process, op: number, name: string, caps: number[] = [], move = 0) {
  const reply: Reply = kernel.ipc.newReply(1_000_000 + c.pid);
  const sent = kernel.ipc.send(c.caps, c.pid, SLOT_NAME_SERVER, requestBytes(op, name), caps, move, reply);
  if (sent !== 0) return sent; // the kernel refused the send itself
  kernel.step(1000);
  const m = reply.message;
  const state = reply.state;
  kernel.ipc.abandonReply(reply.id); // nobody waits: drop the answer and its capabilities
  if (state === 'abandoned') return 'dropped';
  if (m === undefined) return 'none';
  return new DataView(m.data.buffer, m.data.byteOffset).getInt32(0, true);
}

function setup() {
  const { kernel } = newKernel(8);
  kernel.afterEachStep = undefined; // replies here wait on no thread; checked after each test
  const servers = startServers(kernel);
  return { kernel, servers };
}

test('the name server registers only send rights to ports, and a bad client cannot wedge it', () => {
  const { kernel } = setup();
  const bad = client(kernel, 100);
  const good = client(kernel, 200);
  const port = kernel.ipc.createPort(bad.caps);
  assert.equal(request(kernel, bad, NAME_REGISTER, 'bad/recv', [port], 1), -22, 'a moved receive right');
  const n = kernel.ipc.createNotification(bad.caps);
  assert.equal(request(kernel, bad, NAME_REGISTER, 'bad/note', [n]), -22, 'a notification');
  const p2 = kernel.ipc.createPort(bad.caps);
  assert.equal(request(kernel, bad, NAME_REGISTER, 'bad/recv', [p2]), -1, 'copying a receive right: EPERM');
  // Far more lookups than the server has slots: each is answered, and nothing piles up in its space.
  for (let i = 0; i < 400; i++)
    assert.equal(request(kernel, bad, NAME_LOOKUP, 'bad/recv'), -2, `lookup ${i}`);
  const mine = kernel.ipc.createPort(good.caps);
  const send = kernel.ipc.derive(good.caps, mine, RIGHT_SEND, 0);
  assert.equal(request(kernel, good, NAME_REGISTER, 'good/svc', [send]), 0);
  assert.equal(request(kernel, good, NAME_LOOKUP, 'good/svc'), 0, 'others are still served');
  checkInvariants(kernel.inspect());
});

test('one client holds at most NAMES_PER_CLIENT names; others can still register', () => {
  const { kernel } = setup();
  const greedy = client(kernel, 300);
  const port = kernel.ipc.createPort(greedy.caps);
  const register = (c: Process, slotOwner: number, name: string) =>
    request(kernel, c, NAME_REGISTER, name, [kernel.ipc.derive(c.caps, slotOwner, RIGHT_SEND, 0)]);
  for (let i = 0; i < NAMES_PER_CLIENT; i++) assert.equal(register(greedy, port, `g/${i}`), 0, `name ${i}`);
  assert.equal(register(greedy, port, 'g/one-more'), -24);
  const other = client(kernel, 301);
  const theirs = kernel.ipc.createPort(other.caps);
  assert.equal(register(other, theirs, 'o/0'), 0);
  checkInvariants(kernel.inspect());
});

test('a request the server has no room to take is dropped, and the next one is answered', () => {
  const { kernel, servers } = setup();
  const c = client(kernel, 400);
  const port = kernel.ipc.createPort(c.caps);
  const space = servers.names.process.caps;
  space.limit = space.size + 1; // room for a reply capability, not for a carried one as well
  const send = kernel.ipc.derive(c.caps, port, RIGHT_SEND, 0);
  assert.equal(request(kernel, c, NAME_REGISTER, 'x/y', [send]), 'dropped');
  assert.equal(request(kernel, c, NAME_LOOKUP, 'x/y'), -2, 'the server still answers');
  checkInvariants(kernel.inspect());
});

test('a full table forgets the names of ports that died', () => {
  const { kernel } = setup();
  const ports: { c: Process; port: number }[] = [];
  for (let i = 0; i < NAMES_MAX; i++) {
    const c =
      ports[Math.floor(i / NAMES_PER_CLIENT)]?.c ?? client(kernel, 500 + Math.floor(i / NAMES_PER_CLIENT));
    const port = i % NAMES_PER_CLIENT === 0 ? kernel.ipc.createPort(c.caps) : ports[ports.length - 1]!.port;
    if (i % NAMES_PER_CLIENT === 0) ports.push({ c, port });
    const send = kernel.ipc.derive(c.caps, port, RIGHT_SEND, 0);
    assert.equal(request(kernel, c, NAME_REGISTER, `n/${i}`, [send]), 0, `name ${i}`);
  }
  const late = client(kernel, 999);
  const mine = kernel.ipc.createPort(late.caps);
  const register = () =>
    request(kernel, late, NAME_REGISTER, 'late/one', [kernel.ipc.derive(late.caps, mine, RIGHT_SEND, 0)]);
  assert.equal(register(), -24, 'the table is full');
  kernel.ipc.delete(ports[0]!.c.caps, ports[0]!.port); // one client's port dies
  assert.equal(register(), 0, 'its names made room');
  assert.equal(request(kernel, late, NAME_LOOKUP, 'n/0'), -2);
  checkInvariants(kernel.inspect());
});
