// Live migration's pure core (src/cluster/migration) with two real kernels over SimNetwork and a
// LocalRegistry: pre-copy and post-copy move a running memtouch (which checks its own memory at the
// end and exits 1 on corruption); failed migrations — the target crashes, the registry is down —
// leave the process running at the source with its record rolled back; and over many seeds with
// random faults, there is never more than one runnable copy and the registry names where it runs.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { MigrationError, type MigrationProgress } from '../../src/cluster/migration/types.js';
import { decodeMigration, encodeMigration, MigrationWireError } from '../../src/cluster/migration/wire.js';
import {
  crash,
  drive,
  driveUntil,
  liveCopies,
  owner,
  type SimMigrationNode,
  type SimWorld,
  simWorld,
  startMemtouch,
  tick,
} from './migration-harness.js';

// 1 MiB, 300 passes over a 16 KiB hot window, 1 ms guest sleep between passes.
const ARGS = ['1', '300', '16', '1', '1000'];

/** Runnable (not parked for a migration) live copies of `npid` across the world. */
function runnable(w: SimWorld, npid: string): number {
  let n = 0;
  for (const node of w.nodes) {
    if (node.crashed) continue;
    for (const p of node.kernel.allProcesses()) if (p.npid === npid && p.alive && !p.migrating) n++;
  }
  return n;
}

async function started(w: SimWorld, at: SimMigrationNode, args = ARGS): Promise<string> {
  const npid = await startMemtouch(w, at, args);
  // Let it fill its memory first (it prints a line when done).
  await driveUntil(w, () => at.host.stdout(pidOf(at, npid)).includes('filled'), 20_000, 'memtouch to fill');
  await driveUntil(
    w,
    () => w.nodes.every((n) => n === at || at.transport.linkState(n.id) === 'up'),
    20_000,
    'links',
  );
  return npid;
}

function pidOf(n: SimMigrationNode, npid: string): number {
  for (const p of n.kernel.allProcesses()) if (p.npid === npid) return p.pid;
  return -1;
}

/** Ticks until `npid` has ended somewhere; asserts there was never more than one runnable copy. */
async function runToExit(w: SimWorld, npid: string): Promise<number> {
  await driveUntil(
    w,
    () => {
      assert.ok(runnable(w, npid) <= 1, 'two runnable copies');
      return w.nodes.some((n) => n.exits.has(npid));
    },
    200_000,
    `${npid} to exit`,
  );
  const ends = w.nodes.filter((n) => n.exits.has(npid));
  assert.equal(ends.length, 1, 'the process ended on exactly one node');
  return ends[0]!.exits.get(npid)!;
}

test('the wire codec round-trips and refuses bad input', () => {
  const m = { id: 7, fromSource: true, body: { kind: 'pageRequest' as const, member: 1, vaddr: 0x10000 } };
  assert.deepEqual(decodeMigration(encodeMigration(m)), m);
  assert.ok(decodeMigration(new Uint8Array([0xff, 0xff, 0xff])) instanceof MigrationWireError);
  const bad = encodeMigration({
    id: 1,
    fromSource: true,
    body: { kind: 'pages', member: 0, vaddrs: [0x1000, 0x2000], data: new Uint8Array(4096) },
  });
  assert.ok(decodeMigration(bad) instanceof MigrationWireError, 'page data must match the addresses');
  assert.ok(
    decodeMigration(encodeMigration({ id: 2, fromSource: false, body: { kind: 'done' } })) !== undefined,
  );
});

test('pre-copy moves a running process: rounds, a short freeze, the record fenced at the target', async () => {
  const w = await simWorld(1);
  const [a, b] = w.nodes as [SimMigrationNode, SimMigrationNode];
  const npid = await started(w, a);
  const before = await owner(w, npid);
  const progress: MigrationProgress[] = [];
  const r = await drive(
    w,
    a.service.migrate(npid, b.id, 'precopy', (p) => progress.push(p)),
    100_000,
  );
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  const s = r.value;
  assert.equal(s.mode, 'precopy');
  assert.ok(s.rounds >= 1, `rounds ${s.rounds}`);
  assert.ok(s.pages >= 256, `pages ${s.pages}: every page of the 1 MiB moves at least once`);
  assert.ok(s.bytes >= 256 * 4096);
  assert.ok(s.freezeMs > 0 && s.freezeMs < s.totalMs, `freeze ${s.freezeMs} of ${s.totalMs}`);
  assert.ok(progress.some((p) => p.phase === 'round' && p.round === 1));
  assert.equal(progress.at(-1)?.phase, 'done');
  assert.equal(liveCopies(a, npid), 0, 'the source dropped its copy');
  assert.equal(liveCopies(b, npid), 1);
  const after = await owner(w, npid);
  assert.equal(after.node, b.id);
  assert.equal(after.state, 'running');
  assert.ok(after.fence > before.fence, 'the ownership change carries a newer fencing token');
  assert.equal(b.guard.held(npid)?.index, after.fence);
  assert.equal(a.guard.held(npid), undefined);
  assert.equal(await runToExit(w, npid), 0, b.host.allStdout());
  assert.ok(b.exits.has(npid) && !a.exits.has(npid));
  assert.match(b.host.allStdout(), /memtouch ok: 256 pages, 300 passes/);
});

test('post-copy moves the registers and the working set, then the rest on fault and by push', async () => {
  const w = await simWorld(2);
  const [a, b] = w.nodes as [SimMigrationNode, SimMigrationNode];
  const npid = await started(w, a);
  const r = await drive(w, a.service.migrate(npid, b.id, 'postcopy'), 100_000);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  assert.equal(r.value.rounds, 0);
  assert.ok(r.value.pages >= 256, `pages ${r.value.pages}`);
  assert.equal(liveCopies(a, npid), 0);
  assert.equal((await owner(w, npid)).node, b.id);
  assert.equal(await runToExit(w, npid), 0, b.host.allStdout());
  assert.match(b.host.allStdout(), /memtouch ok/);
});

test('a target that crashes during the rounds: the process runs on at the source', async () => {
  const w = await simWorld(3);
  const [a, b] = w.nodes as [SimMigrationNode, SimMigrationNode];
  const npid = await started(w, a);
  const p = a.service.migrate(npid, b.id, 'precopy', (pr) => {
    if (pr.phase === 'round' && pr.bytesSent > 64 * 4096 && !b.crashed) crash(w, b);
  });
  const r = await drive(w, p, 100_000);
  assert.ok(!r.ok, 'the migration fails');
  assert.ok(r.error instanceof MigrationError);
  assert.equal(liveCopies(a, npid), 1);
  const rec = await owner(w, npid);
  assert.equal(rec.node, a.id);
  assert.equal(rec.state, 'running');
  assert.equal(await runToExit(w, npid), 0, a.host.allStdout());
});

test('the registry unavailable: at the start nothing stops; at the freeze the source resumes once it answers', async () => {
  const w = await simWorld(4);
  const [a, b] = w.nodes as [SimMigrationNode, SimMigrationNode];
  // Long enough to outlive two outages of several seconds.
  const npid = await started(w, a, ['1', '30000', '4', '1', '100000']);
  w.tickMs = 4; // seconds of outage: coarser network ticks
  w.registry.down = true;
  const first = await drive(w, a.service.migrate(npid, b.id, 'precopy'), 100_000);
  assert.ok(!first.ok && first.error instanceof MigrationError && first.error.code === 'registry');
  assert.equal(runnable(w, npid), 1);
  w.registry.down = false;
  // Down from the freeze on, for longer than the target's commit retries: the target gives up.
  let downAt = -1;
  const second = a.service.migrate(npid, b.id, 'precopy', (pr) => {
    if (pr.phase === 'freeze' && downAt < 0) {
      w.registry.down = true;
      downAt = w.clock.now();
    }
  });
  let outcome: boolean | undefined;
  second.then(
    () => {
      outcome = true;
    },
    () => {
      outcome = false;
    },
  );
  await driveUntil(w, () => downAt >= 0 && w.clock.now() > downAt + 8_000, 200_000, 'the outage');
  assert.equal(runnable(w, npid), 0, 'frozen while nobody can tell who owns it');
  w.registry.down = false;
  await driveUntil(w, () => outcome !== undefined, 100_000, 'the rollback');
  assert.equal(outcome, false);
  assert.equal(liveCopies(a, npid), 1);
  assert.equal(liveCopies(b, npid), 0);
  const rec = await owner(w, npid);
  assert.deepEqual([rec.node, rec.state], [a.id, 'running']);
  assert.equal(await runToExit(w, npid), 0);
});

test('many seeds with faults: one runnable copy at most, and it runs where the registry says', async () => {
  const outcomes = new Map<string, number>();
  for (let seed = 100; seed < 110; seed++) {
    const w = await simWorld(seed, 2, { jitterMs: 2 + (seed % 3) });
    const [a, b] = w.nodes as [SimMigrationNode, SimMigrationNode];
    const npid = await started(w, a);
    const mode = seed % 2 === 0 ? 'precopy' : 'postcopy';
    const fault = (['none', 'crash', 'partition', 'registry'] as const)[w.random.uint32() % 4]!;
    const atBytes = (w.random.uint32() % 320) * 4096;
    let injected = false;
    const r = await drive(
      w,
      a.service.migrate(npid, b.id, mode, (pr) => {
        if (injected || pr.bytesSent < atBytes || pr.phase === 'done') return;
        injected = true;
        if (fault === 'crash') crash(w, b);
        else if (fault === 'partition') w.net.partition([a.id], [b.id]);
        else if (fault === 'registry') {
          w.registry.down = true;
          w.clock.setTimer(3_000, () => {
            w.registry.down = false;
          });
        }
      }),
      200_000,
    );
    w.net.heal();
    w.registry.down = false;
    const key = `${mode}/${fault}/${r.ok ? 'moved' : r.error instanceof MigrationError ? r.error.code : 'error'}`;
    outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    assert.ok(runnable(w, npid) <= 1, `seed ${seed}: two runnable copies`);
    const rec = await owner(w, npid);
    if (r.ok) {
      assert.equal(rec.node, b.id, `seed ${seed}`);
      assert.equal(liveCopies(a, npid), 0, `seed ${seed}`);
    } else if (r.error instanceof MigrationError && r.error.code === 'lost') {
      assert.equal(runnable(w, npid), 0, `seed ${seed}: a lost process runs nowhere`);
      continue;
    } else {
      assert.equal(rec.node, a.id, `seed ${seed}: ${r.error.message}`);
      assert.equal(liveCopies(b, npid), 0, `seed ${seed}`);
    }
    assert.equal(await runToExit(w, npid), 0, `seed ${seed} ${key}`);
    await tick(w);
  }
  console.log([...outcomes].map(([k, n]) => `${k}: ${n}`).join(', '));
  // The faults did bite: some migrations failed and some moved.
  const keys = [...outcomes.keys()];
  assert.ok(
    keys.some((k) => k.endsWith('moved')),
    keys.join(' '),
  );
  assert.ok(
    keys.some((k) => !k.endsWith('moved')),
    keys.join(' '),
  );
});

test('packed page tables: round trip, and bad tables are refused with a reason', async () => {
  const { packPages, unpackPages } = await import('../../src/cluster/migration/page-table.js');
  const regions = [{ start: 0x10000, end: 0x20000, prot: 3, kind: 'anon' }] as never;
  const pages = [
    { vaddr: 0x10000, bits: 0xd7, content: 0 },
    { vaddr: 0x1f000, bits: 0x17, content: 0 },
  ];
  const t = packPages(pages);
  assert.deepEqual(
    unpackPages(t, regions, (v) => v >> 12),
    pages.map((p) => ({ ...p, content: p.vaddr >> 12 })),
  );
  const bad = (list: { vaddr: number; bits: number; content: number }[]) =>
    unpackPages(packPages(list), regions, () => 0);
  assert.match(String(bad([{ vaddr: 0x10010, bits: 0x17, content: 0 }])), /not a user page address/);
  assert.match(String(bad([{ vaddr: 0x30000, bits: 0x17, content: 0 }])), /outside every region/);
  assert.match(String(bad([{ vaddr: 0x10000, bits: 0x06, content: 0 }])), /not a user PTE/);
  assert.match(String(bad([pages[0]!, pages[0]!])), /listed twice/);
  assert.match(
    String(unpackPages({ vaddrs: t.vaddrs, bits: t.bits.subarray(2) }, regions, () => 0)),
    /page table of/,
  );
  assert.match(String(unpackPages(t, regions, () => -1)), /never arrived/);
});
