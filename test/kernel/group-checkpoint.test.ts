// Group checkpoint/restore equivalence: programs made of several processes that use IPC (ipc_rpc's
// server and three clients), shared memory with process-shared futexes (prodcons and its peer),
// and a multi-threaded process blocked in futexes (futexwait) are captured as a group at seeded
// instruction counts, encoded, decoded and restored on a fresh node (another node id) with the
// same NPIDs; each process's output before the checkpoint plus its output after the restore must
// equal an uninterrupted run's, every process must end as it does there, and the kernel
// invariants hold throughout (newKernel's checker).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeGroup, encodeGroup } from '../../src/kernel/group-codec.js';
import { ImageError } from '../../src/kernel/image.js';
import { KernelError } from '../../src/kernel/kernel.js';
import { PTE_COW } from '../../src/kernel/vm.js';
import { checkpointPositions, newKernel, program, runFor, runToEnd, type TestHost } from './helpers.js';

interface Run {
  out: Map<number, string>;
  codes: Map<number, number | undefined>;
  instructions: number;
}

function outputs(host: TestHost): Map<number, string> {
  return new Map([...host.out.keys()].map((pid) => [pid, host.stdout(pid)]));
}

function uninterrupted(name: string, args: string[]): Run {
  const { kernel, host } = newKernel(64);
  kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  runToEnd(kernel);
  const codes = new Map([...kernel.processes.values()].map((p) => [p.pid, p.exitCode]));
  return { out: outputs(host), codes, instructions: kernel.instructions };
}

/** Runs `name` to instruction `at`, checkpoints its group, restores it on node 2 and finishes it. */
function interrupted(name: string, args: string[], at: number): Run | undefined {
  const a = newKernel(64);
  const root = a.kernel.spawn({ file: program(name), argv: [name, ...args], envp: [] });
  runFor(a.kernel, at);
  if (!root.alive) return undefined;
  const group = a.kernel.groupOf(root.pid);
  // Every live program on the node is in the group (they all share memory or IPC objects).
  for (const p of a.kernel.processes.values())
    if (p.alive) assert.ok(group.includes(p.pid), `${name}: pid ${p.pid} is in the group at ${at}`);
  const before = outputs(a.host);
  const npids = new Map([...a.kernel.processes.values()].map((p) => [p.pid, p.npid]));
  const bytes = a.kernel.checkpointGroup(root.pid);
  assert.ok(root.alive && root.stopped === false, 'the checkpoint leaves the root running');

  const b = newKernel(64, 2);
  const restored = b.kernel.restoreGroup(decodeGroup(bytes));
  for (const p of restored) assert.equal(p.npid, npids.get(p.pid), `${name}: pid ${p.pid} keeps its NPID`);
  runToEnd(b.kernel);
  const after = outputs(b.host);
  const out = new Map(before);
  for (const [pid, text] of after) out.set(pid, (out.get(pid) ?? '') + text);
  const codes = new Map<number, number | undefined>();
  for (const p of a.kernel.processes.values()) if (!p.alive) codes.set(p.pid, p.exitCode);
  for (const p of b.kernel.processes.values()) codes.set(p.pid, p.exitCode);
  return { out, codes, instructions: 0 };
}

const CASES: [string, string[], number][] = [
  ['ipc_rpc', [], 20],
  ['prodcons', [], 5],
  ['futexwait', ['300'], 20],
  ['fork_wait', [], 10],
  ['ipcbench', ['300', 'short'], 10],
  ['ipc_short', [], 10],
];

for (const [name, args, seeds] of CASES) {
  test(`group checkpoint of ${name} at ${seeds} seeded points equals an uninterrupted run`, () => {
    const whole = uninterrupted(name, args);
    assert.ok(whole.out.size > 0, `${name} prints`);
    let checked = 0;
    for (const at of checkpointPositions(name.length * 7919 + 1, seeds, whole.instructions)) {
      const run = interrupted(name, args, at);
      if (run === undefined) continue;
      checked++;
      assert.deepEqual(run.out, whole.out, `${name}: output after a restore at ${at}`);
      for (const [pid, code] of whole.codes)
        if (run.codes.has(pid)) assert.equal(run.codes.get(pid), code, `${name}: pid ${pid} exit at ${at}`);
    }
    assert.ok(checked >= seeds / 2, `${name}: ${checked} of ${seeds} points fell while it ran`);
  });
}

test('a blocked call is restorable: the server holds the reply capability, the client waits', () => {
  const a = newKernel(64);
  const root = a.kernel.spawn({ file: program('ipc_rpc'), argv: ['ipc_rpc'], envp: [] });
  // Run until some client waits in a call whose reply object the server holds.
  let image = undefined as ReturnType<typeof a.kernel.captureGroup> | undefined;
  for (let i = 0; i < 4000 && image === undefined; i++) {
    runFor(a.kernel, 997);
    const g = a.kernel.captureGroup(root.pid);
    const replies = g.manifest.objects.filter((o) => o.kind === 'reply' && o.registered);
    const waiting = g.manifest.members.some((m) => m.threads.some((t) => t.wait?.kind === 'reply'));
    if (replies.length > 0 && waiting) image = g;
  }
  assert.ok(image !== undefined, 'a client blocked in a call was seen');
  const b = newKernel(64, 2);
  const restored = b.kernel.restoreGroup(decodeGroup(encodeGroup(image)));
  runToEnd(b.kernel);
  assert.equal(restored[0]!.exitCode, 0);
  assert.match(b.host.stdout(restored[0]!.pid), /client 3 \(badge 3\): 10 calls, total 165, ok\n$/);
});

test('object ids carry the node id; a process in a group cannot be checkpointed alone', () => {
  const a = newKernel(64, 5);
  const root = a.kernel.spawn({ file: program('prodcons'), argv: ['prodcons'], envp: [] });
  runFor(a.kernel, 400_000);
  assert.ok(root.alive);
  const image = a.kernel.captureGroup(root.pid);
  const shm = image.manifest.objects.find((o) => o.kind === 'shm');
  assert.ok(shm !== undefined && Math.floor(shm.id / 2 ** 32) === 5, 'the shared object id names node 5');
  // its frames are stored once for both members
  assert.equal(image.manifest.members.length, 2);
  for (const m of image.manifest.members)
    assert.ok(m.regions.some((r) => r.kind === 'shared' && r.shm === shm.id));
  assert.throws(() => a.kernel.checkpoint(root.pid), KernelError);
});

test('a group image with a bad reference is refused and nothing runs', () => {
  const a = newKernel(64);
  const root = a.kernel.spawn({ file: program('ipc_rpc'), argv: ['ipc_rpc'], envp: [] });
  runFor(a.kernel, 8_000);
  const image = a.kernel.captureGroup(root.pid);
  assert.ok(image.manifest.caps.length > 0, 'the group holds capabilities');
  const cases: [string, (m: Record<string, unknown>) => void, RegExp][] = [
    ['cap object', (m) => ((m.caps as Record<string, unknown>[])[0]!.object = 12345), /caps\[0\]\.object/],
    ['version', (m) => (m.version = 7), /version/],
    [
      'slot twice',
      (m) => {
        const caps = m.caps as Record<string, unknown>[];
        caps.push({ ...caps[0]!, parent: -1 });
      },
      /fills a slot twice/,
    ],
  ];
  for (const [what, mutate, message] of cases) {
    const manifest = structuredClone(image.manifest) as unknown as Record<string, unknown>;
    mutate(manifest);
    const bytes = encodeGroup({ manifest: manifest as never, contents: image.contents });
    const { kernel } = newKernel(64, 2);
    assert.throws(() => kernel.restore(bytes), message, what);
    assert.throws(() => kernel.restore(bytes), ImageError, what);
    assert.equal(kernel.processes.size, 0, what);
  }
});

test('a process using IPC alone is checkpointed: ports, queued messages, sets, notifications, watches', () => {
  const a = newKernel(32);
  const p = a.kernel.spawn({ file: program('sleep'), argv: ['sleep', '5'], envp: [] });
  runFor(a.kernel, 20_000);
  const ipc = a.kernel.ipc;
  const port = ipc.createPort(p.caps);
  const other = ipc.createPort(p.caps);
  const set = ipc.createPortSet(p.caps);
  assert.equal(ipc.portSetAdd(p.caps, set, other), 0);
  const note = ipc.createNotification(p.caps);
  const watched = ipc.createPort(p.caps);
  assert.equal(ipc.watchDeath(p.caps, watched, note, 0x40), 0);
  assert.equal(ipc.signal(p.caps, note, 0x3), 0);
  const badged = ipc.derive(p.caps, port, 9, 42); // RIGHT_SEND | RIGHT_GRANT, badge 42
  const carried = ipc.derive(p.caps, note, 1, 0);
  const data = new Uint8Array([7, 8, 9]);
  assert.equal(ipc.send(p.caps, p.pid, badged, data, [carried], 1, undefined), 0);
  assert.equal(ipc.send(p.caps, p.pid, other, new Uint8Array([5]), [], 0, undefined), 0);
  const bytes = a.kernel.checkpoint(p.pid);

  const b = newKernel(32, 2);
  const q = b.kernel.findProcess(b.kernel.restore(bytes))!;
  assert.equal(q.npid, p.npid);
  const got = b.kernel.ipc.receive(q.caps, port);
  assert.ok(typeof got === 'object');
  assert.deepEqual([...got.message.data], [7, 8, 9]);
  assert.equal(got.message.badge, 42);
  const moved = q.caps.get(got.capSlots[0]!);
  assert.equal(moved?.object, q.caps.get(note)?.object, 'the carried capability names the same notification');
  const fromSet = b.kernel.ipc.receive(q.caps, set);
  assert.ok(
    typeof fromSet === 'object' && fromSet.message.data[0] === 5,
    'the port set still holds its port',
  );
  assert.equal(b.kernel.ipc.poll(q.caps, note), 0x3, 'the notification word came along');
  assert.equal(b.kernel.ipc.delete(q.caps, watched), 0);
  assert.equal(b.kernel.ipc.poll(q.caps, note), 0x40, 'the dead-port watch came along');
  // The derivation tree came along: revoking the port's receive right removes the badged copy.
  assert.equal(b.kernel.ipc.revoke(q.caps, port), 1);
  assert.equal(q.caps.get(badged), undefined);
  runToEnd(b.kernel);
  assert.equal(q.exitCode, 0);
});

test('copy-on-write pages shared after fork are shared again after a restore', () => {
  const a = newKernel(32);
  const root = a.kernel.spawn({ file: program('fork_wait'), argv: ['fork_wait'], envp: [] });
  let image: ReturnType<typeof a.kernel.captureGroup> | undefined;
  for (let i = 0; i < 400 && image === undefined; i++) {
    runFor(a.kernel, 5_000);
    if (!root.alive) break;
    const g = a.kernel.captureGroup(root.pid);
    if (g.manifest.members.length > 1) image = g;
  }
  assert.ok(image !== undefined, 'fork_wait had a live child');
  const cowPages = image.manifest.members.flatMap((m) => m.pages).filter((p) => p.bits & PTE_COW);
  const distinct = new Set(cowPages.map((p) => p.content)).size;
  assert.ok(distinct < cowPages.length, 'parent and child share copy-on-write pages');
  const b = newKernel(32, 2);
  const restored = b.kernel.restoreGroup(image);
  const frames: number[] = [];
  for (const p of restored)
    p.addressSpace.forEachPage((_vaddr, pte, off) => {
      if (pte & PTE_COW) frames.push(off);
    });
  assert.equal(frames.length, cowPages.length);
  assert.equal(new Set(frames).size, distinct, 'one frame per distinct copy-on-write page');
  runToEnd(b.kernel);
  assert.equal(restored[0]!.exitCode, 0);
});
