// `npm run bench:migration` (`--json`: one JSON line; `--verbose`: the freeze breakdown): live migration of a
// memtouch with 64 MiB of touched memory that keeps writing (a 256 KiB window every 1 ms of guest
// time), between two kernels in this process, each driven as the daemon drives it (bounded quanta,
// the event loop in between), over in-memory links and a LocalRegistry: pre-copy, post-copy and
// stop-and-copy (freeze, capture the whole group image, encode, decode, restore, resume) in the
// same run. Per mode: total time, freeze time (the process runs nowhere), bytes, rounds. Goals
// (issue 13): pre-copy freeze <= 50 ms, post-copy freeze <= 5 ms. The process checks its memory at
// the end (SIGTERM) and must exit 0 at the target.
import { readFileSync } from 'node:fs';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import type { PeerLinks } from '../src/cluster/links.js';
import { MigrationService } from '../src/cluster/migration/service.js';
import type { Mode } from '../src/cluster/migration/wire.js';
import { OwnerGuard } from '../src/cluster/procs/owner-guard.js';
import { LocalRegistry } from '../src/cluster/registry/local.js';
import { npids } from '../src/cluster/registry/schema.js';
import { decodeGroup, encodeGroup } from '../src/kernel/group-codec.js';
import { CountingPids, type KernelHost, SeededRandom } from '../src/kernel/host.js';
import { Kernel } from '../src/kernel/kernel.js';
import type { Process } from '../src/kernel/proc.js';
import { Machine } from '../src/machine/machine.js';
import { asNodeId, type NodeId } from '../src/net/node-id.js';
import { systemClock } from '../src/net/system-clock.js';
import type { Lane, LinkHandler, MessageHandler } from '../src/net/transport.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MIB = 64;
/** Guest instructions per host quantum (the daemon's HOST_QUANTUM is 1M; smaller keeps freezes honest). */
const QUANTUM = 200_000;

interface Node {
  id: NodeId;
  kernel: Kernel;
  service: MigrationService;
  exits: Map<string, number>;
  out: string[];
}

/** Two PeerLinks joined in memory: a message arrives on the next turn of the event loop. */
function linkPair(a: NodeId, b: NodeId): [PeerLinks, PeerLinks] {
  const handlers = new Map<NodeId, MessageHandler[]>();
  const make = (self: NodeId, peer: NodeId): PeerLinks => ({
    self,
    send: (to: NodeId, lane: Lane, type: number, payload: Uint8Array) => {
      if (to !== peer) return undefined;
      setImmediate(() => {
        for (const h of handlers.get(peer) ?? []) h(self, lane, type, payload);
      });
      return undefined;
    },
    whenWritable: async () => {},
    linkState: () => 'up',
    onMessage: (h: MessageHandler) => handlers.set(self, [...(handlers.get(self) ?? []), h]),
    onLink: (_h: LinkHandler) => {},
  });
  return [make(a, b), make(b, a)];
}

function host(exits: Map<string, number>, out: string[], id: NodeId): KernelHost {
  return {
    console: { write: (_fd, data) => void out.push(Buffer.from(data).toString('latin1')) },
    random: new SeededRandom(1),
    clock: { realtimeNs: () => Date.now() * 1e6 },
    programs: { load: () => undefined },
    pids: new CountingPids(id),
    report: (m) => process.stderr.write(m),
    exited: (p: Process) => {
      if (!p.movedAway) exits.set(p.npid, p.termination?.kind === 'exited' ? p.termination.status : 128);
    },
  };
}

function world(): { a: Node; b: Node; registry: LocalRegistry; stop: () => void; running: Promise<void> } {
  const registry = new LocalRegistry();
  const ids = [asNodeId(0xa1)!, asNodeId(0xb2)!];
  const [la, lb] = linkPair(ids[0]!, ids[1]!);
  const nodes = ids.map((id, i) => {
    const exits = new Map<string, number>();
    const out: string[] = [];
    const h = host(exits, out, id);
    const kernel = new Kernel(new Machine({ ramSize: 192 * 1024 * 1024 }), h);
    const service = new MigrationService({
      links: i === 0 ? la : lb,
      registry,
      clock: systemClock,
      kernel,
      guard: new OwnerGuard(id, registry),
      changed: () => {},
      // --verbose: the core's diagnostics (freeze breakdown) on stderr.
      ...(process.argv.includes('--verbose')
        ? {
            log: (event: string, fields: Record<string, unknown>) =>
              process.stderr.write(`${event} ${JSON.stringify(fields)}\n`),
          }
        : {}),
    });
    return { id, kernel, service, exits, out };
  }) as [Node, Node];
  let stopped = false;
  const running = (async () => {
    while (!stopped) {
      for (const n of nodes) {
        const k = n.kernel;
        if (!k.idle) k.step(QUANTUM);
        else if (k.nextDeadline() >= 0 && k.nextDeadline() <= k.now() + 1e6) k.advanceIdle(k.nextDeadline());
      }
      await yieldToLoop();
      // Guest sleeps pass in real time, as in the daemon: the clock catches up with the host's.
      for (const n of nodes) {
        const d = n.kernel.nextDeadline();
        if (n.kernel.idle && d >= 0) n.kernel.advanceIdle(Math.min(d, n.kernel.now() + 200_000));
      }
    }
  })();
  return { a: nodes[0], b: nodes[1], registry, stop: () => (stopped = true), running };
}

interface Row {
  mode: Mode | 'stop-and-copy';
  totalMs: number;
  freezeMs: number;
  bytes: number;
  rounds: number;
  ok: boolean;
}

async function until(what: string, check: () => boolean, ms: number): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function start(w: ReturnType<typeof world>): Promise<{ npid: string; pid: number }> {
  const elf = new Uint8Array(readFileSync(`${ROOT}user/bin/memtouch.elf`));
  const p = w.a.kernel.spawn({
    file: elf,
    argv: ['memtouch', String(MIB), '100000000', '256', '1', '1000000'],
    envp: [],
    name: 'memtouch',
  });
  await w.registry.put(
    npids.key(p.npid),
    npids.encode({ node: w.a.id, state: 'running', name: 'memtouch' }),
    {
      fence: true,
    },
  );
  await until('memtouch to fill its memory', () => w.a.out.join('').includes('pages filled'), 300_000);
  // Let it write for a while, as a running service would.
  await new Promise((r) => setTimeout(r, 300));
  return { npid: p.npid, pid: p.pid };
}

/** Ends the process with SIGTERM on node `n`; true when its self-check passed (exit 0). */
async function finish(n: Node, npid: string): Promise<boolean> {
  const p = [...n.kernel.allProcesses()].find((x) => x.npid === npid && x.alive);
  if (p === undefined) return false;
  n.kernel.kill(p.pid, 15);
  await until('memtouch to end', () => n.exits.has(npid), 120_000);
  const ok = n.exits.get(npid) === 0;
  if (!ok) process.stderr.write(`memtouch exited ${n.exits.get(npid)}: ${n.out.join('').slice(-400)}\n`);
  return ok;
}

async function live(mode: Mode): Promise<Row> {
  const w = world();
  const { npid } = await start(w);
  const s = await w.a.service.migrate(npid, w.b.id, mode);
  const ok = await finish(w.b, npid);
  w.stop();
  await w.running;
  return { mode, totalMs: s.totalMs, freezeMs: s.freezeMs, bytes: s.bytes, rounds: s.rounds, ok };
}

async function stopAndCopy(): Promise<Row> {
  const w = world();
  const { npid, pid } = await start(w);
  const t0 = performance.now();
  w.a.kernel.setMigrating(pid, true);
  const bytes = encodeGroup(w.a.kernel.captureGroup(pid));
  const [restored] = w.b.kernel.restoreGroup(decodeGroup(bytes));
  w.a.kernel.dropMigrated([pid]);
  const t1 = performance.now();
  void restored;
  const ok = await finish(w.b, npid);
  w.stop();
  await w.running;
  return { mode: 'stop-and-copy', totalMs: t1 - t0, freezeMs: t1 - t0, bytes: bytes.length, rounds: 0, ok };
}

export async function migrationBench(json = false): Promise<Row[]> {
  const rows: Row[] = [];
  for (const mode of ['precopy', 'postcopy'] as const) rows.push(await live(mode));
  rows.push(await stopAndCopy());
  if (json) process.stdout.write(`${JSON.stringify({ migration: rows })}\n`);
  else {
    process.stdout.write(
      `\nlive migration of a ${MIB} MiB memtouch that keeps writing (two kernels, in-memory links)\n`,
    );
    process.stdout.write('mode            total ms   freeze ms        bytes  rounds  self-check\n');
    for (const r of rows)
      process.stdout.write(
        `${r.mode.padEnd(14)} ${r.totalMs.toFixed(1).padStart(9)} ${r.freezeMs.toFixed(1).padStart(11)} ${String(r.bytes).padStart(12)} ${String(r.rounds).padStart(7)}  ${r.ok ? 'ok' : 'FAILED'}\n`,
      );
    const pre = rows.find((r) => r.mode === 'precopy')!;
    const post = rows.find((r) => r.mode === 'postcopy')!;
    process.stdout.write(
      `pre-copy freeze ${pre.freezeMs.toFixed(1)} ms (goal: <= 50 ms); post-copy freeze ${post.freezeMs.toFixed(1)} ms (goal: <= 5 ms)\n`,
    );
  }
  return rows;
}

if (process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/^.*\//, ''))) {
  migrationBench(process.argv.includes('--json')).then(
    (rows) => {
      process.exitCode = rows.every((r) => r.ok) ? 0 : 1;
    },
    (err: unknown) => {
      process.stderr.write(`migration bench: ${(err as Error).stack}\n`);
      process.exitCode = 1;
    },
  );
}
