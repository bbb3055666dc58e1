// The mTLS admin listener and the ACLs (issue 15 §6) with two real daemons on loopback: the CA node
// serves --admin-listen; a client without a certificate, with a certificate of another cluster's CA,
// with a certificate that is not for a client, a client the ACLs do not know and a client lacking
// the right are refused; an authorised one is served (also through a forward to the other node, and
// through $PAKAYA_ADMIN/$PAKAYA_CREDENTIAL); a credential revoked in the registry is refused; and a
// node whose ACL lost a right has its node-to-node request refused. Ports are OS-chosen, every wait
// has a deadline, after() kills what is running.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import * as https from 'node:https';
import { join } from 'node:path';
import { test } from 'node:test';
import { pakaya, ROOT } from '../cli/pakaya-process.js';
import { DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const LISTENING =
  /^pakaya node ([0-9a-f]{8}) \(.*\) serving .*?(?: and https:\/\/127\.0\.0\.1:(\d+))? listening 127\.0\.0\.1:(\d+)$/;

interface Daemon {
  id: string;
  port: number;
  admin: number;
  home: string;
  child: ChildProcess;
}

const daemons = new DaemonSet('pka-');
const root = daemons.root;

async function start(name: string, extra: string[] = []): Promise<Daemon> {
  const d = await daemons.start(name, { memory: 8, extra, listening: LISTENING });
  return { id: d.id, admin: Number(d.match[2] ?? 0), port: d.port, home: d.home, child: d.child };
}

interface Reply {
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}

/** One HTTPS request on the admin listener with the given TLS client material (or none). */
function call(
  port: number,
  method: 'GET' | 'POST',
  path: string,
  tls: { key?: string; cert?: string; ca?: string } = {},
  body?: unknown,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        ...tls,
        headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
        rejectUnauthorized: false,
        timeout: 5000,
      },
      (res) => {
        let text = '';
        res.on('data', (c) => {
          text += c;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(text) }));
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const files = (dir: string, name: string) => ({
  key: readFileSync(join(dir, `${name}.key`), 'utf8'),
  cert: readFileSync(join(dir, `${name}.crt`), 'utf8'),
});

test('the mTLS admin listener checks the certificate and the ACLs; node requests need the right', async (t) => {
  assert.equal((await pakaya(['cluster', 'init', '--home', join(root, 'n0')])).code, 0);
  const ca = await start('n0', ['--admin-listen', '127.0.0.1:0']);
  assert.ok(ca.admin > 0, 'the serving line names the admin listener');
  const token = (await pakaya(['cluster', 'token', '--home', ca.home])).stdout.trim();
  const other = await start('n1', ['--join', `127.0.0.1:${ca.port}`, '--token', token]);
  const creds = join(root, 'creds');
  for (const name of ['bob', 'carol']) {
    const r = await pakaya(['cluster', 'credential', name, '--home', ca.home, '--out', creds]);
    assert.equal(r.code, 0, r.stderr);
  }
  const bob = join(creds, 'client-bob.crt');
  const admin = ['--admin', `127.0.0.1:${ca.admin}`];
  const asBob = (args: string[]) => pakaya([...args, ...admin, '--credential', bob]);
  const bobTls = files(creds, 'client-bob');
  await waitFor('both nodes in the registry', async () => {
    const r = await pakaya(['cluster', 'status', '--home', ca.home, '--json']);
    if (r.code !== 0) return false;
    const s = JSON.parse(r.stdout) as { voters: string[]; learners: string[] };
    return [...s.voters, ...s.learners].includes(other.id);
  });

  await t.test('unauthenticated clients get 401', async () => {
    const none = await call(ca.admin, 'GET', '/v1/node');
    assert.equal(none.status, 401);
    assert.match(none.body.error?.message ?? '', /no client certificate/);
    // A credential of another cluster: signed by another CA.
    assert.equal((await pakaya(['cluster', 'init', '--home', join(root, 'elsewhere')])).code, 0);
    const foreign = join(root, 'foreign');
    const made = await pakaya([
      'cluster',
      'credential',
      'bob',
      '--home',
      join(root, 'elsewhere'),
      '--out',
      foreign,
    ]);
    assert.equal(made.code, 0, made.stderr);
    const wrongCa = await call(ca.admin, 'GET', '/v1/node', files(foreign, 'client-bob'));
    assert.equal(wrongCa.status, 401);
    assert.match(wrongCa.body.error?.message ?? '', /not from this cluster's CA/);
    // The CLI with that credential does not trust the node either (it shows another CA).
    const cli = await pakaya(['ps', ...admin, '--credential', foreign]);
    assert.equal(cli.code, 1);
    assert.match(cli.stderr, /shows no certificate of the credential's cluster CA/);
  });

  await t.test('a client the ACLs do not know, or without the right, gets 403', async () => {
    const unknown = await asBob(['ps']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /client:bob does not hold the metrics right/);
    const grant = await pakaya(['cluster', 'acl', 'grant', 'client:bob', 'metrics', '--home', ca.home]);
    assert.equal(grant.code, 0, grant.stderr);
    await waitFor(
      'the grant to take effect',
      async () => (await call(ca.admin, 'GET', '/v1/processes', bobTls)).status === 200,
    );
    const ps = await asBob(['ps', '--json']);
    assert.equal(ps.code, 0, ps.stderr);
    assert.ok(Array.isArray(JSON.parse(ps.stdout)));
    // spawn over the listener too (the CLI's options go before the program: the rest are its args).
    const spawn = await pakaya(['spawn', ...admin, '--credential', bob, join(ROOT, 'user/bin/true.elf')]);
    assert.equal(spawn.code, 1);
    assert.match(spawn.stderr, /client:bob does not hold the spawn right/);
    const kill = await call(ca.admin, 'POST', '/v1/processes/1/kill', bobTls, { signal: 15 });
    assert.equal(kill.status, 403);
    assert.match(kill.body.error?.message ?? '', /client:bob does not hold the kill right/);
    const acl = await call(ca.admin, 'POST', '/v1/cluster/acl', bobTls, {
      principal: 'client:bob',
      right: 'kill',
      grant: true,
    });
    assert.equal(acl.status, 403);
    assert.match(acl.body.error?.message ?? '', /does not hold the acl-admin right/);
    // An unknown path needs acl-admin (fail closed), so it reveals nothing either.
    assert.equal((await call(ca.admin, 'GET', '/v1/nothing', bobTls)).status, 403);
    // A forward through the listener needs the right of the request it carries.
    const forward = (method: string, path: string, body?: string) =>
      call(ca.admin, 'POST', '/v1/forward', bobTls, {
        node: other.id,
        method,
        path,
        ...(body ? { body } : {}),
      });
    const forwarded = await forward('GET', '/v1/processes');
    assert.equal(forwarded.status, 200, JSON.stringify(forwarded.body));
    assert.ok(Array.isArray(forwarded.body.processes));
    const forwardedKill = await forward('POST', '/v1/processes/1/kill', '{"signal":15}');
    assert.equal(forwardedKill.status, 403);
    assert.match(forwardedKill.body.error?.message ?? '', /does not hold the kill right/);
    // The environment names the listener and the credential too; a directory must hold one.
    const env = { ...process.env, PAKAYA_ADMIN: `127.0.0.1:${ca.admin}`, PAKAYA_CREDENTIAL: creds };
    const ambiguous = await pakaya(['nodes', '--json'], env);
    assert.equal(ambiguous.code, 1);
    assert.match(ambiguous.stderr, /holds 2 client-\*\.crt files/);
    const viaEnv = await pakaya(['ps', '--json', '--node', other.id], { ...env, PAKAYA_CREDENTIAL: bob });
    assert.equal(viaEnv.code, 0, viaEnv.stderr);
    assert.ok(Array.isArray(JSON.parse(viaEnv.stdout)));
    const carol = await call(ca.admin, 'GET', '/v1/node', files(creds, 'client-carol'));
    assert.equal(carol.status, 403);
    assert.match(carol.body.error?.message ?? '', /client:carol does not hold the metrics right/);
    // A node certificate is a principal too (node:<id>, with the default node rights).
    const nodeCert = await call(ca.admin, 'GET', '/v1/node', files(other.home, 'node'));
    assert.equal(nodeCert.status, 200);
  });

  await t.test('a credential revoked in the registry is refused', async () => {
    const r = await pakaya(['cluster', 'revoke', '--cert', bob, '--home', ca.home]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^revoked certificate [0-9a-f]{64}$/m);
    await waitFor('the revocation to take effect', async () => {
      const x = await call(ca.admin, 'GET', '/v1/processes', bobTls);
      return x.status === 403 && /credential of client:bob is revoked/.test(x.body.error?.message ?? '');
    });
    const both = await pakaya(['cluster', 'revoke', other.id, '--cert', bob, '--home', ca.home]);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /a node id or --cert FILE/);
  });

  await t.test('a node-to-node request from a node without the right is refused', async () => {
    const ps = () => pakaya(['ps', '--home', other.home, '--node', ca.id]);
    await waitFor('a forwarded ps with the default node ACL', async () => (await ps()).code === 0);
    const r = await pakaya(['cluster', 'acl', 'revoke', `node:${other.id}`, 'metrics', '--home', ca.home]);
    assert.equal(r.code, 0, r.stderr);
    await waitFor('the revoke to reach the CA node', async () => {
      const x = await ps();
      return x.code === 1 && /not a registered member holding the metrics right/.test(x.stderr);
    });
  });

  for (const d of [ca, other]) d.child.kill('SIGTERM');
});
