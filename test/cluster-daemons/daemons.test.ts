// Real daemons on loopback (issue 11's "Done when"): three nodes form a cluster with cluster init,
// cluster token and --join; `pakaya nodes` on each lists the other two with live links; net ping
// works both ways; --node runs ps on a remote node; every join refusal (no token, bad, expired,
// reused token), a foreign CA's certificate, a revoked node and a plain TCP client sending garbage
// are refused with real sockets while the node keeps serving; a peer killed with SIGKILL and
// restarted on another port is reconnected to by its identity. Every node listens on port 0 and
// the test reads the bound port from its stdout line; every wait has a deadline; after() kills
// whatever is still running.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tls from 'node:tls';
import { type Outcome, pakaya, startPakaya } from '../cli/pakaya-process.js';
import { type Daemon, DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const daemons = new DaemonSet('pkd-');
const root = daemons.root;
const start = (name: string, extra: string[] = []): Promise<Daemon> =>
  daemons.start(name, { memory: 8, extra });

interface Row {
  id: string;
  address: string;
  self: boolean;
  link: string;
  rtt_us: number;
  bytes_in: number;
  bytes_out: number;
  state: string;
}

async function nodes(d: Daemon): Promise<Row[]> {
  const r = await pakaya(['nodes', '--home', d.home, '--json']);
  assert.equal(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as Row[];
}

/** Polls `check` until it returns true, failing after `ms` with `what`. */

async function linked(d: Daemon, peers: string[]): Promise<boolean> {
  const rows = await nodes(d);
  return peers.every((p) => rows.some((r) => r.id === p && r.link === 'up'));
}

function assertOneLine(outcome: Outcome, message: RegExp): void {
  assert.notEqual(outcome.code, 0, `expected a refusal: ${outcome.stdout}`);
  assert.match(outcome.stderr, message);
  assert.equal(outcome.stderr.trim().split('\n').length, 1, `one line: ${outcome.stderr}`);
}

const token = async (h: string, ttl = '1h'): Promise<string> => {
  const r = await pakaya(['cluster', 'token', '--home', h, '--ttl', ttl]);
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim();
};

const log = (d: Daemon): string => readFileSync(join(d.home, 'node.log'), 'utf8');

/** A node that still serves: its admin API answers and it still pings `peer`. */
async function assertServing(d: Daemon, peer: string): Promise<void> {
  const r = await pakaya(['net', 'ping', peer, '--home', d.home, '--count', '3', '--json']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(JSON.parse(r.stdout).count, 3);
}

test('three daemons on loopback: a cluster, refusals, forwarding, restart, revocation', async (t) => {
  const init = await pakaya(['cluster', 'init', '--home', daemons.home('a')]);
  assert.equal(init.code, 0, init.stderr);
  const a = await start('a');
  const firstToken = await token(a.home);
  const secondToken = await token(a.home);
  const [b, c] = await Promise.all([
    start('b', ['--join', `127.0.0.1:${a.port}`, '--token', firstToken]),
    start('c', ['--join', `127.0.0.1:${a.port}`, '--token', secondToken, '--discover', 'multicast']),
  ]);
  const seed = `127.0.0.1:${a.port}`;

  await t.test('every node lists the other two with live links; net ping both ways', async () => {
    await waitFor(
      'a full mesh',
      async () =>
        (await linked(a, [b.id, c.id])) && (await linked(b, [a.id, c.id])) && (await linked(c, [a.id, b.id])),
    );
    for (const d of [a, b, c]) {
      const rows = await nodes(d);
      assert.equal(rows.length, 3);
      const own = rows.filter((r) => r.self);
      assert.equal(own.length, 1);
      assert.equal(own[0]?.id, d.id);
      assert.equal(own[0]?.address, `127.0.0.1:${d.port}`);
      for (const r of rows.filter((x) => !x.self)) {
        assert.equal(r.state, 'alive');
        assert.ok(r.bytes_in > 0 && r.bytes_out > 0, `traffic on ${d.id} -> ${r.id}`);
      }
    }
    for (const [from, to] of [
      [b, c],
      [c, b],
    ] as const) {
      const r = await pakaya([
        'net',
        'ping',
        to.id,
        '--home',
        from.home,
        '--count',
        '20',
        '--size',
        '64',
        '--json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const p = JSON.parse(r.stdout);
      assert.equal(p.count, 20);
      assert.ok(
        p.min_us > 0 && p.min_us <= p.median_us && p.median_us <= p.p99_us && p.p99_us <= p.max_us,
        r.stdout,
      );
    }
    assert.ok(existsSync(join(b.home, 'node.key')) && existsSync(join(c.home, 'cluster.key')));
    assert.match(log(a), /"msg":"node joined the cluster"/);
  });

  await t.test('net trace streams frames to a capture that net decode prints; link metrics', async () => {
    const capture = join(root, 'trace.cap');
    const tracing = startPakaya(
      ['net', 'trace', '--home', b.home, '--out', capture],
      / (->|<-) [0-9a-f]{8} /,
    );
    let traced: Awaited<typeof tracing> | undefined;
    tracing.then((x) => {
      traced = x;
      daemons.track(x.child, x.exited);
    });
    await waitFor('a traced frame', async () => {
      await pakaya(['net', 'ping', c.id, '--home', b.home, '--count', '2']);
      return traced !== undefined;
    });
    const tr = traced as NonNullable<typeof traced>;
    tr.child.kill('SIGINT');
    const [code] = await tr.exited;
    assert.equal(code, 0);
    const decoded = await pakaya(['net', 'decode', capture]);
    assert.equal(decoded.code, 0, decoded.stderr);
    assert.match(
      decoded.stdout,
      new RegExp(`(->|<-) (${a.id}|${c.id}) (control|bulk) +(ping|pong|app/\\d+)`),
    );
    assert.match(readFileSync(capture, 'utf8'), /^PAKAYA-NET-CAPTURE 1\n/);
    assertOneLine(await pakaya(['net', 'decode', join(b.home, 'node.json')]), /not a pakaya net capture/);
    assertOneLine(await pakaya(['net', 'decode', root]), /not a regular file/);

    const text = await new Promise<string>((resolve, reject) => {
      http
        .get({ socketPath: join(b.home, 'admin.sock'), path: '/metrics' }, (res) => {
          let body = '';
          res.on('data', (chunk) => {
            body += chunk;
          });
          res.on('end', () => resolve(body));
        })
        .on('error', reject);
    });
    assert.match(text, new RegExp(`pakaya_link_bytes_out_total\\{[^}]*peer="${c.id}"[^}]*\\} [1-9]`));
    assert.match(text, new RegExp(`pakaya_link_rtt_microseconds_count\\{[^}]*peer="${c.id}"[^}]*\\} [1-9]`));
    assert.match(text, /pakaya_net_buffer_bytes\{what="limit"/);
  });

  await t.test('--node runs ps on a remote node; a node that is not a member is refused', async () => {
    const ps = await pakaya(['ps', '--home', a.home, '--node', c.id, '--json']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.deepEqual(JSON.parse(ps.stdout), []);
    assert.match(log(c), new RegExp(`"peer":"${a.id}".*"msg":"forwarded admin request"`));
    assertOneLine(
      await pakaya(['ps', '--home', a.home, '--node', '0badf00d']),
      /no live link to node 0badf00d/,
    );
  });

  await t.test('a member that is not the CA node forwards a join to it over mTLS', async () => {
    const d = await start('d', ['--join', `127.0.0.1:${b.port}`, '--token', await token(a.home)]);
    const info = JSON.parse(readFileSync(join(d.home, 'cluster.json'), 'utf8'));
    assert.equal(info.caNodeId, a.id, 'the CA node id comes from the answer, not the seed');
    assert.match(log(b), /"msg":"join request forwarded to the CA node"/);
    await waitFor('d linked to a and b', async () => linked(d, [a.id, b.id]));
    d.child.kill('SIGTERM');
    await d.exited;
  });

  await t.test('join refusals: no token, bad, expired, reused token; the CA node keeps serving', async () => {
    const joinAs = (name: string, tokenText?: string): Promise<Outcome> =>
      pakaya([
        'node',
        'start',
        '--home',
        daemons.home(name),
        '--listen',
        '127.0.0.1:0',
        '--join',
        seed,
        ...(tokenText === undefined ? [] : ['--token', tokenText]),
      ]);
    // A well-formed token of another cluster (the CA node does not know it), and a token whose
    // whole lifetime (1 ms) is over before it is used.
    assert.equal((await pakaya(['cluster', 'init', '--home', daemons.home('f')])).code, 0);
    const [foreign, shortLived] = await Promise.all([token(daemons.home('f')), token(a.home, '1ms')]);
    const [noToken, malformed, bad, expired, reused] = await Promise.all([
      joinAs('n1'),
      joinAs('n2', 'nonsense'),
      joinAs('n3', foreign),
      joinAs('n4', shortLived),
      joinAs('n5', firstToken),
    ]);
    assertOneLine(noToken, /has no cluster identity/);
    assertOneLine(malformed, /token/);
    assertOneLine(bad, /the seed refused the join/);
    assertOneLine(expired, /expired/);
    assertOneLine(reused, /already used/);
    for (const n of ['n1', 'n2', 'n3', 'n4', 'n5'])
      assert.equal(existsSync(join(daemons.home(n), 'cluster.json')), false, `${n} stored no identity`);

    const refusals = log(a)
      .split('\n')
      .filter((l) => l.includes('"msg":"join refused'));
    assert.ok(refusals.length >= 3, `join refusals logged: ${refusals.length}`);
    await assertServing(a, b.id);
  });

  await t.test("a foreign CA's certificate and a plain TCP client sending garbage are refused", async () => {
    const f = daemons.home('f');
    const socket = tls.connect({
      host: '127.0.0.1',
      port: a.port,
      key: readFileSync(join(f, 'node.key')),
      cert: readFileSync(join(f, 'node.crt')),
      rejectUnauthorized: false,
    });
    socket.on('error', () => {});
    await new Promise((r) => socket.once('close', r));
    await waitFor(
      'the refusal in node.log',
      async () => /certificate not issued by the cluster CA/.test(log(a)),
      5000,
    );

    const raw = net.connect(a.port, '127.0.0.1');
    raw.on('error', () => {});
    raw.on('connect', () => raw.write('GET / HTTP/1.0\r\n\r\n\0\xff garbage garbage'));
    await new Promise((r) => raw.once('close', r));
    await assertServing(a, c.id);
    await assertServing(b, a.id);
  });

  await t.test(
    'a peer killed with SIGKILL and restarted on another port (found by multicast) is reconnected by identity',
    async () => {
      b.child.kill('SIGKILL');
      await b.exited;
      await waitFor('the link to b down', async () => !(await linked(a, [b.id])));
      // No seed this time: b finds c by its sealed multicast beacon, and the rest through c.
      const again = await start('b', ['--discover', 'multicast']);
      assert.equal(again.id, b.id);
      assert.notEqual(again.port, b.port);
      await waitFor(
        'links to the restarted b',
        async () => (await linked(a, [b.id])) && (await linked(c, [b.id])),
      );
      await assertServing(a, b.id);
      Object.assign(b, again);
    },
  );

  await t.test('cluster revoke on the CA home: links close, every member refuses the node', async () => {
    const r = await pakaya(['cluster', 'revoke', c.id, '--home', a.home]);
    assert.equal(r.code, 0, r.stderr);
    const revokedEverywhere = async (d: Daemon): Promise<boolean> =>
      (await nodes(d)).some((row) => row.id === c.id && row.state === 'revoked' && row.link !== 'up');
    await waitFor(
      'the revocation on a and b',
      async () => (await revokedEverywhere(a)) && (await revokedEverywhere(b)),
    );
    assert.match(readFileSync(join(b.home, 'revoked.json'), 'utf8'), new RegExp(c.id));
    // c's certificate no longer opens a link to a member.
    const socket = tls.connect({
      host: '127.0.0.1',
      port: b.port,
      key: readFileSync(join(c.home, 'node.key')),
      cert: readFileSync(join(c.home, 'node.crt')),
      ca: readFileSync(join(c.home, 'ca.crt')),
      checkServerIdentity: () => undefined,
    });
    socket.on('error', () => {});
    await new Promise((r) => socket.once('close', r));
    await waitFor(
      'the refusal in b node.log',
      async () => new RegExp(`node ${c.id} is revoked`).test(log(b)),
      5000,
    );
    await assertServing(b, a.id);
  });

  for (const d of [a, b, c]) d.child.kill('SIGTERM');
  await Promise.all([a.exited, b.exited, c.exited]);
});
