// The hooks the cluster plugs into (src/kernel/hooks.ts), each with a test double: dirty-page marks
// for pre-copy rounds, the migrating state, pages fetched on fault through a PageSource
// (post-copy), and remote ports whose messages leave and arrive through a PortRouter.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { OutboundMessage, PageSource, PortRouter } from '../../src/kernel/hooks.js';
import type { Capability } from '../../src/kernel/ipc/cspace.js';
import { WOULD_BLOCK } from '../../src/kernel/ipc/ipc.js';
import { PORT_QUEUE_MAX, RIGHT_SEND } from '../../src/kernel/ipc/limits.js';
import type { Kernel } from '../../src/kernel/kernel.js';
import { type Npid, npid } from '../../src/kernel/npid.js';
import type { Process } from '../../src/kernel/proc.js';
import { newKernel, program, runFor, runToEnd } from './helpers.js';

function pageContents(k: Kernel, p: Process): Map<number, Uint8Array> {
  const out = new Map<number, Uint8Array>();
  p.addressSpace.forEachPage((vaddr, _pte, off) => out.set(vaddr, k.memory.u8.slice(off, off + 4096)));
  return out;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.every((x, i) => x === b[i]);

test('dirty marks: every page written after markClean is reported, none before', () => {
  const { kernel } = newKernel(32);
  const p = kernel.spawn({ file: program('sha256'), argv: ['sha256', '2000'], envp: [] });
  runFor(kernel, 200_000);
  for (let round = 0; round < 4; round++) {
    kernel.markClean(p.pid);
    assert.deepEqual(kernel.dirtyPages(p.pid), [], 'nothing is dirty right after markClean');
    const before = pageContents(kernel, p);
    runFor(kernel, 30_000 + round * 7_000);
    assert.ok(p.alive);
    const dirty = new Set(kernel.dirtyPages(p.pid));
    assert.ok(dirty.size > 0, 'a running program dirties some page');
    for (const [vaddr, bytes] of pageContents(kernel, p)) {
      const old = before.get(vaddr);
      if (old !== undefined && !equal(old, bytes))
        assert.ok(dirty.has(vaddr), `page 0x${vaddr.toString(16)} changed but is not marked dirty`);
    }
  }
});

test('migrating: threads stop without a trace and go on as if nothing happened', () => {
  const whole = newKernel(32);
  const w = whole.kernel.spawn({ file: program('futexwait'), argv: ['futexwait', '200'], envp: [] });
  runToEnd(whole.kernel);

  const { kernel, host } = newKernel(32);
  const p = kernel.spawn({ file: program('futexwait'), argv: ['futexwait', '200'], envp: [] });
  runFor(kernel, 150_000);
  assert.ok(p.alive);
  kernel.setMigrating(p.pid, true);
  const instructions = p.instructions;
  kernel.step(50_000);
  assert.equal(p.instructions, instructions, 'a migrating process does not run');
  assert.ok(p.threads.every((t) => t.state === 'migrating' || t.state === 'blocked'));
  assert.equal(p.waitReport, undefined, 'nothing for waitid to report');
  assert.ok(kernel.idle || kernel.liveProcesses() === 1);
  kernel.setMigrating(p.pid, false);
  runToEnd(kernel);
  assert.equal(host.stdout(p.pid), whole.host.stdout(w.pid));
  assert.equal(p.exitCode, 0);
});

test('post-copy: pages fetched on fault through a PageSource, threads wait for them', () => {
  const whole = newKernel(32);
  const w = whole.kernel.spawn({ file: program('futexwait'), argv: ['futexwait', '300'], envp: [] });
  runToEnd(whole.kernel);

  const a = newKernel(32);
  const p = a.kernel.spawn({ file: program('futexwait'), argv: ['futexwait', '300'], envp: [] });
  runFor(a.kernel, 120_000);
  const before = a.host.stdout(p.pid);
  const image = a.kernel.captureGroup(p.pid);
  const byVaddr = new Map(
    image.manifest.members[0]!.pages.map((pg) => [pg.vaddr, image.contents[pg.content]!]),
  );

  const b = newKernel(32, 2);
  const asked: [Npid, number][] = [];
  const source: PageSource = { request: (npid, vaddr) => asked.push([npid, vaddr]) };
  const [q] = b.kernel.restoreGroup(image, { pageSource: source });
  assert.ok(q !== undefined);
  let sawPageWait = false;
  for (let guard = 0; q.alive && guard < 100_000; guard++) {
    if (!b.kernel.idle) {
      b.kernel.step(50_000);
      continue;
    }
    const next = asked.shift();
    if (next !== undefined) {
      // Answered later, not inside request(): the faulting thread waits meanwhile.
      sawPageWait ||= q.threads.some((t) => t.state === 'blocked' && t.wait?.kind === 'page');
      assert.equal(next[0], q.npid);
      assert.ok(b.kernel.pageArrived(q.pid, next[1], byVaddr.get(next[1])!));
      continue;
    }
    const deadline = b.kernel.nextDeadline();
    assert.ok(deadline >= 0, 'blocked with nothing to wake it');
    b.kernel.advanceIdle(deadline);
  }
  assert.ok(sawPageWait, 'a thread waited for a page');
  assert.equal(before + b.host.stdout(q.pid), whole.host.stdout(w.pid));
  assert.equal(q.exitCode, 0);
  assert.equal(b.kernel.pageArrived(q.pid, 0x10000, new Uint8Array(4096)), false, 'a gone process');
});

test('remote ports: messages and carried capabilities leave and arrive through a PortRouter', () => {
  const a = newKernel(32, 1);
  const b = newKernel(32, 2);
  const sender = a.kernel.spawn({ file: program('sleep'), argv: ['sleep', '5'], envp: [] });
  const receiver = b.kernel.spawn({ file: program('sleep'), argv: ['sleep', '5'], envp: [] });
  // Node b exports a port; node a gets a send right to it, routed by its id.
  const portSlot = b.kernel.ipc.createPort(receiver.caps);
  const portId = b.kernel.exportPort(receiver.pid, portSlot);
  assert.ok(portId > 0);
  const sent: [number, OutboundMessage][] = [];
  let room = true;
  const router: PortRouter = {
    hasRoom: () => room,
    send: (route, message) => {
      sent.push([route, message]);
      // The double carries it: each capability becomes a send right to a remote port back on a.
      const caps = message.caps.map((c): Capability => {
        a.kernel.dropCapability(c);
        return b.kernel.remoteCapability(77, c.rights, c.badge);
      });
      const r = b.kernel.deliverRemote(route, {
        data: message.data,
        caps,
        badge: message.badge,
        sender: message.sender,
      });
      assert.equal(r, 0);
    },
    reply: () => assert.fail('no call in this test'),
  };
  a.kernel.setPortRouter(router);
  const remote = a.kernel.createRemotePort(sender.pid, portId, 9);
  assert.ok(remote > 0);
  // Only send rights to ports travel to another node: a notification is refused.
  const notify = a.kernel.ipc.createNotification(sender.caps);
  assert.equal(
    a.kernel.ipc.send(sender.caps, sender.pid, remote, new Uint8Array(1), [notify], 0, undefined),
    -22,
  );
  const own = a.kernel.ipc.createPort(sender.caps);
  const carriedRight = a.kernel.ipc.derive(sender.caps, own, RIGHT_SEND, 0);
  const r = a.kernel.ipc.send(
    sender.caps,
    sender.pid,
    remote,
    new Uint8Array([1, 2, 3]),
    [carriedRight],
    0,
    undefined,
  );
  assert.equal(r, 0);
  assert.equal(sent.length, 1);
  assert.equal(sent[0]![1].sender, sender.npid);
  assert.equal(sent[0]![1].caps.length, 1, 'the carried capability left through the router');
  const got = b.kernel.ipc.receive(receiver.caps, portSlot);
  assert.ok(typeof got === 'object' && got !== null);
  assert.deepEqual([...got.message.data], [1, 2, 3]);
  assert.equal(got.message.badge, 9);
  const carried = receiver.caps.get(got.capSlots[0]!);
  assert.ok(carried?.has(RIGHT_SEND), 'the carried capability arrived as a send right');
  // No room on the route: the send waits (the syscall layer blocks the thread on the port).
  room = false;
  assert.equal(
    a.kernel.ipc.send(sender.caps, sender.pid, remote, new Uint8Array(1), [], 0, undefined),
    WOULD_BLOCK,
  );
  // A full local queue pushes back on the router: -EAGAIN until a receive makes room.
  for (let i = 0; i < PORT_QUEUE_MAX; i++) {
    const from = npid(3 + (i % 8), i + 1);
    assert.equal(
      b.kernel.deliverRemote(portId, { data: new Uint8Array(1), caps: [], badge: 0, sender: from }),
      0,
    );
  }
  assert.equal(
    b.kernel.deliverRemote(portId, { data: new Uint8Array(1), caps: [], badge: 0, sender: sender.npid }),
    -11,
  );
  assert.equal(
    b.kernel.deliverRemote(12345, { data: new Uint8Array(1), caps: [], badge: 0, sender: sender.npid }),
    -2,
  );
  b.kernel.ipc.delete(receiver.caps, portSlot);
  assert.equal(
    b.kernel.deliverRemote(portId, { data: new Uint8Array(1), caps: [], badge: 0, sender: sender.npid }),
    -32,
  );
  runToEnd(a.kernel);
  runToEnd(b.kernel);
});

/**
 * A post-copy restore of a sleeping `linger` whose thread is made to issue a system call at its
 * ecall (the registers `setup` returns: a7, then a0..), with a PageSource double that answers every
 * page at once except `held`: the read-only page holding linger's "linger: tick" format, which
 * nothing but the call touches, answered only by `arrive()` (with `held` bytes from `craft`).
 */
function syscallOnAbsentPage(
  setup: (b: Kernel, q: Process, text: number, held: number) => number[],
  craft: (bytes: Uint8Array, held: number, at: number) => Uint8Array = (bytes) => bytes,
) {
  const a = newKernel(32);
  const p = a.kernel.spawn({ file: program('linger'), argv: ['linger'], envp: [] });
  runFor(a.kernel, 300_000);
  for (let guard = 0; guard < 1000 && p.threads[0]!.state !== 'blocked'; guard++) a.kernel.step(1000);
  assert.ok(p.alive && p.threads[0]!.state === 'blocked', 'linger sleeps');
  const image = a.kernel.captureGroup(p.pid);
  const member = image.manifest.members[0]!;
  const contents = new Map(member.pages.map((pg) => [pg.vaddr, image.contents[pg.content]!]));
  const needle = new TextEncoder().encode('linger: tick');
  let held = -1;
  let at = -1;
  for (const [vaddr, bytes] of contents) {
    const i = bytes.findIndex((_, j) => needle.every((c, n) => bytes[j + n] === c));
    if (i >= 0) [held, at] = [vaddr, i];
  }
  assert.ok(held >= 0, 'the format string is in a page of the image');
  const thread = member.threads[0]!;
  thread.state = 'ready'; // out of its sleep: it runs the call set up below
  thread.wait = undefined;

  const b = newKernel(32, 2);
  let heldAsked = 0;
  let q: Process | undefined;
  const source: PageSource = {
    request: (_npid, vaddr) => {
      if (vaddr === held) heldAsked++;
      else assert.ok(b.kernel.pageArrived(q!.pid, vaddr, contents.get(vaddr)!));
    },
  };
  [q] = b.kernel.restoreGroup(image, { pageSource: source });
  assert.ok(q !== undefined);
  const t = q.threads[0]!;
  const regs = setup(b.kernel, q, held + at, held);
  t.regs[17] = regs[0]!;
  for (let i = 1; i < regs.length; i++) t.regs[9 + i] = regs[i]!;
  const pc = t.pc;
  b.kernel.step(50_000);
  assert.equal(heldAsked, 1, 'the buffer page is asked for once');
  assert.equal(t.state, 'blocked');
  assert.equal(t.wait?.kind, 'page', 'the call waits with a page-in wait record');
  assert.equal(t.pc, pc, 'still at its ecall: the call runs again from its start');
  return {
    b,
    q,
    t,
    text: new TextDecoder().decode(contents.get(held)!.slice(at, at + needle.length)),
    arrive: () => {
      assert.ok(b.kernel.pageArrived(q!.pid, held, craft(contents.get(held)!, held, at)));
      b.kernel.step(1);
    },
  };
}

test('post-copy: a write(2) whose buffer has not arrived waits for the page, then writes its bytes', () => {
  const s = syscallOnAbsentPage((_b, _q, text) => [64, 1, text, 12]);
  assert.equal(s.b.host.stdout(s.q.pid), '', 'nothing written before the page arrived');
  s.arrive();
  assert.equal(s.text, 'linger: tick');
  assert.equal(s.b.host.stdout(s.q.pid), s.text, 'the bytes of the page that arrived, once');
  assert.notEqual(s.t.wait?.kind, 'page');
  s.b.kernel.kill(s.q.pid, 9);
});

test('post-copy: a port send whose message has not arrived waits for the page, then sends its bytes', () => {
  let recv = 0;
  let descAt = 0;
  const s = syscallOnAbsentPage(
    (b, q, text, held) => {
      recv = b.ipc.createPort(q.caps);
      const send = b.ipc.derive(q.caps, recv, RIGHT_SEND, 7);
      assert.ok(recv > 0 && send > 0);
      descAt = held + ((text & 0xfff) >= 64 ? 0 : 2048); // the descriptor: in the held page too
      return [525, send, descAt, 0, 0];
    },
    (bytes, held, at) => {
      const page = bytes.slice();
      const v = new DataView(page.buffer);
      const off = descAt - held;
      for (let i = 0; i < 40; i += 4) v.setUint32(off + i, 0, true);
      v.setUint32(off, held + at, true); // data
      v.setUint32(off + 4, 12, true); // size
      return page;
    },
  );
  assert.equal(s.b.kernel.ipc.receive(s.q.caps, recv), WOULD_BLOCK, 'nothing sent before the page arrived');
  s.arrive();
  const got = s.b.kernel.ipc.receive(s.q.caps, recv);
  assert.ok(typeof got === 'object', 'the message was sent');
  assert.equal(new TextDecoder().decode(got.message.data), 'linger: tick');
  assert.equal(got.message.badge, 7);
  assert.equal(s.b.kernel.ipc.receive(s.q.caps, recv), WOULD_BLOCK, 'sent once');
  s.b.kernel.kill(s.q.pid, 9);
});
