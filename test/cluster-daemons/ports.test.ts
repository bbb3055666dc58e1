// Remote ports between two real daemons on loopback (mTLS links, the Raft registry): `pakaya spawn`
// starts svc_server on node a, which registers the global name svc/echo, and svc_client on node b,
// which finds it through b's name server (the registry's names/ entry), makes numbered calls across
// the network checking every answer (order, no loss, no duplicates; non-zero exit otherwise), then
// watches the server's port (a monitor) and waits until the server's end reaches it (procs records
// the exit in npids/). Every wait has a deadline; after() kills what is still running.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { pakaya, ROOT } from '../cli/pakaya-process.js';
import { type Daemon, DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const daemons = new DaemonSet('pkp-');
const root = daemons.root;
const start = (name: string, extra: string[] = []): Promise<Daemon> =>
  daemons.start(name, { memory: 16, extra });

async function spawn(home: string, args: string[]): Promise<string> {
  const r = await pakaya(['spawn', '--home', home, ...args]);
  assert.equal(r.code, 0, r.stderr);
  const npid = r.stdout.trim().split('\n').pop() as string;
  assert.match(npid, /^[0-9a-f]{8}:\d+$/);
  return npid;
}

test('two daemons: svc_client on b calls svc_server on a by its global name, then monitors it', async () => {
  const init = await pakaya(['cluster', 'init', '--home', join(root, 'a')]);
  assert.equal(init.code, 0, init.stderr);
  const a = await start('a');
  const tok = await pakaya(['cluster', 'token', '--home', a.home, '--ttl', '10m']);
  assert.equal(tok.code, 0, tok.stderr);
  const b = await start('b', ['--join', `127.0.0.1:${a.port}`, '--token', tok.stdout.trim()]);
  await waitFor('b in the registry', async () => {
    const r = await pakaya(['cluster', 'status', '--home', b.home, '--json']);
    return r.code === 0 && r.stdout.includes(a.id);
  });
  const elf = (name: string) => join(ROOT, 'user/bin', `${name}.elf`);
  const server = await spawn(b.home, ['--node', a.id, elf('svc_server'), 'svc/echo', '1']);
  assert.ok(server.startsWith(a.id), `the server runs on a: ${server}`);
  const client = await spawn(b.home, ['--node', b.id, elf('svc_client'), 'svc/echo', '0', '200', 'monitor']);
  assert.ok(client.startsWith(b.id), `the client runs on b: ${client}`);
  const [cw, sw] = await Promise.all([
    pakaya(['wait', '--home', a.home, client]),
    pakaya(['wait', '--home', b.home, server]),
  ]);
  const clientLog = await pakaya(['logs', '--home', a.home, client]);
  const serverLog = await pakaya(['logs', '--home', b.home, server]);
  assert.equal(cw.code, 0, `client: ${clientLog.stdout}${cw.stderr}`);
  assert.equal(sw.code, 0, `server: ${serverLog.stdout}${sw.stderr}`);
  assert.match(clientLog.stdout, /svc_client 0: 200 calls ok/);
  assert.match(clientLog.stdout, /svc_client 0: server gone/);
  assert.match(serverLog.stdout, /svc_server: 201 calls from 1 clients ok/);
});
