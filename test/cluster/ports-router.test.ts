// The remote-port router's pure core (src/cluster/ports) between two real kernels over SimNetwork:
// exactly-once in-order delivery under link drops and partitions (many seeds), back-pressure across
// the network, calls, capabilities that travel (and come home as local rights), dead ports and
// unreachable nodes as errors within the deadline, dead-port watches and monitors across nodes (a
// port deleted, its holder exited, its node declared dead), and the port state a migration carries.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { APP_TYPES, transportLinks } from '../../src/cluster/links.js';
import { ACK_DELAY_MS, DELIVERY_TIMEOUT_MS, STREAM_WINDOW } from '../../src/cluster/ports/limits.js';
import { PortsRouter } from '../../src/cluster/ports/router.js';
import { LocalRegistry } from '../../src/cluster/registry/local.js';
import { members, npids } from '../../src/cluster/registry/schema.js';
import type { GroupImage } from '../../src/kernel/group-image.js';
import { WOULD_BLOCK } from '../../src/kernel/ipc/ipc.js';
import { RIGHT_GRANT, RIGHT_SEND } from '../../src/kernel/ipc/limits.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import type { Process } from '../../src/kernel/proc.js';
import { SIGKILL } from '../../src/kernel/signals.js';
import { asNodeId, type NodeId } from '../../src/net/node-id.js';
import { SeededRandom } from '../../src/net/random.js';
import { SimNetwork } from '../../src/net/sim-transport.js';
import { VirtualClock } from '../../src/net/virtual-clock.js';
import { newKernel, program } from '../kernel/helpers.js';

const A = asNodeId(1) as NodeId;
const B = asNodeId(2) as NodeId;

const flush = () => new Promise<void>((r) => setImmediate(r));

interface Side {
  kernel: Kernel;
  router: PortsRouter;
  proc: Process;
}

async function setup(seed: number) {
  const clock = new VirtualClock();
  const net = new SimNetwork({
    clock,
    random: new SeededRandom(seed),
    faults: { latencyMs: 1, jitterMs: 2 },
  });
  const registry = new LocalRegistry();
  /** A node with a kernel, a router and one process (spawned, or restored from `image`). */
  const node = async (id: NodeId, image?: GroupImage, state?: Uint8Array): Promise<Side> => {
    const { kernel } = newKernel(16, id);
    kernel.afterEachStep = undefined;
    const links = transportLinks(net.createTransport(id), APP_TYPES.ports);
    const router = new PortsRouter({
      links,
      registry,
      clock,
      random: new SeededRandom(seed * 31 + id),
      kernel,
    });
    await router.watchRegistry();
    const proc =
      image === undefined
        ? kernel.spawn({ file: program('sleep'), argv: ['sleep', '5'], envp: [] })
        : kernel.restoreGroup(image)[0]!;
    if (state !== undefined) router.restorePortState(proc.npid, state);
    await registry.put(npids.key(proc.npid), npids.encode({ node: id, state: 'running' }), { fence: true });
    return { kernel, router, proc };
  };
  const a = await node(A);
  const b = await node(B);
  /** Runs virtual time (and the registry's promises) for `ms`. */
  const run = async (ms: number) => {
    for (let i = 0; i < ms; i++) {
      clock.advance(1);
      await flush();
    }
  };
  const until = async (done: () => boolean, maxMs: number) => {
    for (let i = 0; i < maxMs && !done(); i++) await run(1);
    return done();
  };
  return { clock, net, registry, a, b, node, run, until };
}

/** A port on `s` and a send right to it in `to`'s process (through the router: remote). */
function remoteRight(s: Side, to: Side): { portSlot: number; portId: number; right: number } {
  const portSlot = s.kernel.ipc.createPort(s.proc.caps);
  const portId = s.proc.caps.get(portSlot)!.object.id;
  const right = to.router.sendRight(to.proc.pid, s.proc.npid, portId, RIGHT_SEND | RIGHT_GRANT);
  assert.ok(right > 0);
  return { portSlot, portId, right };
}

const word = (n: number) => new Uint8Array(new Uint32Array([n]).buffer);
const wordOf = (d: Uint8Array) => new DataView(d.buffer, d.byteOffset, 4).getUint32(0, true);

/** Receives everything queued on `slot` of `s`, appending the numbers. */
function drain(s: Side, slot: number, got: number[], max = Number.MAX_SAFE_INTEGER): void {
  for (let i = 0; i < max; i++) {
    const r = s.kernel.ipc.receive(s.proc.caps, slot);
    if (r === WOULD_BLOCK) return;
    assert.ok(typeof r === 'object', `receive failed: ${String(r)}`);
    got.push(wordOf(r.message.data));
  }
}

test('remote ports: every message once and in order through link drops and partitions (20 seeds)', async () => {
  let blockedTotal = 0;
  for (let seed = 1; seed <= 20; seed++) {
    const { net, a, b, run } = await setup(seed);
    const { portSlot, right } = remoteRight(b, a);
    const N = 120;
    const got: number[] = [];
    const rnd = new SeededRandom(seed * 7);
    let sent = 0;
    let blocked = 0;
    for (let t = 0; t < 20_000 && got.length < N; t++) {
      if (sent < N) {
        const r = a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(sent), [], 0, undefined);
        if (r === 0) sent++;
        else {
          assert.equal(r, WOULD_BLOCK, `seed ${seed}: send gave ${String(r)}`);
          blocked++;
        }
      }
      const roll = rnd.uint32() % 1000;
      if (roll < 8) {
        net.partition([A], [B]);
        await run(1 + (rnd.uint32() % 300));
        net.heal();
      }
      if (roll % 3 === 0) drain(b, portSlot, got, 1 + (rnd.uint32() % 4));
      await run(1);
    }
    await run((2 * DELIVERY_TIMEOUT_MS) / 10);
    drain(b, portSlot, got);
    assert.deepEqual(
      got,
      Array.from({ length: N }, (_, i) => i),
      `seed ${seed}: lost, duplicated or reordered`,
    );
    blockedTotal += blocked;
    a.router.close();
    b.router.close();
  }
  assert.ok(blockedTotal > 0, 'the window filled in some run (back-pressure)');
});

test('remote ports: a full remote queue blocks the sender at the window, and frees it on receive', async () => {
  const { a, b, run } = await setup(3);
  const { portSlot, right } = remoteRight(b, a);
  let n = 0;
  while (a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(n), [], 0, undefined) === 0) {
    n++;
    await run(ACK_DELAY_MS + 1); // each message delivered and acked before the next
  }
  // The port's queue takes SENDER_QUOTA (16) from one sender; then the window (16 unacked) fills.
  assert.equal(n, 16 + STREAM_WINDOW);
  await run(50);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(n), [], 0, undefined), WOULD_BLOCK);
  const got: number[] = [];
  drain(b, portSlot, got);
  await run(20);
  drain(b, portSlot, got);
  await run(20);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(n), [], 0, undefined), 0);
  await run(20);
  drain(b, portSlot, got);
  assert.deepEqual(
    got,
    Array.from({ length: n + 1 }, (_, i) => i),
  );
});

test('remote calls: answers come back, capabilities travel both ways and come home as local rights', async () => {
  const { a, b, run } = await setup(4);
  const { portSlot, right } = remoteRight(b, a);
  // a sends a send right to its own port with the call; b answers through it and with the reply.
  const aPort = a.kernel.ipc.createPort(a.proc.caps);
  const aRight = a.kernel.ipc.derive(a.proc.caps, aPort, RIGHT_SEND, 0);
  const thread = a.proc.threads[0]!;
  const reply = a.kernel.ipc.newReply(thread.tid);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(41), [aRight], 0, reply), 0);
  await run(10);
  const got = b.kernel.ipc.receive(b.proc.caps, portSlot);
  assert.ok(typeof got === 'object');
  assert.equal(wordOf(got.message.data), 41);
  assert.ok(got.replySlot > 0, 'the call carries a reply capability');
  const carried = b.proc.caps.get(got.capSlots[0]!)!;
  assert.ok((carried.object as { remote?: number }).remote !== undefined, 'a remote reference at b');
  // b sends on the carried right (to a's port) and answers with a right to its own port.
  assert.equal(b.kernel.ipc.send(b.proc.caps, b.proc.pid, got.capSlots[0]!, word(7), [], 0, undefined), 0);
  assert.equal(
    b.kernel.ipc.reply(b.proc.caps, got.replySlot, word(42), [portSlot], 1),
    -22,
    'no receive rights',
  );
  const bRight = b.kernel.ipc.derive(b.proc.caps, portSlot, RIGHT_SEND, 5);
  assert.equal(b.kernel.ipc.reply(b.proc.caps, got.replySlot, word(42), [bRight], 0), 0);
  await run(10);
  const answer = a.kernel.ipc.collectReply(a.proc.caps, reply.id);
  assert.ok(typeof answer === 'object', `answer: ${String(answer)}`);
  assert.equal(wordOf(answer.message.data), 42);
  const back = a.kernel.ipc.receive(a.proc.caps, aPort);
  assert.ok(typeof back === 'object');
  assert.equal(wordOf(back.message.data), 7);
  // a passes b's right back to b: it lands as a local send right there.
  const answerRight = answer.capSlots[0]!;
  assert.ok((a.proc.caps.get(answerRight)!.object as { remote?: number }).remote !== undefined);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(1), [answerRight], 1, undefined), 0);
  await run(10);
  const home = b.kernel.ipc.receive(b.proc.caps, portSlot);
  assert.ok(typeof home === 'object');
  const cap = b.proc.caps.get(home.capSlots[0]!)!;
  assert.equal((cap.object as { remote?: number }).remote, undefined, 'home again: a local right');
  assert.equal(cap.badge, 5, 'the badge travelled with it');
});

test('remote ports: a dead port gives EPIPE; an unreachable node EHOSTUNREACH within the deadline', async () => {
  const { net, a, b, run, until } = await setup(5);
  const { portSlot, right } = remoteRight(b, a);
  assert.equal(b.kernel.ipc.delete(b.proc.caps, portSlot), 0);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(1), [], 0, undefined), 0);
  assert.ok(
    await until(
      () => a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(2), [], 0, undefined) === -32,
      100,
    ),
    'the sender learns the port died (EPIPE)',
  );
  // A pending call and a send to a partitioned node end with EHOSTUNREACH within the deadline.
  const second = remoteRight(b, a);
  net.partition([A], [B]);
  const reply = a.kernel.ipc.newReply(a.proc.threads[0]!.tid);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, second.right, word(3), [], 0, reply), 0);
  const start = a.kernel.ipc.replies.size;
  assert.ok(start > 0);
  await run(DELIVERY_TIMEOUT_MS + 500);
  assert.equal(a.kernel.ipc.collectReply(a.proc.caps, reply.id), -113);
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, second.right, word(4), [], 0, undefined), -113);
});

test('remote ports: the port state moves with its holder; senders re-route, nothing lost or doubled', async () => {
  const { a, b, node, run, until } = await setup(6);
  const { portSlot, right } = remoteRight(b, a);
  const got: number[] = [];
  for (let i = 0; i < 10; i++)
    assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(i), [], 0, undefined), 0);
  await run(20);
  drain(b, portSlot, got, 4);
  // Freeze b's copy: its image and port state are taken, then it leaves b (as a migration does).
  const image = b.kernel.captureGroup(b.proc.pid);
  const state = b.router.capturePortState(b.proc.npid);
  b.kernel.exitProcess(b.proc, { kind: 'signaled', signal: 9 });
  b.router.inbound.drop(b.proc.npid);
  for (let i = 10; i < 20; i++)
    assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(i), [], 0, undefined), 0);
  await run(30);
  // Its new home, node 3: same NPID, its port queue from the image, its streams from the state.
  const c = await node(asNodeId(3) as NodeId, image, state);
  assert.equal(c.proc.npid, b.proc.npid);
  assert.ok(
    await until(() => {
      drain(c, portSlot, got);
      return got.length === 20;
    }, 3_000),
    `only ${got.length} arrived ${JSON.stringify([a.router.stats, c.router.stats, c.router.inbound.size, [...a.router.routes.values()]])}`,
  );
  assert.deepEqual(
    got,
    Array.from({ length: 20 }, (_, i) => i),
  );
  // And the sender keeps going to the new home.
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, right, word(20), [], 0, undefined), 0);
  assert.ok(
    await until(() => {
      drain(c, portSlot, got);
      return got.length === 21;
    }, 1_000),
  );
  assert.equal(got[20], 20);
});

test('dead-port watches and monitors across nodes: port deleted (through a partition), holder exited, node declared dead', async () => {
  const { net, registry, a, b, node, run, until } = await setup(7);
  /** A dead-port watch in a's process on `right`: the notification's slot (bit 1 when it fires). */
  const watch = (right: number): number => {
    const n = a.kernel.ipc.createNotification(a.proc.caps);
    assert.equal(a.kernel.ipc.watchDeath(a.proc.caps, right, n, 1), 0);
    return n;
  };
  /** True once the watch on `n` has fired (a poll takes the bits: remembered). */
  const seen = new Set<number>();
  const fired = (n: number) =>
    seen.has(n) || (a.kernel.ipc.poll(a.proc.caps, n) === 1 && seen.add(n) !== undefined);

  // 1. A port deleted on b while a watches it (no message in flight), the answer crossing a partition.
  const one = remoteRight(b, a);
  const n1 = watch(one.right);
  await run(20);
  assert.equal(a.kernel.ipc.poll(a.proc.caps, n1), WOULD_BLOCK, 'nothing yet: the port lives');
  net.partition([A], [B]);
  assert.equal(b.kernel.ipc.delete(b.proc.caps, one.portSlot), 0);
  await run(200);
  assert.equal(a.kernel.ipc.poll(a.proc.caps, n1), WOULD_BLOCK, 'partitioned: not told yet');
  net.heal();
  assert.ok(await until(() => fired(n1), 2_000), 'the watch fires once the link is back');
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, one.right, word(1), [], 0, undefined), -32);

  // 2. A monitor on another process of b: it exits (killed) and the registry records it (procs'
  // state sync does): a's watch fires (b's answer sends it to the registry, or the registry's watch).
  const other = b.kernel.spawn({ file: program('sleep'), argv: ['sleep', '5'], envp: [] });
  await registry.put(npids.key(other.npid), npids.encode({ node: B, state: 'running' }), { fence: true });
  const otherSide: Side = { kernel: b.kernel, router: b.router, proc: other };
  const two = remoteRight(otherSide, a);
  const n2 = watch(two.right);
  await run(20);
  assert.equal(a.kernel.ipc.poll(a.proc.caps, n2), WOULD_BLOCK);
  b.kernel.exitProcess(other, { kind: 'signaled', signal: SIGKILL });
  await registry.put(npids.key(other.npid), npids.encode({ node: B, state: 'exited', status: 137 }));
  assert.ok(await until(() => fired(n2), 100), 'the monitor fires when the process exits');
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, two.right, word(1), [], 0, undefined), -32);

  // 3. A node the registry declares dead: watches on its ports fire, its sends give EHOSTUNREACH.
  const C = asNodeId(3) as NodeId;
  const c = await node(C);
  const three = remoteRight(c, a);
  const n3 = watch(three.right);
  await run(20);
  assert.equal(a.kernel.ipc.poll(a.proc.caps, n3), WOULD_BLOCK);
  net.partition([A, B], [C]);
  const member = { id: C, fingerprint: '0'.repeat(64), addresses: [], labels: {}, since: 0 };
  await registry.put(members.key(C), members.encode({ ...member, state: 'dead' }));
  assert.ok(await until(() => fired(n3), 100), 'the monitor fires when the node is declared dead');
  assert.equal(a.kernel.ipc.send(a.proc.caps, a.proc.pid, three.right, word(1), [], 0, undefined), -113);
  for (const s of [a, b, c]) s.router.close();
});
