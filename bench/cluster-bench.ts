// `npm run bench:cluster`: the replicated registry with real daemons on loopback (issue 15
// "Measured"). Failure detection with 5 and then 16 daemons whose guests saturate the CPU (each node
// runs `hostile busy`, an endless arithmetic loop, spawned through the procs service): after a soak
// window, kill -9 of a follower; the time until every other node declares it dead is read from the
// nodes' logs ("member dead", ms timestamps), and the false positives are every suspect or dead
// verdict about a live node during the whole busy run (suspicions refuted are counted apart from
// deaths). With 5 daemons, leader failover too (kill -9 of the leader until a survivor leads). Then
// three idle daemons (3 voters, fsync on): registry writes per second and their p50/p99 latency, one
// writer and 16 concurrent writers; a write is an ACL change through the admin socket.
// PAKAYA_BENCH_SOAK_MS sets the busy window before the kill (default 20000);
// PAKAYA_BENCH_SIZES the cluster sizes (default "5,16").
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { MAX_VOTERS } from '../src/cluster/raft/limits.js';
import { type BenchDaemon, DaemonPool, runPakaya } from './daemons.js';

const BUSY = fileURLToPath(new URL('../../user/bin/hostile.elf', import.meta.url));
const SOAK_MS = Number(process.env.PAKAYA_BENCH_SOAK_MS ?? 20_000);
const SIZES = (process.env.PAKAYA_BENCH_SIZES ?? '5,16').split(',').map(Number);
const root = mkdtempSync(join(tmpdir(), 'pkbench-'));
const pool = new DaemonPool();
const run = runPakaya;

type Daemon = BenchDaemon;

const start = (home: string, extra: string[] = []): Promise<Daemon> => pool.start(home, 8, extra);

/** Joins a node to the cluster of `first`; a join that times out on a loaded machine is retried. */
async function joinNode(first: Daemon, home: string): Promise<Daemon> {
  for (let attempt = 1; ; attempt++) {
    const token = (await run(['cluster', 'token', '--home', first.home])).trim();
    try {
      return await start(home, ['--join', `127.0.0.1:${first.port}`, '--token', token]);
    } catch (err) {
      if (attempt >= 3) throw err;
      console.error(`retrying a join: ${(err as Error).message}`);
    }
  }
}

/** Why the last request failed (status and body, or the socket error): printed when a step gives up. */
let lastFailure = '';

function request<T>(
  d: Daemon,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
  timeout = 5000,
): Promise<T | undefined> {
  return new Promise((resolve) => {
    const req = http.request({ socketPath: join(d.home, 'admin.sock'), method, path, timeout }, (res) => {
      let text = '';
      res.on('data', (c) => {
        text += c;
      });
      res.on('end', () => {
        if (res.statusCode !== 200 && res.statusCode !== 201)
          lastFailure = `${method} ${path} on ${d.id}: ${res.statusCode} ${text.slice(0, 300)}`;
        try {
          resolve(res.statusCode === 200 || res.statusCode === 201 ? (JSON.parse(text) as T) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', (err) => {
      lastFailure = `${method} ${path} on ${d.id}: ${err.message}`;
      resolve(undefined);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeout} ms`)));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

interface Status {
  node: string;
  role: string;
  leader: string | null;
  voters: string[];
}

async function until<T>(
  what: string,
  ms: number,
  every: number,
  f: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = performance.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (performance.now() > deadline) throw new Error(`timed out: ${what} (last failure: ${lastFailure})`);
    await new Promise((r) => setTimeout(r, every));
  }
}

async function cluster(name: string, n: number): Promise<Daemon[]> {
  const first = join(root, `${name}0`);
  await run(['cluster', 'init', '--home', first]);
  const a = await start(first);
  const rest: Daemon[] = [];
  // Joins two at a time: 15 daemons starting at once on a loaded machine time their joins out.
  for (let i = 1; i < n; i += 2) {
    const batch = Array.from({ length: Math.min(2, n - i) }, (_, k) => i + k);
    rest.push(...(await Promise.all(batch.map((j) => joinNode(a, join(root, `${name}${j}`))))));
  }
  const ds = [a, ...rest];
  const voters = Math.min(n, MAX_VOTERS);
  await until('one leader, all voters, every member alive everywhere', 120_000, 250, async () => {
    const all = await Promise.all(ds.map((d) => request<Status>(d, 'GET', '/v1/cluster')));
    const l = all[0]?.leader;
    if (!l || !all.every((s) => s?.leader === l && s.voters.length === voters)) return undefined;
    const views = await Promise.all(ds.map((d) => request<NodesView>(d, 'GET', '/v1/nodes')));
    return views.every((v) => v?.nodes.filter((r) => r.state === 'alive').length === n) ? true : undefined;
  });
  return ds;
}

interface NodesView {
  nodes: { id: string; state: string }[];
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;

/** A membership verdict from a node's log: `node` saw `member` become `state` at `time` (epoch ms). */
interface Verdict {
  node: string;
  member: string;
  state: string;
  time: number;
}

function verdicts(d: Daemon): Verdict[] {
  let text = '';
  try {
    text = readFileSync(join(d.home, 'node.log'), 'utf8');
  } catch {
    return [];
  }
  const out: Verdict[] = [];
  for (const line of text.split('\n')) {
    if (!line.includes('"member ')) continue;
    try {
      const r = JSON.parse(line) as { msg?: string; member?: string; state?: string; time?: number };
      if (typeof r.member === 'string' && typeof r.state === 'string' && typeof r.time === 'number')
        out.push({ node: d.id, member: r.member, state: r.state, time: r.time });
    } catch {
      // a torn last line while the daemon writes: read again next time
    }
  }
  return out;
}

/** Starts `hostile busy` on every daemon (on itself) and waits until each one runs it. */
async function saturate(ds: readonly Daemon[]): Promise<void> {
  const program = readFileSync(BUSY).toString('base64');
  for (const d of ds)
    await until(`the busy guest spawned on ${d.id}`, 60_000, 500, () =>
      request<{ npid: string }>(
        d,
        'POST',
        '/v1/spawn',
        { program, name: 'busy', args: ['busy'], node: d.id },
        30_000,
      ),
    );
  await until('a busy guest running on every node', 60_000, 250, async () => {
    const all = await Promise.all(
      ds.map((d) => request<{ processes: { name: string; state: string }[] }>(d, 'GET', '/v1/processes')),
    );
    return all.every((ps) =>
      ps?.processes.some((p) => p.name === 'busy' && (p.state === 'ready' || p.state === 'running')),
    )
      ? true
      : undefined;
  });
}

async function detection(n: number): Promise<void> {
  const ds = await cluster(`d${n}-`, n);
  const leaderOf = async (d: Daemon) => (await request<Status>(d, 'GET', '/v1/cluster'))?.leader;
  const leader = await leaderOf(ds[0] as Daemon);
  await saturate(ds);
  const busySince = Date.now();
  await new Promise((r) => setTimeout(r, SOAK_MS));
  const victim = ds.find((d) => d !== ds[0] && d.id !== leader) as Daemon;
  let others = ds.filter((d) => d !== victim);
  const killedAt = Date.now();
  victim.child.kill('SIGKILL');
  const deadAt = await until('dead on every other node', 60_000, 100, async () => {
    const seen = others.map(
      (d) =>
        verdicts(d).find((v) => v.member === victim.id && v.state === 'dead' && v.time >= killedAt)?.time,
    );
    return seen.every((t) => t !== undefined) ? (seen as number[]) : undefined;
  });
  deadAt.sort((a, b) => a - b);
  const last = (deadAt.at(-1) as number) - killedAt;
  const first = (deadAt[0] as number) - killedAt;
  console.log(
    `failure detection (${n} daemons, busy guests, kill -9 to dead on every other node): ${last} ms (first node ${first} ms, median ${quantile(deadAt, 0.5) - killedAt} ms)`,
  );
  if (n <= MAX_VOTERS) {
    const old = others.find((d) => d.id === leader) as Daemon;
    others = others.filter((d) => d !== old);
    const t0 = performance.now();
    old.child.kill('SIGKILL');
    const next = await until('a new leader', 20_000, 10, async () => {
      const all = await Promise.all(others.map((d) => request<Status>(d, 'GET', '/v1/cluster')));
      return all.find((s) => s?.role === 'leader')?.node;
    });
    console.log(
      `leader failover (${n} daemons, busy guests, kill -9 of the leader to a new leader): ${(performance.now() - t0).toFixed(0)} ms (${leader} -> ${next})`,
    );
  }
  const ended = Date.now();
  const killed = new Set([victim.id, ...(n <= MAX_VOTERS ? [leader] : [])]);
  // A verdict about a live node, or about the victim before its kill, is a false positive.
  const wrong = ds
    .filter((d) => !killed.has(d.id))
    .flatMap(verdicts)
    .filter(
      (v) =>
        v.time >= busySince &&
        (v.state === 'suspect' || v.state === 'dead') &&
        (!killed.has(v.member) || (v.member === victim.id && v.time < killedAt)),
    );
  const deaths = wrong.filter((v) => v.state === 'dead');
  console.log(
    `false positives (${n} daemons, busy guests, ${((ended - busySince) / 1000).toFixed(0)} s): ${deaths.length} dead, ${wrong.length - deaths.length} suspect (refuted)${wrong.length > 0 ? `: ${wrong.map((v) => `${v.node} saw ${v.member} ${v.state} at +${v.time - busySince} ms`).join('; ')}` : ''}`,
  );
  for (const d of ds) d.child.kill('SIGKILL');
}

async function writes(): Promise<void> {
  const ds = await cluster('w', 3);
  const leaderId = (await request<Status>(ds[0] as Daemon, 'GET', '/v1/cluster'))?.leader;
  const leader = ds.find((d) => d.id === leaderId) as Daemon;
  for (const concurrency of [1, 16]) {
    const latencies: number[] = [];
    const total = concurrency === 1 ? 200 : 800;
    let next = 0;
    let failed = 0;
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: concurrency }, async (_, w) => {
        for (;;) {
          const i = next++;
          if (i >= total) return;
          const s = performance.now();
          const r = await request(leader, 'POST', '/v1/cluster/acl', {
            principal: `client:bench${w}`,
            right: i % 2 === 0 ? 'spawn' : 'kill',
            grant: (i >> 1) % 2 === 0,
          });
          if (r === undefined) failed++;
          latencies.push(performance.now() - s);
        }
      }),
    );
    const secs = (performance.now() - t0) / 1000;
    latencies.sort((a, b) => a - b);
    console.log(
      `registry writes (3 voters, fsync on, ${concurrency} writer${concurrency > 1 ? 's' : ''}): ${(total / secs).toFixed(0)}/s, p50 ${quantile(latencies, 0.5).toFixed(1)} ms, p99 ${quantile(latencies, 0.99).toFixed(1)} ms${failed ? `, ${failed} failed` : ''}`,
    );
  }
  for (const d of ds) d.child.kill('SIGKILL');
}

try {
  for (const n of SIZES) await detection(n);
  await writes();
} finally {
  pool.killAll();
  rmSync(root, { recursive: true, force: true });
}
