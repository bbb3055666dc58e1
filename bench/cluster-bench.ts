// `npm run bench:cluster`: the replicated registry with real daemons on loopback. Five daemons:
// failure detection (kill -9 of a follower until every other node's `nodes` says dead) and leader
// failover (kill -9 of the leader until a survivor leads). Then three daemons (3 voters, fsync on):
// registry writes per second and their p50/p99 latency, one writer and 16 concurrent writers. A
// write is an ACL change through the admin socket: a linearizable read and a compare-and-set.
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const PAKAYA = fileURLToPath(new URL('../../bin/pakaya.js', import.meta.url));
const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;
const root = mkdtempSync(join(tmpdir(), 'pkbench-'));
const children = new Set<ChildProcess>();

interface Daemon {
  id: string;
  port: number;
  home: string;
  child: ChildProcess;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, [PAKAYA, ...args], (err, stdout, stderr) =>
      err ? reject(new Error(`pakaya ${args.join(' ')}: ${stderr}`)) : resolve(stdout),
    ),
  );
}

async function start(home: string, extra: string[] = []): Promise<Daemon> {
  const child = spawn(
    process.execPath,
    [PAKAYA, 'node', 'start', '--home', home, '--memory', '8', '--listen', '127.0.0.1:0', ...extra],
    { stdio: ['ignore', 'pipe', 'ignore'] },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  for await (const line of createInterface({ input: child.stdout as NodeJS.ReadableStream })) {
    const m = LISTENING.exec(line);
    if (m) return { id: m[1] as string, port: Number(m[2]), home, child };
  }
  throw new Error(`the daemon on ${home} did not start`);
}

function request<T>(d: Daemon, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T | undefined> {
  return new Promise((resolve) => {
    const req = http.request(
      { socketPath: join(d.home, 'admin.sock'), method, path, timeout: 5000 },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => {
          try {
            resolve(res.statusCode === 200 ? (JSON.parse(text) as T) : undefined);
          } catch {
            resolve(undefined);
          }
        });
      },
    );
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
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
    if (performance.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, every));
  }
}

async function cluster(name: string, n: number): Promise<Daemon[]> {
  const first = join(root, `${name}0`);
  await run(['cluster', 'init', '--home', first]);
  const a = await start(first);
  const rest = await Promise.all(
    Array.from({ length: n - 1 }, async (_, i) => {
      const token = (await run(['cluster', 'token', '--home', first])).trim();
      return start(join(root, `${name}${i + 1}`), ['--join', `127.0.0.1:${a.port}`, '--token', token]);
    }),
  );
  const ds = [a, ...rest];
  await until('all voters and one leader', 30_000, 100, async () => {
    const all = await Promise.all(ds.map((d) => request<Status>(d, 'GET', '/v1/cluster')));
    const l = all[0]?.leader;
    return l && all.every((s) => s?.leader === l && s.voters.length === n) ? true : undefined;
  });
  return ds;
}

const quantile = (sorted: number[], q: number): number =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? 0;

async function detectionAndFailover(): Promise<void> {
  const ds = await cluster('f', 5);
  const leaderOf = async (d: Daemon) => (await request<Status>(d, 'GET', '/v1/cluster'))?.leader;
  const leader = await leaderOf(ds[0] as Daemon);
  const victim = ds.find((d) => d.id !== leader) as Daemon;
  let others = ds.filter((d) => d !== victim);
  let t0 = performance.now();
  victim.child.kill('SIGKILL');
  await until('dead on every other node', 20_000, 10, async () => {
    const views = await Promise.all(
      others.map((d) => request<{ nodes: { id: string; state: string }[] }>(d, 'GET', '/v1/nodes')),
    );
    return views.every((v) => v?.nodes.find((r) => r.id === victim.id)?.state === 'dead') ? true : undefined;
  });
  console.log(
    `failure detection (5 daemons, kill -9 to dead on every other node): ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const old = others.find((d) => d.id === leader) as Daemon;
  others = others.filter((d) => d !== old);
  t0 = performance.now();
  old.child.kill('SIGKILL');
  const next = await until('a new leader', 20_000, 10, async () => {
    const all = await Promise.all(others.map((d) => request<Status>(d, 'GET', '/v1/cluster')));
    return all.find((s) => s?.role === 'leader')?.node;
  });
  console.log(
    `leader failover (kill -9 of the leader to a new leader, 3 of 5 left): ${(performance.now() - t0).toFixed(0)} ms (${leader} -> ${next})`,
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
  await detectionAndFailover();
  await writes();
} finally {
  for (const c of children) c.kill('SIGKILL');
  rmSync(root, { recursive: true, force: true });
}
