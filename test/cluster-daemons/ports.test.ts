// Remote ports between two real daemons on loopback (mTLS links, the Raft registry): svc_server
// runs on node a and registers the global name svc/echo; svc_client runs on node b, finds it
// through b's name server (the registry's names/ entry) and makes numbered calls across the
// network, checking every answer (order, no loss, no duplicates) and exiting non-zero otherwise.
// The programs enter the daemons as images (`pakaya restore`) built with each node's id, so their
// NPIDs name the node they run on. Every wait has a deadline; after() kills what is still running.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { startServers } from '../../src/servers/boot.js';
import { pakaya, startPakaya } from '../cli/pakaya-process.js';
import { newKernel, program } from '../kernel/helpers.js';

const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;
const root = mkdtempSync(join(tmpdir(), 'pkp-'));
const running = new Set<ChildProcess>();

after(() => {
  for (const child of running) child.kill('SIGKILL');
});

interface Daemon {
  id: string;
  port: number;
  home: string;
  output: () => string;
}

async function start(name: string, extra: string[] = []): Promise<Daemon> {
  const home = join(root, name);
  const s = await startPakaya(
    ['node', 'start', '--home', home, '--memory', '16', '--listen', '127.0.0.1:0', ...extra],
    LISTENING,
  );
  running.add(s.child);
  s.exited.then(() => running.delete(s.child));
  let text = '';
  s.child.stdout!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const m = LISTENING.exec(s.line) as RegExpExecArray;
  return { id: m[1] as string, port: Number(m[2]), home, output: () => text };
}

async function waitFor(
  what: string,
  check: () => Promise<boolean> | boolean,
  ms = 30_000,
  detail = () => '',
): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what} ${detail()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** An image of `argv` as a process born on node `nodeHex` (not yet run), in a file. */
function imageFile(nodeHex: string, argv: string[]): string {
  const { kernel, host } = newKernel(16, Number.parseInt(nodeHex, 16));
  kernel.afterEachStep = undefined;
  // Local ids far above the daemon's own (its servers and counter start low): no NPID clash.
  for (let i = 0; i < 100_000; i++) host.pids.next();
  startServers(kernel); // the image names the bootstrap servers: the daemon's take their place
  const p = kernel.spawn({ file: program(argv[0]!), argv, envp: [] });
  const path = join(root, `${argv[0]}-${nodeHex}.img`);
  writeFileSync(path, kernel.checkpointGroup(p.pid));
  return path;
}

test('two daemons: svc_client on b calls svc_server on a by its global name', async () => {
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

  const server = await pakaya([
    'restore',
    '--home',
    a.home,
    imageFile(a.id, ['svc_server', 'svc/echo', '1']),
  ]);
  assert.equal(server.code, 0, server.stderr);
  await waitFor(
    'the server ready',
    () => a.output().includes('svc_server: svc/echo ready'),
    30_000,
    a.output,
  );
  const client = await pakaya([
    'restore',
    '--home',
    b.home,
    imageFile(b.id, ['svc_client', 'svc/echo', '0', '200']),
  ]);
  assert.equal(client.code, 0, client.stderr);
  await waitFor(
    'the client done',
    () => /svc_client 0: \d+ calls ok|svc_client 0: .*(failed|answered|lookup)/.test(b.output()),
    60_000,
  );
  assert.match(b.output(), /svc_client 0: 200 calls ok/);
  await waitFor('the server done', () => a.output().includes('svc_server: 201 calls from 1 clients ok'));
});
