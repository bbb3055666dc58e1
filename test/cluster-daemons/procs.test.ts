// Processes across the cluster with real daemons on loopback (issue 13 §1): three nodes; spawn on a
// named node (the program is sent once and cached by its hash) and by placement; ps --all from
// any node lists every process with its node; logs and wait (with the exit status) from a node that
// does not run the process; kill by NPID from another node, after which the registry says exited
// with 128+15; SIGSTOP/SIGCONT and a checkpoint that leaves the process stopped (checkpointed)
// reach the registry; a program on one node starts one on another (spawn_on) and it shows in
// ps --all there; bad flags and bad requests are refused with one clear line. Ports are
// OS-chosen, every wait has a deadline, after() kills what is still running.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import { pakaya, ROOT } from '../cli/pakaya-process.js';
import { type Daemon, DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const LINGER = join(ROOT, 'user/bin/linger.elf');
const EXITCODE = join(ROOT, 'user/bin/exitcode.elf');
const SPAWNON = join(ROOT, 'user/bin/spawnon.elf');
/** spawnon's errno for an unknown node: picolibc's EHOSTUNREACH (user/lib/errno.c maps Linux's 113). */
const PICOLIBC_EHOSTUNREACH = 118;

const daemons = new DaemonSet('pkp-');
const root = daemons.root;
const start = (name: string, extra: string[] = []): Promise<Daemon> =>
  daemons.start(name, { memory: 16, extra });

/** Polls `check` until it returns true, failing after `ms` with `what`. */

/** A JSON answer as the tests read it (fields checked by the assertions that use them). */
// biome-ignore lint/suspicious/noExplicitAny: admin answers vary by route; each test asserts the fields it reads
type Json = any;

/** A raw request on a node's admin socket. */
function request(
  d: Daemon,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; json: Json }> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        socketPath: join(d.home, 'admin.sock'),
        method,
        path,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, json: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

interface Row {
  node: string;
  npid: string;
  name: string;
  state: string;
}

async function psAll(d: Daemon): Promise<{ rows: Row[]; stderr: string }> {
  const r = await pakaya(['ps', '--all', '--json', '--home', d.home]);
  assert.equal(r.code, 0, r.stderr);
  return { rows: JSON.parse(r.stdout) as Row[], stderr: r.stderr };
}

async function spawn(d: Daemon, args: string[]): Promise<{ npid: string; stderr: string }> {
  const r = await pakaya(['spawn', '--home', d.home, ...args]);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  const npid = lines[lines.length - 1] as string;
  assert.match(npid, /^[0-9a-f]{8}:\d+$/);
  return { npid, stderr: r.stderr };
}

const record = async (d: Daemon, npid: string) => (await request(d, 'GET', `/v1/npids/${npid}`)).json;

test('processes across three daemons: spawn, ps --all, logs, wait, kill, state sync, refusals', async (t) => {
  const init = await pakaya(['cluster', 'init', '--home', join(root, 'a')]);
  assert.equal(init.code, 0, init.stderr);
  const a = await start('a');
  const token = async (): Promise<string> => {
    const r = await pakaya(['cluster', 'token', '--home', a.home]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout.trim();
  };
  const rows = await pakaya(['nodes', '--home', a.home, '--json']);
  const address = (JSON.parse(rows.stdout) as { self: boolean; address: string }[]).find(
    (x) => x.self,
  )?.address;
  assert.ok(address !== undefined, rows.stdout);
  const [t1, t2] = [await token(), await token()];
  const [b, c] = await Promise.all([
    start('b', ['--join', address as string, '--token', t1]),
    start('c', ['--join', address as string, '--token', t2]),
  ]);
  const ids = [a.id, b.id, c.id];
  // Every node sees the other two as live members of the registry (what fan-outs ask).
  await waitFor('three live members in every registry', async () => {
    for (const d of [a, b, c]) {
      const m = (await request(d, 'GET', '/v1/cluster/members')).json.members as {
        id: string;
        state: string;
      }[];
      if (ids.some((id) => !m.some((x) => x.id === id && x.state === 'alive'))) return false;
    }
    return true;
  });

  const elf = (path: string): string => readFileSync(path).toString('base64');
  const spawnHttp = async (
    d: Daemon,
    body: Record<string, unknown>,
  ): Promise<{ npid: string; node: string }> => {
    const r = await request(d, 'POST', '/v1/spawn', JSON.stringify(body));
    assert.equal(r.status, 201, JSON.stringify(r.json));
    return r.json;
  };
  const killHttp = (d: Daemon, npid: string, signal: number) =>
    request(d, 'POST', `/v1/npids/${npid}/kill`, JSON.stringify({ signal }));
  const logsHttp = async (d: Daemon, npid: string): Promise<{ out: string; err: string; node: string }> => {
    const r = await request(d, 'POST', `/v1/npids/${npid}/logs`, '{}');
    assert.equal(r.status, 200, JSON.stringify(r.json));
    return {
      out: Buffer.from(r.json.out, 'base64').toString(),
      err: Buffer.from(r.json.err, 'base64').toString(),
      node: r.json.node,
    };
  };

  let lingerOnC = '';
  await t.test('spawn on a named node: the program travels once and is cached by hash', async () => {
    const s = await spawn(a, [
      '--node',
      c.id,
      '--restart',
      'on-failure',
      '--checkpoint-every',
      '2s',
      LINGER,
      'hello',
      'world',
    ]);
    lingerOnC = s.npid;
    assert.match(s.stderr, new RegExp(`on node ${c.id}`));
    const rec = await record(b, lingerOnC);
    assert.equal(rec.node, c.id);
    assert.equal(rec.state, 'running');
    assert.equal(rec.name, 'linger');
    assert.deepEqual(rec.args, ['hello', 'world']);
    assert.equal(rec.restart, 'on-failure');
    assert.equal(rec.checkpointEveryMs, 2000);
    assert.match(rec.program, /^[0-9a-f]{64}$/);
    assert.ok(rec.fence.index > 0, 'the ownership write carries a fencing token');
    assert.deepEqual(readdirSync(join(c.home, 'programs')), [rec.program]);
    // A second spawn of the same program on c from b: c already holds it (still one cached file).
    const again = await spawnHttp(b, { program: elf(LINGER), name: 'linger', args: ['second'], node: c.id });
    assert.equal(again.node, c.id);
    assert.equal((await record(a, again.npid)).node, c.id);
    assert.deepEqual(readdirSync(join(c.home, 'programs')), [rec.program]);
    assert.equal((await killHttp(a, again.npid, 9)).status, 200);
  });

  await t.test('logs from another node show stdout and stderr', async () => {
    await waitFor('linger output', async () => /linger: stderr\n/.test((await logsHttp(a, lingerOnC)).err));
    const r = await pakaya(['logs', '--home', a.home, lingerOnC]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^linger: up hello world\n/);
    assert.equal(r.stderr, 'linger: stderr\n');
  });

  await t.test('ps --all lists every process with its node, from any node', async () => {
    const [json, table] = await Promise.all([psAll(b), pakaya(['ps', '--all', '--home', a.home])]);
    assert.equal(json.stderr, '');
    const mine = json.rows.filter((r) => r.npid === lingerOnC);
    assert.equal(mine.length, 1);
    assert.equal(mine[0]?.node, c.id);
    assert.equal(mine[0]?.name, 'linger');
    assert.ok(json.rows.every((r) => ids.includes(r.node)));
    assert.equal(table.code, 0, table.stderr);
    assert.match(table.stdout, /^NODE +NPID +PID/);
    assert.match(table.stdout, new RegExp(`${c.id} +${lingerOnC} .*linger`));
  });

  await t.test('stop and continue reach the registry; kill by NPID from another node', async () => {
    assert.equal((await killHttp(b, lingerOnC, 19)).status, 200);
    await waitFor('state stopped', async () => (await record(a, lingerOnC)).state === 'stopped');
    assert.equal((await killHttp(a, lingerOnC, 18)).status, 200);
    await waitFor('state running', async () => (await record(a, lingerOnC)).state === 'running');
    // A checkpoint that leaves it stopped makes it checkpointed (captured, not running); SIGCONT
    // from another node makes it running again.
    const row = (
      (await request(c, 'GET', '/v1/processes')).json.processes as { npid: string; pid: number }[]
    ).find((p) => p.npid === lingerOnC);
    assert.ok(row !== undefined);
    const image = join(root, 'linger.img');
    const cp = await request(
      c,
      'POST',
      `/v1/processes/${row.pid}/checkpoint`,
      JSON.stringify({ path: image, stop: true }),
    );
    assert.equal(cp.status, 200, JSON.stringify(cp.json));
    await waitFor('state checkpointed', async () => (await record(b, lingerOnC)).state === 'checkpointed');
    assert.equal((await killHttp(b, lingerOnC, 18)).status, 200);
    await waitFor('state running again', async () => (await record(a, lingerOnC)).state === 'running');
    const waiting = pakaya(['wait', '--home', a.home, lingerOnC]);
    const term = await pakaya(['kill', lingerOnC, '--home', b.home]);
    assert.equal(term.code, 0, term.stderr);
    const w = await waiting;
    assert.equal(w.code, 143, w.stderr);
    const rec = await record(b, lingerOnC);
    assert.equal(rec.state, 'exited');
    assert.equal(rec.status, 143);
    // A second kill finds it gone.
    const again = await killHttp(a, lingerOnC, 15);
    assert.equal(again.status, 404);
    assert.match(again.json.error.message, /has exited/);
    // Output stays readable after the exit.
    assert.match((await logsHttp(b, lingerOnC)).out, /linger: up hello world/);
  });

  await t.test('spawn by placement; wait and logs --follow from other nodes', async () => {
    const s = await spawn(b, [EXITCODE, '7']);
    assert.ok(ids.includes((await record(a, s.npid)).node));
    const [w, f] = await Promise.all([
      pakaya(['wait', '--home', c.home, s.npid]),
      pakaya(['logs', '--follow', '--home', a.home, s.npid]),
    ]);
    assert.equal(w.code, 7, w.stderr);
    assert.match(w.stderr, new RegExp(`${s.npid} exited with status 7`));
    assert.equal(f.code, 0, f.stderr);
    assert.equal(f.stdout, 'exitcode: 7\n');
    // Three lingering processes placed one after another spread over the three nodes (each spawn
    // takes memory from its node, so the next one goes elsewhere).
    const placed: string[] = [];
    for (let i = 0; i < 3; i++)
      placed.push((await spawnHttp(a, { program: elf(LINGER), name: 'linger' })).node);
    assert.deepEqual([...new Set(placed)].sort(), [...ids].sort(), `placed on ${placed.join(', ')}`);
  });

  await t.test('a program on one node spawns a process on another (spawn_on)', async () => {
    // spawnon runs on a and asks for linger on b; a second one names a node that does not exist.
    const [ok, bad] = await Promise.all([
      spawnHttp(b, { program: elf(SPAWNON), name: 'spawnon', args: [b.id, 'linger', 'from-a'], node: a.id }),
      spawnHttp(c, { program: elf(SPAWNON), name: 'spawnon', args: ['abcdef01', 'linger'], node: a.id }),
    ]);
    assert.equal(ok.node, a.id);
    // Admin requests rather than CLI runs here: the same routes, without a CLI process each.
    const waitHttp = async (d: Daemon, npid: string): Promise<Json> => {
      const deadline = Date.now() + 20_000;
      for (;;) {
        const r = await request(d, 'POST', `/v1/npids/${npid}/wait`, '{"timeoutMs":10000}');
        assert.equal(r.status, 200, JSON.stringify(r.json));
        if (r.json.state === 'exited') return r.json;
        if (Date.now() > deadline) assert.fail(`${npid} did not exit: ${JSON.stringify(r.json)}`);
      }
    };
    const [okWait, badWait] = await Promise.all([waitHttp(c, ok.npid), waitHttp(b, bad.npid)]);
    assert.equal(okWait.state, 'exited');
    assert.equal(okWait.status, 0);
    assert.equal(badWait.status, 1);
    assert.equal((await logsHttp(c, bad.npid)).out, `spawnon: error ${PICOLIBC_EHOSTUNREACH}\n`);
    const said = /^spawnon: ([0-9a-f]{8}:\d+)\n$/.exec((await logsHttp(b, ok.npid)).out);
    assert.ok(said !== null, 'spawnon printed the child NPID');
    const child = said[1] as string;
    assert.equal(child.slice(0, 8), b.id, 'the child NPID names node b');
    const rec = await record(c, child);
    assert.equal(rec.node, b.id);
    assert.equal(rec.name, 'linger');
    assert.deepEqual(rec.args, ['from-a']);
    const table = (await request(b, 'GET', '/v1/cluster/processes')).json;
    assert.deepEqual(table.missing, []);
    const onB = (table.processes as Row[]).filter((r) => r.npid === child);
    assert.equal(onB.length, 1);
    assert.equal(onB[0]?.node, b.id);
    await waitFor('the child runs', async () => /linger: up from-a\n/.test((await logsHttp(a, child)).out));
    assert.equal((await killHttp(a, child, 9)).status, 200);
  });

  await t.test('bad flags and bad requests are refused with one clear line', async () => {
    const cases: [string[], RegExp][] = [
      [['spawn', '--home', a.home, '--checkpoint-every', '5 parsecs', LINGER], /expected a duration/],
      [
        ['spawn', '--home', a.home, '--restart', 'sometimes', LINGER],
        /Allowed choices are no, on-failure, always/,
      ],
      [['spawn', '--home', a.home, '--node', 'abcdef01', LINGER], /not a live member/],
      [['spawn', '--home', a.home, join(root, 'missing.elf')], /missing\.elf/],
      [['wait', '--home', a.home, 'nonsense'], /expected an NPID/],
      [['kill', `${c.id}:424242`, '--home', a.home], /no process/],
    ];
    const outcomes = await Promise.all(cases.map(([args]) => pakaya(args)));
    cases.forEach(([args, message], i) => {
      const r = outcomes[i]!;
      assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.stdout}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
    });
    const notElf = Buffer.from('this is not an ELF file').toString('base64');
    const bodies: [string, string, string | undefined, number, RegExp][] = [
      ['POST', '/v1/spawn', '{"program":"!!!"}', 400, /base64/],
      ['POST', '/v1/spawn', '{"program":"AAAA","extra":1}', 400, /unknown field/],
      ['POST', '/v1/spawn', '{"program":"AAAA","args":[1]}', 400, /array of strings/],
      ['POST', '/v1/spawn', '{"program":"AAAA","restart":"maybe"}', 400, /restart/],
      ['POST', '/v1/spawn', '{"program":"AAAA","checkpointEveryMs":-1}', 400, /checkpointEveryMs/],
      ['POST', '/v1/spawn', `{"program":"AAAA","node":"${b.id}0"}`, 400, /node id/],
      ['POST', '/v1/spawn', 'not json', 400, /JSON/],
      ['POST', '/v1/spawn', `{"program":"${notElf}","node":"${b.id}"}`, 409, /cannot start/],
      ['POST', '/v1/npids/zz/kill', '{"signal":15}', 400, /NPID/],
      ['POST', `/v1/npids/${a.id}:1/kill`, '{"signal":99}', 400, /signal/],
      ['POST', `/v1/npids/${a.id}:1/wait`, '{"timeoutMs":999999999}', 400, /timeoutMs/],
      ['POST', `/v1/npids/${a.id}:1/logs`, '{"out":-5}', 400, /offsets/],
      ['GET', '/v1/npids/0a0b0c0d:77', undefined, 404, /no process/],
      ['POST', `/v1/npids/${b.id}:424242/logs`, '{}', 404, /no process/],
    ];
    for (const [method, path, body, status, message] of bodies) {
      const r = await request(a, method, path, body);
      assert.equal(r.status, status, `${method} ${path} ${body}: ${JSON.stringify(r.json)}`);
      assert.match(r.json.error?.message, message, `${method} ${path}`);
    }
    // The nodes still serve after all that.
    assert.equal((await request(c, 'GET', '/v1/cluster/processes')).status, 200);
  });
  assert.ok(existsSync(join(a.home, 'programs')));
});
