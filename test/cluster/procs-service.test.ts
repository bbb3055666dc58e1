// The process-control core (src/cluster/procs/service.ts) on three in-process nodes: links are a
// small in-memory hub (delivery on a later tick, links that can be cut), the registry a shared
// LocalRegistry, the kernels fakes that record what they were asked. Spawn on a named node sends
// the program once (need_program, then bytes) and writes a fenced record only after the spawn;
// placement picks the least loaded node with room (ties by id); ps --all names a silent node
// instead of waiting for it; kill and logs by NPID reach the owner from any node; a node that no
// longer owns a process answers not_here; malformed frames are dropped.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PeerLinks } from '../../src/cluster/links.js';
import { MemoryStorage } from '../../src/cluster/memory-storage.js';
import { ProcsError } from '../../src/cluster/procs/errors.js';
import { LogRings } from '../../src/cluster/procs/log-ring.js';
import { OwnerGuard } from '../../src/cluster/procs/owner-guard.js';
import { place } from '../../src/cluster/procs/placement.js';
import { ProgramCache, sha256Hex } from '../../src/cluster/procs/program-cache.js';
import { type LocalProcs, ProcsService } from '../../src/cluster/procs/service.js';
import { LocalRegistry, npidRecord, npids } from '../../src/cluster/registry/index.js';
import type { ProcessInfo } from '../../src/kernel/process-info.js';
import type { Clock } from '../../src/net/clock.js';
import { formatNodeId, type NodeId } from '../../src/net/node-id.js';
import type { LinkHandler, MessageHandler } from '../../src/net/transport.js';

class Hub {
  readonly handlers = new Map<NodeId, MessageHandler[]>();
  readonly linkHandlers = new Map<NodeId, LinkHandler[]>();
  readonly cut = new Set<NodeId>();
  readonly sent: { from: NodeId; to: NodeId; type: number; lane: string; bytes: number }[] = [];

  links(self: NodeId): PeerLinks {
    this.handlers.set(self, []);
    this.linkHandlers.set(self, []);
    return {
      self,
      send: (peer, lane, type, payload) => {
        this.sent.push({ from: self, to: peer, type, lane, bytes: payload.length });
        if (this.cut.has(peer) || this.cut.has(self)) return undefined; // silently lost
        setImmediate(() => {
          for (const h of this.handlers.get(peer) ?? []) h(self, lane, type, payload.slice());
        });
        return undefined;
      },
      whenWritable: async () => {},
      linkState: (peer) => (this.handlers.has(peer) ? 'up' : 'down'),
      onMessage: (h) => this.handlers.get(self)?.push(h),
      onLink: (h) => this.linkHandlers.get(self)?.push(h),
    };
  }
}

class FakeKernel implements LocalProcs {
  readonly procs = new Map<
    string,
    { pid: number; name: string; args: readonly string[]; started: boolean; signals: number[] }
  >();
  readonly rings = new LogRings();
  private next = 1;
  freeBytes = 8 * 1024 * 1024;
  load = 0;
  constructor(readonly node: NodeId) {}
  spawn(r: { elf: Uint8Array; name: string; args: readonly string[] }) {
    if (new TextDecoder().decode(r.elf.subarray(0, 4)) !== '\x7fELF')
      throw new ProcsError('refused', 'not an ELF');
    const pid = this.next++;
    const npid = `${formatNodeId(this.node)}:${pid}`;
    this.procs.set(npid, { pid, name: r.name, args: r.args, started: false, signals: [] });
    this.rings.open(npid);
    this.rings.write(npid, 1, new TextEncoder().encode(`hello from ${npid}\n`));
    return { npid, pid };
  }
  start(npid: string) {
    const p = this.procs.get(npid);
    if (p) p.started = true;
  }
  discard(npid: string) {
    this.procs.delete(npid);
  }
  list(): ProcessInfo[] {
    return [...this.procs.entries()].map(([npid, p]) => ({
      pid: p.pid,
      npid,
      ppid: 0,
      name: p.name,
      state: 'blocked',
      priority: 0,
      threads: 1,
      cpuInstructions: 5,
      memoryPages: 3,
    }));
  }
  kill(npid: string, signal: number) {
    const p = this.procs.get(npid);
    if (!p) return -3;
    p.signals.push(signal);
    return 0;
  }
  logs(npid: string, out: number, err: number) {
    return this.rings.read(npid, out, err);
  }
  stats() {
    return { freeBytes: this.freeBytes, load: this.load, processes: this.procs.size };
  }
}

/** Host timers that keep the test's event loop alive while a request waits (systemClock's do not). */
const clock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => {
    const t = setTimeout(fn, ms);
    return { cancel: () => clearTimeout(t) };
  },
};

const A = 0x0a as NodeId;
const B = 0x0b as NodeId;
const C = 0x0c as NodeId;
const ELF = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 1, 1, 1, 0, 9, 9, 9]);

async function cluster() {
  const hub = new Hub();
  const registry = new LocalRegistry(1);
  const nodes = new Map<
    NodeId,
    { service: ProcsService; kernel: FakeKernel; guard: OwnerGuard; cache: ProgramCache }
  >();
  const all = [A, B, C];
  for (const id of all) {
    const guard = new OwnerGuard(id, registry);
    await guard.start();
    const kernel = new FakeKernel(id);
    const cache = new ProgramCache(new MemoryStorage());
    const service = new ProcsService({
      links: hub.links(id),
      registry,
      clock,
      local: kernel,
      programs: cache,
      guard,
      log: { info: () => {}, warn: () => {} },
      members: () => all,
      allowed: () => true, // the ACL refusals are in test/cluster-daemons/registry.test.ts
    });
    nodes.set(id, { service, kernel, guard, cache });
  }
  const n = (id: NodeId) => nodes.get(id)!;
  return { hub, registry, n };
}

test('spawn on a named node: the program goes once, the record is fenced, the process starts after it', async () => {
  const { hub, registry, n } = await cluster();
  const s = await n(A).service.spawn({
    elf: ELF,
    name: 'prog',
    args: ['x'],
    node: C,
    restart: 'always',
    checkpointEveryMs: 500,
  });
  assert.equal(s.node, C);
  const rec = npidRecord((await registry.get(npids.key(s.npid))).kv!);
  assert.equal(rec.node, C);
  assert.equal(rec.state, 'running');
  assert.equal(rec.program, sha256Hex(ELF));
  assert.deepEqual(rec.args, ['x']);
  assert.equal(rec.restart, 'always');
  assert.equal(rec.checkpointEveryMs, 500);
  assert.ok(rec.fence.index > 0);
  assert.deepEqual(n(C).guard.held(s.npid), rec.fence);
  assert.equal(n(C).kernel.procs.get(s.npid)?.started, true);
  const programSends = () => hub.sent.filter((m) => m.type === 34).length;
  assert.equal(programSends(), 1);
  assert.equal(hub.sent.find((m) => m.type === 34)?.lane, 'bulk');
  // The second spawn of the same program on C does not send it again.
  await n(B).service.spawn({ elf: ELF, name: 'prog', args: [], node: C });
  assert.equal(programSends(), 1);
  assert.ok(n(C).cache.has(sha256Hex(ELF)));
  // A refusal by the target kernel comes back as a typed error; nothing is left in the registry.
  const bad = new Uint8Array([1, 2, 3, 4]);
  await assert.rejects(
    n(A).service.spawn({ elf: bad, args: [], node: B }),
    (e: ProcsError) => e.code === 'refused',
  );
  assert.equal((await registry.list('npids/')).kvs.length, 2);
  await assert.rejects(
    n(A).service.spawn({ elf: ELF, args: [], node: 0x77 as NodeId }),
    (e: ProcsError) => e.code === 'no_such_node',
  );
  await assert.rejects(
    n(A).service.spawn({ elf: ELF, args: new Array(65).fill('a') }),
    (e: ProcsError) => e.code === 'bad_request',
  );
});

test('placement: room first, then least load, then most free memory, then lowest id', async () => {
  assert.equal(
    place(
      [
        { node: B, freeBytes: 10, load: 0 },
        { node: C, freeBytes: 100, load: 5 },
      ],
      50,
    ),
    C,
  );
  assert.equal(
    place(
      [
        { node: B, freeBytes: 100, load: 1 },
        { node: C, freeBytes: 100, load: 0 },
      ],
      50,
    ),
    C,
  );
  assert.equal(
    place(
      [
        { node: C, freeBytes: 100, load: 0 },
        { node: B, freeBytes: 200, load: 0 },
      ],
      50,
    ),
    B,
  );
  assert.equal(
    place(
      [
        { node: C, freeBytes: 100, load: 0 },
        { node: B, freeBytes: 100, load: 0 },
      ],
      50,
    ),
    B,
  );
  assert.equal(place([], 50), undefined);
  const { n } = await cluster();
  n(A).kernel.load = 2;
  n(B).kernel.load = 1;
  n(C).kernel.load = 1;
  n(C).kernel.freeBytes = 64 * 1024 * 1024;
  const s = await n(A).service.spawn({ elf: ELF, args: [] });
  assert.equal(s.node, C);
});

test('ps --all names a silent node; kill and logs by NPID from any node; not_here after a move', async () => {
  const { hub, registry, n } = await cluster();
  const onB = await n(A).service.spawn({ elf: ELF, name: 'prog', args: [], node: B });
  await n(A).service.spawn({ elf: ELF, name: 'prog', args: [], node: C });
  let t = await n(A).service.listAll();
  assert.deepEqual(t.missing, []);
  assert.deepEqual(
    t.rows.map((r) => r.node),
    ['0000000b', '0000000c'],
  );
  hub.cut.add(C);
  const started = Date.now();
  t = await n(A).service.listAll();
  assert.deepEqual(
    t.rows.map((r) => r.node),
    ['0000000b'],
  );
  assert.deepEqual(
    t.missing.map((m) => m.node),
    ['0000000c'],
  );
  assert.match(t.missing[0]!.why, /did not answer/);
  assert.ok(Date.now() - started < 5000);
  hub.cut.delete(C);

  await n(C).service.kill(onB.npid, 19);
  assert.deepEqual(n(B).kernel.procs.get(onB.npid)?.signals, [19]);
  const logs = await n(C).service.logs(onB.npid, 0, 0);
  assert.equal(new TextDecoder().decode(logs.out), `hello from ${onB.npid}\n`);
  assert.equal(logs.node, '0000000b');

  // A newer ownership write that B did not make: B's guard drops the process, and a kill routed to
  // B answers not_here (the asker looks the owner up again once, then reports it).
  await registry.put(npids.key(onB.npid), npids.encode({ node: B, state: 'running' }), { fence: true });
  await new Promise((r) => setImmediate(r));
  assert.equal(n(B).guard.held(onB.npid), undefined);
  await assert.rejects(n(A).service.kill(onB.npid, 15), (e: ProcsError) => e.code === 'not_here');
  await assert.rejects(n(A).service.kill('zz', 15), (e: ProcsError) => e.code === 'bad_request');
  await assert.rejects(n(A).service.kill('0000000b:99', 15), (e: ProcsError) => e.code === 'no_such_process');
  await assert.rejects(n(A).service.kill(onB.npid, 0), (e: ProcsError) => e.code === 'bad_request');

  // Garbage frames in the procs range are dropped; the services keep answering.
  for (const type of [32, 33, 34])
    for (const h of hub.handlers.get(A)!) h(B, 'control', type, new Uint8Array([0xff, 0xff, 0xff]));
  assert.equal((await n(A).service.listAll()).missing.length, 0);
  for (const id of [A, B, C]) n(id).service.stop();
});

test('wait resolves on exit from any node, and times out with the current record', async () => {
  const { registry, n } = await cluster();
  const s = await n(A).service.spawn({ elf: ELF, args: [], node: B });
  const early = await n(C).service.wait(s.npid, 20);
  assert.equal(early.state, 'running');
  const waiting = n(C).service.wait(s.npid, 5000);
  const kv = (await registry.get(npids.key(s.npid))).kv!;
  await registry.compareAndSet(
    npids.key(s.npid),
    { modRevision: kv.modRevision },
    npids.encode({ node: B, state: 'exited', status: 7 }),
  );
  const done = await waiting;
  assert.equal(done.state, 'exited');
  assert.equal(done.status, 7);
  assert.equal((await n(A).service.wait(s.npid, 10)).status, 7);
  await assert.rejects(
    n(A).service.wait('0000000a:999', 10),
    (e: ProcsError) => e.code === 'no_such_process',
  );
});
