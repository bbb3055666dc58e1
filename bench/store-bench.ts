// `npm run bench:store`: the checkpoint store and recovery (issue 13 "Measured", docs/recovery.md).
// 1. Incremental checkpoints, in process: one ticker (user/programs/ticker.c: fills BALLAST_KIB
//    once, then rewrites 16 KiB each round) checkpointed into a CheckpointStore twice, some rounds apart: image size, and bytes
//    the first and the second checkpoint write into the store.
// 2. Dedup across 10 processes of one program, in process: ten tickers with different arguments,
//    run different lengths, each checkpointed into one store: the kernel images' bytes against the
//    bytes the store wrote, and pages referenced against pages stored.
// 3. With three daemons on loopback: the bytes a first and a second checkpoint of one process send
//    to its replica; then PROCS tickers spawned on one follower with --restart always and a
//    checkpoint period, kill -9 of that node, and the time until the leader marks it dead and
//    until every one of its processes runs on another node.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MemoryStorage } from '../src/cluster/memory-storage.js';
import { CheckpointStore } from '../src/cluster/store/store.js';
import { CountingPids, type KernelHost, SeededRandom } from '../src/kernel/host.js';
import { Kernel } from '../src/kernel/kernel.js';
import { Machine } from '../src/machine/machine.js';
import { type BenchDaemon, DaemonPool, runPakaya } from './daemons.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TICKER = readFileSync(join(ROOT, 'user/bin/ticker.elf'));
/** Processes on the node that is killed in part 3. */
const PROCS = 4;
/** Their checkpoint period (guest time, ms). */
const EVERY_MS = 500;
/** KiB of heap each ticker fills once and never writes again (its tables, as it were). */
const BALLAST_KIB = 256;

const kib = (n: number): string => `${(n / 1024).toFixed(1)} KiB`;

// ---- in process ----

function newKernel(): Kernel {
  const host: KernelHost = {
    console: { write: () => {} },
    random: new SeededRandom(1),
    clock: { realtimeNs: () => 0 },
    programs: { load: () => new Uint8Array(TICKER) },
    pids: new CountingPids(1),
    report: (m) => process.stderr.write(m),
  };
  return new Kernel(new Machine({ ramSize: 64 * 1024 * 1024 }), host);
}

function runFor(kernel: Kernel, n: number): void {
  const target = kernel.instructions + n;
  while (kernel.instructions < target && kernel.liveProcesses() > 0) {
    if (kernel.idle) {
      const deadline = kernel.nextDeadline();
      if (deadline < 0) return;
      kernel.advanceIdle(deadline);
      continue;
    }
    kernel.step(target - kernel.instructions);
  }
}

function incremental(): void {
  const kernel = newKernel();
  const store = new CheckpointStore(new MemoryStorage());
  const p = kernel.spawn({ file: TICKER, argv: ['ticker', '1000', '1', String(BALLAST_KIB)], envp: [] });
  runFor(kernel, 2_000_000);
  const image1 = kernel.checkpoint(p.pid);
  const first = store.putImage(image1);
  runFor(kernel, 2_000_000);
  const image2 = kernel.checkpoint(p.pid);
  const second = store.putImage(image2);
  console.log(
    `incremental checkpoint (ticker: ${BALLAST_KIB} KiB written once, 16 KiB rewritten per round; 2M instructions apart):`,
  );
  console.log(
    `  image ${kib(image1.length)} / ${kib(image2.length)}, ${first.pages} / ${second.pages} pages`,
  );
  console.log(
    `  first writes ${kib(first.bytesWritten)} (${first.pagesWritten} pages); second writes ${kib(second.bytesWritten)} (${second.pagesWritten} pages): ${((100 * second.bytesWritten) / first.bytesWritten).toFixed(1)}% of the first`,
  );
}

function dedup(): void {
  const kernel = newKernel();
  const store = new CheckpointStore(new MemoryStorage());
  const procs = Array.from({ length: 10 }, (_, i) =>
    kernel.spawn({
      file: TICKER,
      argv: ['ticker', String(1000 + i), String(1 + i), String(BALLAST_KIB)],
      envp: [],
    }),
  );
  runFor(kernel, 30_000_000);
  let imageBytes = 0;
  let written = 0;
  let referenced = 0;
  for (const [i, p] of procs.entries()) {
    runFor(kernel, 100_000 * (i + 1));
    const image = kernel.checkpoint(p.pid);
    imageBytes += image.length;
    const r = store.putImage(image);
    written += r.bytesWritten;
    referenced += r.pages;
  }
  const stored = store.stats().pages;
  console.log('dedup across 10 tickers (one program, different arguments and progress):');
  console.log(
    `  kernel images ${kib(imageBytes)}, store wrote ${kib(written)}: ratio ${(imageBytes / written).toFixed(2)}x; pages referenced ${referenced}, stored ${stored}: ${(referenced / stored).toFixed(2)}x`,
  );
}

// ---- daemons ----

const root = mkdtempSync(join(tmpdir(), 'pkstore-'));
const pool = new DaemonPool();
const run = runPakaya;

type Daemon = BenchDaemon;

const start = (home: string, extra: string[] = []): Promise<Daemon> => pool.start(home, 32, extra);

// biome-ignore lint/suspicious/noExplicitAny: admin answers vary by route; the bench reads known fields
type Json = any;

function request(
  d: Daemon,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  return new Promise((resolve) => {
    const req = http.request(
      { socketPath: join(d.home, 'admin.sock'), method, path, timeout: 10_000 },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: undefined });
          }
        });
      },
    );
    req.on('error', () => resolve({ status: 0, json: undefined }));
    req.on('timeout', () => req.destroy());
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

async function until(what: string, check: () => Promise<boolean>, ms = 60_000, every = 20): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

async function spawnTicker(on: Daemon, node: string, policy: boolean): Promise<string> {
  const r = await request(on, 'POST', '/v1/spawn', {
    program: TICKER.toString('base64'),
    name: 'ticker',
    args: ['100000', '50', String(BALLAST_KIB)],
    node,
    ...(policy ? { restart: 'always', checkpointEveryMs: EVERY_MS } : {}),
  });
  if (r.status !== 201) throw new Error(`spawn: ${JSON.stringify(r.json)}`);
  return r.json.npid as string;
}

async function daemons(): Promise<void> {
  await run(['cluster', 'init', '--home', join(root, 'n0')]);
  const first = await start(join(root, 'n0'));
  const tokens = [
    await run(['cluster', 'token', '--home', first.home]),
    await run(['cluster', 'token', '--home', first.home]),
  ];
  const others = await Promise.all(
    tokens.map((t, i) =>
      start(join(root, `n${i + 1}`), ['--join', `127.0.0.1:${first.port}`, '--token', t.trim()]),
    ),
  );
  const ds = [first, ...others];
  await until('three live members', async () => {
    const m = (await request(first, 'GET', '/v1/cluster/members')).json;
    return m?.members?.length === 3 && m.members.every((x: { state: string }) => x.state === 'alive');
  });
  const leader = (await request(first, 'GET', '/v1/cluster')).json?.leader as string;
  const victim = ds.find((d) => d.id !== leader) as Daemon;
  const survivors = ds.filter((d) => d !== victim);
  const asker = survivors[0] as Daemon;

  // Replication: what a first and a second checkpoint of one process send.
  const one = await spawnTicker(asker, victim.id, false);
  await new Promise((r) => setTimeout(r, 500));
  const c1 = await request(asker, 'POST', '/v1/store/checkpoint', { npid: one });
  await new Promise((r) => setTimeout(r, 500));
  const c2 = await request(asker, 'POST', '/v1/store/checkpoint', { npid: one });
  if (c1.status !== 200 || c2.status !== 200)
    throw new Error(`checkpoint: ${JSON.stringify([c1.json, c2.json])}`);
  console.log('replicated checkpoints of one ticker (daemons, 0.5 s apart):');
  console.log(
    `  first sends ${kib(c1.json.bytesSent)} to its replica, second ${kib(c2.json.bytesSent)} (${((100 * c2.json.bytesSent) / c1.json.bytesSent).toFixed(1)}%)`,
  );
  await request(asker, 'POST', `/v1/npids/${one}/kill`, { signal: 9 });

  // Recovery.
  const npids: string[] = [];
  for (let i = 0; i < PROCS; i++) npids.push(await spawnTicker(asker, victim.id, true));
  await until(
    'a replicated checkpoint of each',
    async () => {
      for (const n of npids)
        if ((await request(asker, 'GET', `/v1/store/checkpoints/${n}`)).status !== 200) return false;
      return true;
    },
    60_000,
    100,
  );
  const killedAt = performance.now();
  victim.child.kill('SIGKILL');
  let deadAt = 0;
  const where = new Map<string, string>();
  await until('every process running on a survivor', async () => {
    if (deadAt === 0) {
      const m = (await request(asker, 'GET', '/v1/cluster/members')).json;
      if (m?.members?.some((x: { id: string; state: string }) => x.id === victim.id && x.state === 'dead'))
        deadAt = performance.now();
    }
    for (const d of survivors) {
      const rows = (await request(d, 'GET', '/v1/processes')).json?.processes as
        | { npid: string; state: string }[]
        | undefined;
      for (const r of rows ?? []) if (npids.includes(r.npid) && r.state !== 'zombie') where.set(r.npid, d.id);
    }
    return where.size === npids.length;
  });
  const doneAt = performance.now();
  console.log(
    `recovery (3 daemons, ${PROCS} processes with --restart always, checkpoint every ${EVERY_MS} ms):`,
  );
  console.log(
    `  kill -9 → marked dead ${deadAt === 0 ? '?' : `${(deadAt - killedAt).toFixed(0)} ms`}; → all ${PROCS} running elsewhere ${(doneAt - killedAt).toFixed(0)} ms (on ${[...new Set(where.values())].join(', ')})`,
  );
}

async function main(): Promise<void> {
  incremental();
  dedup();
  try {
    await daemons();
  } finally {
    pool.killAll();
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((err: Error) => {
  pool.killAll();
  console.error(`store bench: ${err.message}`);
  process.exit(1);
});
