// `npm run bench:ports`: the remote call round trip between processes on two real daemons (mTLS
// links on loopback) against a local call between two processes on one daemon and against the
// daemons' own 64-byte round trip over the same link (`pakaya net ping`, which net-bench compares
// with raw node:tls ping-pong). svc_client times its calls itself with the host clock
// (CLOCK_REALTIME); the programs enter the daemons as images built with each node's id.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServers } from '../src/servers/boot.js';
import { pakaya, startPakaya } from '../test/cli/pakaya-process.js';
import { newKernel, program } from '../test/kernel/helpers.js';

const CALLS = 3000;
const PINGS = 1000;
const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;
const root = mkdtempSync(join(tmpdir(), 'pkports-'));
const children: ChildProcess[] = [];

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
  children.push(s.child);
  let text = '';
  s.child.stdout?.on('data', (c: Buffer) => {
    text += c.toString();
  });
  const m = LISTENING.exec(s.line) as RegExpExecArray;
  return { id: m[1] as string, port: Number(m[2]), home, output: () => text };
}

let nextLocal = 100_000;

function imageFile(nodeHex: string, argv: string[]): string {
  const { kernel, host } = newKernel(16, Number.parseInt(nodeHex, 16));
  kernel.afterEachStep = undefined;
  for (let i = 0; i < nextLocal; i++) host.pids.next();
  nextLocal += 1000;
  startServers(kernel);
  const p = kernel.spawn({ file: program(argv[0]!), argv, envp: [] });
  const path = join(root, `${argv.join('_').replaceAll('/', '-')}-${nodeHex}.img`);
  writeFileSync(path, kernel.checkpointGroup(p.pid));
  return path;
}

async function waitFor(check: () => boolean | Promise<boolean>, what: string, ms = 120_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function restore(d: Daemon, path: string): Promise<void> {
  const r = await pakaya(['restore', '--home', d.home, path]);
  if (r.code !== 0) throw new Error(r.stderr);
}

/** Runs svc_server `name` on `server` and a timed svc_client on `client`: µs per call. */
async function callRtt(server: Daemon, client: Daemon, name: string, id: number): Promise<number> {
  await restore(server, imageFile(server.id, ['svc_server', name, '1']));
  await waitFor(() => server.output().includes(`svc_server: ${name} ready`), `${name} ready`);
  await restore(client, imageFile(client.id, ['svc_client', name, String(id), String(CALLS), 'timed']));
  const done = new RegExp(`svc_client ${id}: (\\d+) ns per call`);
  await waitFor(() => done.test(client.output()) || client.output().includes(`svc_client ${id}: call`), name);
  const m = done.exec(client.output());
  if (m === null) throw new Error(`svc_client ${id} failed:\n${client.output()}`);
  return Number(m[1]) / 1000;
}

async function main(): Promise<void> {
  const init = await pakaya(['cluster', 'init', '--home', join(root, 'a')]);
  if (init.code !== 0) throw new Error(init.stderr);
  const a = await start('a');
  const token = (await pakaya(['cluster', 'token', '--home', a.home])).stdout.trim();
  const b = await start('b', ['--join', `127.0.0.1:${a.port}`, '--token', token]);
  await waitFor(async () => {
    const r = await pakaya(['cluster', 'status', '--home', b.home, '--json']);
    return r.code === 0 && r.stdout.includes(a.id);
  }, 'b in the cluster');
  // Warm up the link and both JITs, then measure.
  await callRtt(a, b, 'svc/warm', 9);
  const remote = await callRtt(a, b, 'svc/remote', 1);
  const local = await callRtt(a, a, 'svc/local', 2);
  const ping = await pakaya(['net', 'ping', a.id, '--home', b.home, '--count', String(PINGS), '--json']);
  if (ping.code !== 0) throw new Error(ping.stderr);
  const p = JSON.parse(ping.stdout) as Record<string, unknown>;
  const linkUs = Number(p.median_us ?? p.avg_us ?? p.rtt_us ?? Number.NaN);
  const result = {
    calls: CALLS,
    remote_call_us: remote,
    local_call_us: local,
    link_rtt_us: linkUs,
    remote_vs_link: remote / linkUs,
    ping: p,
  };
  console.log(JSON.stringify(result));
  const f = (x: number, d = 1) => x.toFixed(d);
  console.log(
    `remote ports: call round trip between processes on two daemons ${f(remote)} µs, local call ${f(local)} µs, ` +
      `the daemons' link round trip (net ping) ${f(linkUs)} µs: remote call / link ${f(remote / linkUs, 2)}x (goal <= 1.5x raw TLS)`,
  );
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => {
    for (const c of children) c.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });
