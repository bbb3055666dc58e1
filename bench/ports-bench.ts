// `npm run bench:ports` (issue 13, Measured): the remote call round trip between processes on two
// real daemons (mTLS links on loopback) against a local call between two processes on one daemon,
// against the daemons' own 64-byte round trip over the same link (`pakaya net ping`), and against
// a raw node:tls 64-byte ping-pong between two processes (goal: remote call <= 1.5x raw TLS).
// svc_client times its calls itself with the host clock (CLOCK_REALTIME); the programs enter the
// daemons as images built with each node's id; the CPU each daemon spends per remote call comes
// from /proc. `-- --json` prints only the JSON line; PORTS_BENCH_PROF=DIR writes the daemons'
// --cpu-prof profiles to DIR.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { asNodeId, type NodeId } from '../src/net/node-id.js';
import { startServers } from '../src/servers/boot.js';
import { pakaya, startPakaya } from '../test/cli/pakaya-process.js';
import { newKernel, program } from '../test/kernel/helpers.js';
import { makeCa, makeNodeCert } from '../test/net/certs.js';
import { pingPong } from './tls-ping.js';

const CALLS = 3000;
const PINGS = 1000;
const LISTENING = /^pakaya node ([0-9a-f]{8}) \(.*\) serving .* listening 127\.0\.0\.1:(\d+)$/;
const root = mkdtempSync(join(tmpdir(), 'pkports-'));
const children: ChildProcess[] = [];
/** PORTS_BENCH_PROF=DIR: the daemons run under --cpu-prof and write their profiles to DIR. */
const PROFILE = process.env.PORTS_BENCH_PROF;

interface Daemon {
  id: string;
  pid: number;
  port: number;
  home: string;
  output: () => string;
  /** When (performance.now()) the daemon printed a line ending with `line`, if it did. */
  lineAt: (line: string) => number | undefined;
}

async function start(name: string, extra: string[] = []): Promise<Daemon> {
  const home = join(root, name);
  const s = await startPakaya(
    ['node', 'start', '--home', home, '--memory', '16', '--listen', '127.0.0.1:0', ...extra],
    LISTENING,
    process.env,
    PROFILE === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${PROFILE}`],
  );
  children.push(s.child);
  let text = '';
  const lines = new Map<string, number>();
  s.child.stdout?.on('data', (c: Buffer) => {
    const at = performance.now();
    const start = text.lastIndexOf('\n') + 1;
    text += c.toString();
    for (const line of text.slice(start).split('\n').slice(0, -1)) lines.set(line.trim(), at);
  });
  const m = LISTENING.exec(s.line) as RegExpExecArray;
  return {
    id: m[1] as string,
    pid: s.child.pid ?? 0,
    port: Number(m[2]),
    home,
    output: () => text,
    lineAt: (l) => lines.get(l),
  };
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

interface Rtt {
  /** µs per call on the host clock (the bench times the client's "calling" and result lines). */
  wall: number;
  /** µs per call by the client's own clock (the node's guest clock). */
  guest: number;
}

/** Runs svc_server `name` on `server` and a timed svc_client on `client`: µs per call. */
async function callRtt(server: Daemon, client: Daemon, name: string, id: number): Promise<Rtt> {
  await restore(server, imageFile(server.id, ['svc_server', name, '1']));
  await waitFor(() => server.output().includes(`svc_server: ${name} ready`), `${name} ready`);
  await restore(client, imageFile(client.id, ['svc_client', name, String(id), String(CALLS), 'timed']));
  const done = new RegExp(`svc_client ${id}: (\\d+) ns per call`);
  await waitFor(
    () =>
      done.test(client.output()) ||
      new RegExp(`svc_client ${id}: (call \\d|send \\d|lookup)`).test(client.output()),
    name,
  );
  const m = done.exec(client.output());
  if (m === null) throw new Error(`svc_client ${id} failed:\n${client.output()}`);
  const from = lineFrom(client, `svc_client ${id}: calling`);
  const to = lineFrom(client, m[0]);
  return { wall: ((to - from) * 1000) / CALLS, guest: Number(m[1]) / 1000 };
}

/** The CPU time (µs, user + system) process `d` has used so far; NaN off Linux. */
function cpuUs(d: Daemon): number {
  try {
    const stat = readFileSync(`/proc/${d.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Fields 14 and 15 of stat (utime, stime) in clock ticks of 10 ms.
    return (Number(fields[11]) + Number(fields[12])) * 10_000;
  } catch {
    return Number.NaN;
  }
}

/** When the daemon printed `text` as (the end of) a line; the guest's lines carry a prefix. */
function lineFrom(d: Daemon, text: string): number {
  for (const line of d.output().split('\n')) {
    if (!line.trim().endsWith(text)) continue;
    const at = d.lineAt(line.trim());
    if (at !== undefined) return at;
  }
  throw new Error(`no line ${JSON.stringify(text)} in:\n${d.output()}`);
}

/** A node:tls echo server in a child process (the raw baseline, two processes as the daemons are). */
const ECHO_SERVER = `
const tls = require('node:tls');
const s = tls.createServer({ key: process.env.K, cert: process.env.C, ca: process.env.A, requestCert: true,
  rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

const median = (xs: number[]): number =>
  [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** Median µs of 64-byte round trips from this process to a raw mTLS echo server in another. */
async function rawTlsRtt(): Promise<number> {
  const ca = await makeCa('ports-bench-ca');
  const a = await makeNodeCert(ca, asNodeId(1) as NodeId);
  const b = await makeNodeCert(ca, asNodeId(2) as NodeId);
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], {
    env: { ...process.env, K: b.key, C: b.cert, A: ca.cert },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  children.push(child);
  const port = await new Promise<number>((resolve, reject) => {
    child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    child.once('exit', () => reject(new Error('echo server exited')));
  });
  const client = tls.connect({
    host: '127.0.0.1',
    port,
    key: a.key,
    cert: a.cert,
    ca: ca.cert,
    minVersion: 'TLSv1.3',
    checkServerIdentity: () => undefined,
  });
  await new Promise((r) => client.once('secureConnect', r));
  const times = await pingPong(client, PINGS);
  client.destroy();
  child.kill('SIGTERM');
  return median(times);
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
  const cpu0 = [cpuUs(a), cpuUs(b)];
  const remote = await callRtt(a, b, 'svc/remote', 1);
  const cpu1 = [cpuUs(a), cpuUs(b)];
  const local = await callRtt(a, a, 'svc/local', 2);
  const ping = await pakaya(['net', 'ping', a.id, '--home', b.home, '--count', String(PINGS), '--json']);
  if (ping.code !== 0) throw new Error(ping.stderr);
  const p = JSON.parse(ping.stdout) as Record<string, unknown>;
  const linkUs = Number(p.median_us);
  const rawUs = await rawTlsRtt();
  const result = {
    calls: CALLS,
    remote_call_us: remote.wall,
    remote_call_guest_clock_us: remote.guest,
    local_call_us: local.wall,
    local_call_guest_clock_us: local.guest,
    link_rtt_us: linkUs,
    raw_tls_rtt_us: rawUs,
    remote_vs_raw_tls: remote.wall / rawUs,
    remote_vs_link: remote.wall / linkUs,
    // CPU (user + system) each daemon spent per remote call, setup and lookup included (Linux).
    remote_server_cpu_us: ((cpu1[0] ?? 0) - (cpu0[0] ?? 0)) / CALLS,
    remote_client_cpu_us: ((cpu1[1] ?? 0) - (cpu0[1] ?? 0)) / CALLS,
  };
  console.log(JSON.stringify(result));
  if (process.argv.includes('--json')) return;
  const f = (x: number, d = 1) => x.toFixed(d);
  console.log(
    '\nremote ports (two daemons on loopback, mTLS; round trips: calls mean on the host clock, pings median)',
  );
  console.log(`  call between processes on two nodes    ${f(remote.wall)} µs`);
  console.log(`  call between processes on one node     ${f(local.wall)} µs (local IPC)`);
  console.log(`  the daemons' link ping (64 B)          ${f(linkUs)} µs`);
  console.log(`  raw node:tls ping-pong (64 B, 2 procs) ${f(rawUs)} µs`);
  console.log(
    `  daemon CPU per remote call: server ${f(result.remote_server_cpu_us)} µs, client ${f(result.remote_client_cpu_us)} µs`,
  );
  console.log(
    `  remote call / raw TLS ${f(result.remote_vs_raw_tls, 2)}x (goal <= 1.5x); remote call / link ping ${f(result.remote_vs_link, 2)}x`,
  );
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (PROFILE !== undefined) {
      // A profile is written at a clean exit only.
      await Promise.all(
        children.map(
          (c) =>
            new Promise((r) => {
              if (c.exitCode !== null || c.signalCode !== null) return r(0);
              c.once('exit', r);
              c.kill('SIGTERM');
            }),
        ),
      );
    }
    for (const c of children) c.kill('SIGKILL');
    rmSync(root, { recursive: true, force: true });
  });
