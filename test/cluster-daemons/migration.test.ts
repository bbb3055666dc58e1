// Live migration with real daemons on loopback (issue 13 §3): three nodes; a running memtouch (it
// rewrites its memory all along and checks every page at the end, exiting 1 on corruption) moves
// n0 → n1 by pre-copy, back n1 → n0 by post-copy asked through n2 (any node: the owner is found in
// npids/), then a migration to n2 fails because n2 is killed -9 mid-way: the process runs on at n0
// and ends there with its memory intact. Ports are OS-chosen, waits have deadlines, after() kills
// what is left.
import assert from 'node:assert/strict';
import * as http from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { writeGuestImage } from '../cli/guest-image.js';
import { pakaya } from '../cli/pakaya-process.js';
import { type Daemon, DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const daemons = new DaemonSet('pkm-');
const root = daemons.root;
const start = (name: string, extra: string[] = []): Promise<Daemon> =>
  daemons.start(name, { memory: 48, extra });

/** The streaming migrate route: every NDJSON line; `onLine` sees each as it comes. */
function migrateStream(
  d: Daemon,
  npid: string,
  body: unknown,
  onLine: (line: Record<string, unknown>) => void = () => {},
): Promise<Record<string, unknown>[]> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: join(d.home, 'admin.sock'),
        method: 'POST',
        path: `/v1/processes/${encodeURIComponent(npid)}/migrate?stream=1`,
        headers: { 'Content-Type': 'application/json' },
        timeout: 60_000,
      },
      (res) => {
        const lines: Record<string, unknown>[] = [];
        let pending = '';
        res.on('data', (c: Buffer) => {
          pending += c.toString();
          for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
            const line = JSON.parse(pending.slice(0, nl)) as Record<string, unknown>;
            pending = pending.slice(nl + 1);
            lines.push(line);
            onLine(line);
          }
        });
        res.on('end', () => resolve(lines));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('migrate stream timed out')));
    req.end(JSON.stringify(body));
  });
}

/** GET on a daemon's admin socket; undefined when it does not answer. */
function get<T>(d: Daemon, path: string): Promise<T | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: join(d.home, 'admin.sock'), path, timeout: 10_000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as T) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

/** The nodes (ids) where `npid` is a live process, and its pid on each. */
async function where(ds: Daemon[], npid: string): Promise<{ id: string; pid: number }[]> {
  const found: { id: string; pid: number }[] = [];
  for (const d of ds) {
    if (d.child.exitCode !== null || d.child.signalCode !== null) continue;
    const r = await get<{ processes: { pid: number; npid: string; state: string }[] }>(d, '/v1/processes');
    const p = r?.processes.find((x) => x.npid === npid && x.state !== 'zombie');
    if (p !== undefined) found.push({ id: d.id, pid: p.pid });
  }
  return found;
}

const ids = (xs: { id: string }[]): string[] => xs.map((x) => x.id);

test('three daemons: pre-copy, post-copy from any node, and a failed migration (target killed)', async (t) => {
  const init = await pakaya(['cluster', 'init', '--home', join(root, 'n0')]);
  assert.equal(init.code, 0, init.stderr);
  const n0 = await start('n0');
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++) {
    const r = await pakaya(['cluster', 'token', '--home', n0.home]);
    assert.equal(r.code, 0, r.stderr);
    tokens.push(r.stdout.trim());
  }
  const [n1, n2] = await Promise.all(
    tokens.map((tok, i) => start(`n${i + 1}`, ['--join', `127.0.0.1:${n0.port}`, '--token', tok])),
  );
  const ds = [n0, n1!, n2!] as [Daemon, Daemon, Daemon];
  await waitFor('three voters and a leader', async () => {
    const r = await pakaya(['cluster', 'status', '--home', n0.home, '--json']);
    if (r.code !== 0) return false;
    const s = JSON.parse(r.stdout) as { leader: string | null; voters: string[] };
    return s.leader !== null && s.voters.length === 3;
  });
  await waitFor('links between every pair', async () => {
    for (const d of ds) {
      const r = await pakaya(['nodes', '--home', d.home, '--json']);
      if (r.code !== 0) return false;
      const rows = JSON.parse(r.stdout) as { self: boolean; link: string }[];
      if (rows.filter((x) => !x.self && x.link === 'up').length < 2) return false;
    }
    return true;
  });

  // 8 MiB rewritten 32 KiB at a time every 4 ms of guest time, until SIGTERM (then it checks).
  const image = writeGuestImage(root, 'memtouch', 'memtouch', ['8', '100000000', '32', '4', '500']);
  const restored = await pakaya(['restore', image, '--home', n0.home]);
  assert.equal(restored.code, 0, restored.stderr);
  const npid = /\((\S+)\)/.exec(restored.stdout)?.[1] as string;
  assert.ok(npid !== undefined, restored.stdout);
  await waitFor('memtouch to fill its memory', () => n0.out().includes('pages filled'));

  await t.test('pre-copy n0 → n1 with the command (--json summary)', async () => {
    const r = await pakaya(['migrate', '--home', n0.home, npid, n1!.id, '--json']);
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as {
      from: string;
      to: string;
      rounds: number;
      bytes: number;
      freeze_ms: number;
    };
    assert.equal(s.from, n0.id);
    assert.equal(s.to, n1!.id);
    assert.ok(s.rounds >= 1);
    assert.ok(s.bytes >= 2048 * 4096, `bytes ${s.bytes}: all 8 MiB move`);
    assert.ok(s.freeze_ms >= 0 && s.freeze_ms < 5000, `freeze ${s.freeze_ms}`);
    assert.deepEqual(ids(await where(ds, npid)), [n1!.id]);
  });

  await t.test('post-copy n1 → n0, asked through n2 (the owner is found in the registry)', async () => {
    const r = await pakaya(['migrate', '--home', n2!.home, npid, n0.id, '--mode', 'postcopy']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^migrated ${npid} from ${n1!.id} to ${n0.id} \\(postcopy\\)$`, 'm'));
    assert.match(r.stdout, /^freeze +[\d.]+ ms$/m);
    assert.match(r.stdout, /^rounds +0$/m);
    assert.deepEqual(ids(await where(ds, npid)), [n0.id]);
  });

  await t.test('the target killed mid-migration: the process runs on at the source', async () => {
    let killed = false;
    const lines = await migrateStream(n0, npid, { node: n2!.id, mode: 'precopy' }, (line) => {
      if (!killed && line.progress !== undefined) {
        killed = true;
        n2!.child.kill('SIGKILL');
      }
    });
    assert.ok(killed, `progress lines were streamed: ${JSON.stringify(lines)}`);
    const last = lines.at(-1) as { summary?: unknown; error?: { code: string; message: string } };
    assert.equal(last.summary, undefined, 'the migration did not complete');
    assert.ok(last.error !== undefined, JSON.stringify(last));
    const here = await where(ds, npid);
    assert.deepEqual(ids(here), [n0.id]);
    const term = await pakaya(['kill', '-s', 'TERM', String(here[0]!.pid), '--home', n0.home]);
    assert.equal(term.code, 0, term.stderr);
    await waitFor('memtouch to end at n0', () => /memtouch ok|corrupt/.test(n0.out()), 60_000);
    assert.match(n0.out(), /memtouch ok: 2048 pages, \d+ passes/);
    assert.doesNotMatch(n0.out() + n1!.out(), /corrupt/);
  });
});
