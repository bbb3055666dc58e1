// The checkpoint store and recovery with real daemons on loopback (issue 13 §4–§5 "Done when"), on
// one shared cluster of three nodes:
// - checkpoint and restore across nodes: a ticker spawned on one node is checkpointed into the
//   store from the two others (forwarded to its owner; the second checkpoint is incremental), is
//   killed, and is restored from the store onto another node with its NPID, where it finishes with
//   the output of an uninterrupted run;
// - recovery: a ticker spawned with --restart always and --checkpoint-every is checkpointed
//   periodically in guest time and replicated; kill -9 of its node; the leader marks the node dead
//   and one other node brings it back from its replicated checkpoint with the same NPID, where it
//   finishes with the right output and exit status. The time from kill -9 to running elsewhere is
//   printed.
// Ports are OS-chosen, every wait has a deadline, after() kills what is still running.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { pakaya, ROOT } from '../cli/pakaya-process.js';
import { uninterruptedRun } from '../kernel/helpers.js';
import { type Daemon, DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const TICKER = join(ROOT, 'user/bin/ticker.elf');

const daemons = new DaemonSet('pks-');
const root = daemons.root;
const start = (name: string, extra: string[] = []): Promise<Daemon> =>
  daemons.start(name, { memory: 16, extra });

/** A JSON answer as the tests read it (fields checked by the assertions that use them). */
// biome-ignore lint/suspicious/noExplicitAny: admin answers vary by route; each test asserts the fields it reads
type Json = any;

const SIGKILL = 9;
const SIGCONT = 18;
const SIGSTOP = 19;

/** A request on a node's admin socket with a JSON body. */
function call(
  d: Daemon,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Json }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: join(d.home, 'admin.sock'),
        method,
        path,
        headers: text === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      (res) => {
        let out = '';
        res.on('data', (c) => {
          out += c;
        });
        res.on('end', () => {
          try {
            resolve({ status: res.statusCode ?? 0, json: JSON.parse(out) });
          } catch {
            resolve({ status: res.statusCode ?? 0, json: undefined });
          }
        });
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

/** GET on a node's admin socket: the JSON body of a 200 answer, else undefined. */
function get(d: Daemon, path: string): Promise<Json | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: join(d.home, 'admin.sock'), path, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? JSON.parse(body) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

async function spawn(d: Daemon, args: string[]): Promise<string> {
  const r = await pakaya(['spawn', '--home', d.home, ...args]);
  assert.equal(r.code, 0, r.stderr);
  const npid = r.stdout.trim().split('\n').at(-1) ?? '';
  assert.match(npid, /^[0-9a-f]{8}:\d+$/);
  return npid;
}

const ticked = (d: Daemon, npid: string, i: number): boolean =>
  d.out().includes(`[${npid} ticker] tick ${i}\n`);

test('the checkpoint store across three daemons: checkpoint/restore across nodes, recovery after kill -9', async (t) => {
  const t0 = Date.now();
  assert.equal((await pakaya(['cluster', 'init', '--home', join(root, 'n0')])).code, 0);
  const first = await start('n0');
  const tokens: string[] = [];
  for (let i = 0; i < 2; i++)
    tokens.push((await pakaya(['cluster', 'token', '--home', first.home])).stdout.trim());
  const others = await Promise.all(
    tokens.map((tok, i) => start(`n${i + 1}`, ['--join', `127.0.0.1:${first.port}`, '--token', tok])),
  );
  const ds = [first, ...others];
  await waitFor('three members alive in the registry', async () => {
    const m = await get(first, '/v1/cluster/members');
    return m?.members.length === 3 && m.members.every((x: { state: string }) => x.state === 'alive');
  });
  console.log(`# three members alive after ${Date.now() - t0} ms`);
  const leaderId = (await get(first, '/v1/cluster'))?.leader as string | undefined;
  const followers = ds.filter((d) => d.id !== leaderId);
  assert.ok(followers.length >= 2, `two nodes follow leader ${leaderId}`);

  await t.test(
    'checkpoint an NPID from any node into the store; restore it from the store onto another node',
    async () => {
      const [a, b] = followers as [Daemon, Daemon];
      const c = ds.find((d) => d !== a && d !== b) as Daemon;
      const run = uninterruptedRun('ticker', ['20', '100']);
      const last = run.out.trim().split('\n').at(-1) as string;
      const spawned = await call(c, 'POST', '/v1/spawn', {
        program: readFileSync(TICKER).toString('base64'),
        name: 'ticker',
        args: ['20', '100'],
        node: a.id,
      });
      assert.equal(spawned.status, 201, JSON.stringify(spawned.json));
      const npid = spawned.json.npid as string;
      const signal = async (d: Daemon, sig: number) =>
        assert.equal((await call(d, 'POST', `/v1/npids/${npid}/kill`, { signal: sig })).status, 200);
      const state = async (want: string) =>
        waitFor(`state ${want}`, async () => (await get(b, `/v1/npids/${npid}`))?.state === want);
      // Stopped while checkpointed, so the run cannot end before the test is done with it (a loaded
      // machine runs the CLI slowly; guest time follows the host clock).
      await waitFor('the first ticks', () => ticked(a, npid, 2));
      await signal(b, SIGSTOP);
      await state('stopped');
      // Asked of another node: forwarded to the owner, replicated to one other node.
      const one = await pakaya(['checkpoint', '--store', npid, '--json', '--home', b.home]);
      assert.equal(one.code, 0, one.stderr);
      const first1 = JSON.parse(one.stdout);
      assert.equal(first1.node, a.id);
      assert.equal(first1.nodes.length, 2, 'held by its node and one replica');
      assert.ok(first1.nodes.includes(a.id));
      assert.ok(first1.bytesSent > 0 && first1.pagesWritten > 0);
      const where = await get(c, `/v1/store/checkpoints/${npid}`);
      assert.equal(where?.manifest, first1.manifest, 'the registry names the replicated checkpoint');
      const upTo = (a.out().match(new RegExp(`\\[${npid} ticker\\] tick \\d+\\n`, 'g')) ?? []).length;
      await signal(c, SIGCONT);
      await waitFor('two more ticks', () => ticked(a, npid, upTo + 1));
      await signal(c, SIGSTOP);
      await state('stopped');
      // The second is incremental: the program's text and the unchanged pages are not sent again.
      const two = await call(c, 'POST', '/v1/store/checkpoint', { npid });
      assert.equal(two.status, 200, JSON.stringify(two.json));
      const second = two.json;
      assert.equal(second.node, a.id);
      assert.notEqual(second.manifest, first1.manifest);
      assert.ok(second.pagesWritten < first1.pagesWritten, `${second.pagesWritten} < ${first1.pagesWritten}`);
      assert.ok(second.bytesSent < first1.bytesSent, `${second.bytesSent} < ${first1.bytesSent}`);
      // While it is alive on a live node, a restore elsewhere is refused.
      const refused = await call(b, 'POST', '/v1/store/restore', { npid });
      assert.equal(refused.status, 503);
      assert.match(refused.json.error.message, /kill it first/);
      await signal(b, SIGKILL);
      await state('exited');
      // Restore onto the node that is not a replica (it fetches every page it lacks from a holder).
      const target = ds.find((d) => !second.nodes.includes(d.id)) as Daemon;
      const restored = await pakaya(['restore', '--store', npid, '--json', '--home', target.home]);
      assert.equal(restored.code, 0, restored.stderr);
      const r = JSON.parse(restored.stdout);
      assert.equal(r.npid, npid);
      assert.equal(r.node, target.id);
      assert.equal(r.manifest, second.manifest);
      assert.ok(r.pagesFetched > 0, 'the pages came from a holder');
      // It comes back as it was checkpointed: stopped. Continued, it finishes there.
      await state('stopped');
      await signal(b, SIGCONT);
      let waited: Json;
      await waitFor('it to finish', async () => {
        waited = await call(a, 'POST', `/v1/npids/${npid}/wait`, { timeoutMs: 5000 });
        return waited.json?.state === 'exited';
      });
      assert.equal(waited.json.status, 0);
      assert.equal(waited.json.node, target.id);
      assert.ok(target.out().includes(`[${npid} ticker] ${last}\n`), 'the output of an uninterrupted run');
      assert.ok(!target.out().includes(`[${npid} ticker] tick 0\n`), 'it went on from the checkpoint');
      assert.ok(!a.out().includes(last), 'not finished on the node it was killed on');
    },
  );

  await t.test(
    'kill -9 of a node: its process with --restart always comes back elsewhere with its NPID',
    async () => {
      const home = followers[1] as Daemon;
      const run = uninterruptedRun('ticker', ['45', '100']);
      const last = run.out.trim().split('\n').at(-1) as string;
      const npid = await spawn(first, [
        '--node',
        home.id,
        '--restart',
        'always',
        '--checkpoint-every',
        '300ms',
        TICKER,
        '45',
        '100',
      ]);
      // Periodic checkpoints in guest time, replicated: wait for one taken after a few ticks.
      await waitFor('a few ticks', () => ticked(home, npid, 6));
      const before = (await get(first, `/v1/store/checkpoints/${npid}`))?.manifest as string | undefined;
      await waitFor('a replicated periodic checkpoint', async () => {
        const w = await get(first, `/v1/store/checkpoints/${npid}`);
        return w !== undefined && w.manifest !== before && w.nodes.length === 2;
      });
      assert.ok(!home.out().includes(last), 'still running when its node is killed');
      const killedAt = Date.now();
      home.child.kill('SIGKILL');
      const survivors = ds.filter((d) => d !== home);
      let where: Daemon | undefined;
      await waitFor(
        'the process to run again on another node',
        async () => {
          const rec = await get(first === home ? (survivors[0] as Daemon) : first, `/v1/npids/${npid}`);
          where = survivors.find((d) => d.id === rec?.node && rec?.state === 'running');
          return where !== undefined;
        },
        30_000,
      );
      const recoveryMs = Date.now() - killedAt;
      console.log(`# recovery: kill -9 to running elsewhere in ${recoveryMs} ms`);
      const at = where as Daemon;
      const waited = await pakaya(['wait', npid, '--home', at.home]);
      assert.equal(waited.code, 0, waited.stderr);
      assert.ok(
        at.out().includes(`[${npid} ticker] ${last}\n`),
        'finished with the output of an uninterrupted run',
      );
      const rec = await get(at, `/v1/npids/${npid}`);
      assert.equal(rec?.node, at.id);
      assert.equal(rec?.state, 'exited');
      assert.equal(rec?.status, 0);
      assert.equal(rec?.restarts, 1);
      assert.ok(rec.fence.index > 0);
      // Only one node brought it back.
      const other = survivors.find((d) => d !== at) as Daemon;
      assert.ok(!other.out().includes(`[${npid} ticker]`), 'not recovered twice');
    },
  );
  console.log(`# whole test ${Date.now() - t0} ms`);
});
