// Network benchmarks on loopback, in one process (both ends share the event loop, as both ends of
// the raw baseline do): 64-byte round trips over our TLS link against a raw node:tls ping-pong in
// the same run; one-way 64-byte messages per second; a 64 MiB transfer against raw TLS; and the
// control-lane delay while that transfer runs. Goals (issue 11): RTT ratio <= 1.3, >= 180k msg/s,
// throughput ratio >= 0.8, control p99 <= 10 ms. `-- --json` prints JSON; `-- --transfer-only` runs
// only the two 64 MiB transfers (for profiling the bulk path). Environment BW and HW set
// the bulk flow-control window and the socket high water (bytes) of our links, for tuning.
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { asNodeId, type NodeId } from '../src/net/node-id.js';
import { SeededRandom } from '../src/net/random.js';
import { TlsTransport } from '../src/net/tls-transport.js';
import { AdminClient } from '../src/node/admin-client.js';
import { pakaya, startPakaya } from '../test/cli/pakaya-process.js';
import { makeCa, makeNodeCert, type NodeCreds } from '../test/net/certs.js';
import { pingPong } from './tls-ping.js';

const A = asNodeId(1) as NodeId;
const B = asNodeId(2) as NodeId;
const ROUND_TRIPS = 5000;
const ONE_WAY = 400_000;
const BIG = 64 * 1024 * 1024;

const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? 0;
};

async function ourPair(ca: string, a: NodeCreds, b: NodeCreds): Promise<[TlsTransport, TlsTransport]> {
  const common = {
    clusterId: 'bench',
    ca,
    listen: { host: '127.0.0.1', port: 0 },
    bulkWindow: Number(process.env.BW ?? 1048576),
    socketHighWater: Number(process.env.HW ?? 131072),
  };
  const ta = await TlsTransport.start({ ...common, self: A, ...a, random: new SeededRandom(1) });
  const tb = await TlsTransport.start({ ...common, self: B, ...b, random: new SeededRandom(2) });
  ta.setAddress(B, `127.0.0.1:${tb.port}`);
  ta.connect(B);
  while (ta.linkState(B) !== 'up' || tb.linkState(A) !== 'up') await new Promise((r) => setTimeout(r, 2));
  return [ta, tb];
}

async function rawPair(
  ca: string,
  a: NodeCreds,
  b: NodeCreds,
): Promise<{ client: tls.TLSSocket; server: tls.TLSSocket; close(): void }> {
  const server = tls.createServer({
    key: b.key,
    cert: b.cert,
    ca,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: 'TLSv1.3',
  });
  const accepted = new Promise<tls.TLSSocket>((r) => server.once('secureConnection', r));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  const client = tls.connect({
    host: '127.0.0.1',
    port,
    key: a.key,
    cert: a.cert,
    ca,
    minVersion: 'TLSv1.3',
    checkServerIdentity: () => undefined,
  });
  await new Promise((r) => client.once('secureConnect', r));
  const s = await accepted;
  client.setNoDelay(true);
  s.setNoDelay(true);
  return {
    client,
    server: s,
    close: () => {
      client.destroy();
      s.destroy();
      server.close();
    },
  };
}

async function ourRtt(ta: TlsTransport, tb: TlsTransport): Promise<number[]> {
  const payload = new Uint8Array(64);
  tb.onMessage((peer, lane, type, p) => {
    if (type === 10) tb.send(peer, lane, 11, p);
  });
  const times: number[] = [];
  let resolve: () => void = () => {};
  ta.onMessage((_p, _l, type) => {
    if (type === 11) resolve();
  });
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = performance.now();
    const back = new Promise<void>((r) => {
      resolve = r;
    });
    ta.send(B, 'control', 10, payload);
    await back;
    times.push((performance.now() - t) * 1000);
  }
  return times;
}

async function rawRtt(client: tls.TLSSocket, server: tls.TLSSocket): Promise<number[]> {
  server.on('data', (d: Buffer) => server.write(d));
  const payload = Buffer.alloc(64);
  const times: number[] = [];
  let got = 0;
  let resolve: () => void = () => {};
  client.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= 64) {
      got -= 64;
      resolve();
    }
  });
  for (let i = 0; i < ROUND_TRIPS; i++) {
    const t = performance.now();
    const back = new Promise<void>((r) => {
      resolve = r;
    });
    client.write(payload);
    await back;
    times.push((performance.now() - t) * 1000);
  }
  client.removeAllListeners('data');
  server.removeAllListeners('data');
  return times;
}

async function oneWay(ta: TlsTransport, tb: TlsTransport): Promise<number> {
  let got = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  tb.onMessage((_p, _l, type) => {
    if (type === 20 && ++got === ONE_WAY) done();
  });
  const payload = new Uint8Array(64);
  const t = performance.now();
  let sent = 0;
  while (sent < ONE_WAY) {
    const err = ta.send(B, 'bulk', 20, payload);
    if (err) await ta.whenWritable(B, 'bulk');
    else if (++sent % 2048 === 0) await new Promise((r) => setImmediate(r));
  }
  await finished;
  return ONE_WAY / ((performance.now() - t) / 1000);
}

async function ourBig(ta: TlsTransport, tb: TlsTransport): Promise<{ mbps: number; controlUs: number[] }> {
  const big = new Uint8Array(BIG);
  const controlUs: number[] = [];
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  let bulkDone = false;
  tb.onMessage((_p, lane, type, p) => {
    if (type === 30) {
      bulkDone = true;
      done();
    } else if (type === 31 && lane === 'control') {
      const sentAt = new DataView(p.buffer, p.byteOffset, 8).getFloat64(0);
      controlUs.push((performance.now() - sentAt) * 1000);
    }
  });
  const t = performance.now();
  ta.send(B, 'bulk', 30, big);
  const tick = setInterval(() => {
    if (bulkDone) return;
    const p = new Uint8Array(16);
    new DataView(p.buffer).setFloat64(0, performance.now());
    ta.send(B, 'control', 31, p);
  }, 1);
  await finished;
  clearInterval(tick);
  return { mbps: BIG / 1e6 / ((performance.now() - t) / 1000), controlUs };
}

async function rawBig(client: tls.TLSSocket, server: tls.TLSSocket): Promise<number> {
  let got = 0;
  let done: () => void = () => {};
  const finished = new Promise<void>((r) => {
    done = r;
  });
  server.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= BIG) done();
  });
  const big = new Uint8Array(BIG);
  const t = performance.now();
  for (let off = 0; off < BIG; off += 64 * 1024) {
    if (!client.write(big.subarray(off, off + 64 * 1024))) await new Promise((r) => client.once('drain', r));
  }
  await finished;
  return BIG / 1e6 / ((performance.now() - t) / 1000);
}

const DAEMON_ROUND_TRIPS = 3000;

/** A node:tls echo server in a child process (the two-process raw baseline for the daemons). */
const ECHO_SERVER = `
const tls = require('node:tls');
const s = tls.createServer({ key: process.env.K, cert: process.env.C, ca: process.env.A, requestCert: true,
  rejectUnauthorized: true, minVersion: 'TLSv1.3' }, (c) => { c.setNoDelay(true); c.on('data', (d) => c.write(d)); });
s.listen(0, '127.0.0.1', () => console.log(s.address().port));
process.on('SIGTERM', () => process.exit(0));
`;

/** 64-byte round trips from this process to a raw TLS echo server in another process. */
async function rawTwoProcessRtt(ca: string, a: NodeCreds, b: NodeCreds): Promise<number[]> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['-e', ECHO_SERVER], {
    env: { ...process.env, K: b.key, C: b.cert, A: ca },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  try {
    const port = await new Promise<number>((resolve, reject) => {
      child.stdout.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
      child.once('exit', () => reject(new Error('echo server exited')));
    });
    const client = tls.connect({
      host: '127.0.0.1',
      port,
      key: a.key,
      cert: a.cert,
      ca,
      minVersion: 'TLSv1.3',
      checkServerIdentity: () => undefined,
    });
    await new Promise((r) => client.once('secureConnect', r));
    const times = await pingPong(client, DAEMON_ROUND_TRIPS);
    client.destroy();
    return times;
  } finally {
    child.kill('SIGTERM');
  }
}

/**
 * Two real daemons (`pakaya node start --listen 127.0.0.1:0`, two processes) joined with a token:
 * the 64-byte round trip over their mTLS link, measured by the node itself (POST /v1/net/ping).
 */
async function daemonRtt(): Promise<{ median: number; p99: number }> {
  const root = mkdtempSync(join(tmpdir(), 'pkb-'));
  const listening = /listening 127\.0\.0\.1:(\d+)$/;
  const children: ChildProcess[] = [];
  try {
    const init = await pakaya(['cluster', 'init', '--home', join(root, 'a')]);
    if (init.code !== 0) throw new Error(init.stderr);
    const a = await startPakaya(
      ['node', 'start', '--home', join(root, 'a'), '--memory', '8', '--listen', '127.0.0.1:0'],
      listening,
    );
    children.push(a.child);
    const token = (await pakaya(['cluster', 'token', '--home', join(root, 'a')])).stdout.trim();
    const port = listening.exec(a.line)?.[1];
    const b = await startPakaya(
      [
        'node',
        'start',
        '--home',
        join(root, 'b'),
        '--memory',
        '8',
        '--listen',
        '127.0.0.1:0',
        '--join',
        `127.0.0.1:${port}`,
        '--token',
        token,
      ],
      listening,
    );
    children.push(b.child);
    const bId = b.line.split(' ')[2] as string;
    const client = new AdminClient(join(root, 'a'));
    const deadline = performance.now() + 20_000;
    for (;;) {
      const { nodes } = await client.call<{ nodes: { id: string; link: string }[] }>('GET', '/v1/nodes');
      if (nodes.some((n) => n.id === bId && n.link === 'up')) break;
      if (performance.now() > deadline) throw new Error('the two daemons did not link in 20 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    await client.call('POST', '/v1/net/ping', { node: bId, count: 300, size: 64 }); // warm-up
    const r = await client.call<{ median_us: number; p99_us: number }>('POST', '/v1/net/ping', {
      node: bId,
      count: DAEMON_ROUND_TRIPS,
      size: 64,
    });
    return { median: r.median_us, p99: r.p99_us };
  } finally {
    for (const c of children) c.kill('SIGTERM');
  }
}

async function main(): Promise<void> {
  const json = process.argv.includes('--json');
  const transferOnly = process.argv.includes('--transfer-only');
  const ca = await makeCa('bench-ca');
  const a = await makeNodeCert(ca, A);
  const b = await makeNodeCert(ca, B);

  const raw = await rawPair(ca.cert, a, b);
  const rawTimes = transferOnly ? [0] : await rawRtt(raw.client, raw.server);
  let cpu = process.cpuUsage();
  const rawMbps = await rawBig(raw.client, raw.server);
  const rawCpu = process.cpuUsage(cpu);
  raw.close();

  const daemons = await daemonRtt();
  const raw2 = await rawTwoProcessRtt(ca.cert, a, b);

  const [ta, tb] = await ourPair(ca.cert, a, b);
  const ourTimes = transferOnly ? [0] : await ourRtt(ta, tb);
  const msgsPerSec = transferOnly ? 0 : await oneWay(ta, tb);
  cpu = process.cpuUsage();
  const big = await ourBig(ta, tb);
  const ourCpu = process.cpuUsage(cpu);
  // CPU seconds of this process per transfer (both ends): steadier than wall time on a busy machine.
  const cpuMs = (u: NodeJS.CpuUsage): number => (u.user + u.system) / 1000;
  await Promise.all([ta.close(), tb.close()]);

  const result = {
    rtt_us: {
      ours_median: pct(ourTimes, 50),
      ours_p99: pct(ourTimes, 99),
      raw_median: pct(rawTimes, 50),
      raw_p99: pct(rawTimes, 99),
    },
    rtt_ratio: pct(ourTimes, 50) / pct(rawTimes, 50),
    daemon_rtt_us: {
      median: daemons.median,
      p99: daemons.p99,
      raw_two_process_median: pct(raw2, 50),
      raw_two_process_p99: pct(raw2, 99),
    },
    daemon_rtt_ratio: daemons.median / pct(raw2, 50),
    one_way_msgs_per_sec: msgsPerSec,
    transfer_mb_per_sec: { ours: big.mbps, raw: rawMbps },
    transfer_ratio: big.mbps / rawMbps,
    transfer_cpu_ms: { ours: cpuMs(ourCpu), raw: cpuMs(rawCpu) },
    control_delay_us: {
      p50: pct(big.controlUs, 50),
      p99: pct(big.controlUs, 99),
      samples: big.controlUs.length,
    },
  };
  if (json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const f = (n: number, d = 1): string => n.toFixed(d);
  console.log('\nnet (loopback, one process, TLS 1.3 mutual auth)');
  console.log(
    `  64 B round trip   ours ${f(result.rtt_us.ours_median)} µs median (p99 ${f(result.rtt_us.ours_p99)}), raw TLS ${f(result.rtt_us.raw_median)} µs (p99 ${f(result.rtt_us.raw_p99)})  ratio ${f(result.rtt_ratio, 2)}x (goal <= 1.3)`,
  );
  console.log(
    `  64 B round trip   two daemons (node ping over their mTLS link) ${f(daemons.median)} µs median (p99 ${f(daemons.p99)}), raw TLS between two processes ${f(result.daemon_rtt_us.raw_two_process_median)} µs (p99 ${f(result.daemon_rtt_us.raw_two_process_p99)})  ratio ${f(result.daemon_rtt_ratio, 2)}x (goal <= 1.3)`,
  );
  console.log(`  64 B one-way      ${f(msgsPerSec / 1000)}k msgs/s (goal >= 180k)`);
  console.log(
    `  64 MiB transfer   ours ${f(big.mbps)} MB/s, raw TLS ${f(rawMbps)} MB/s  ratio ${f(result.transfer_ratio, 2)}x (goal >= 0.8)`,
  );
  console.log(
    `  64 MiB transfer   CPU time ours ${f(result.transfer_cpu_ms.ours, 0)} ms, raw TLS ${f(result.transfer_cpu_ms.raw, 0)} ms (both ends)`,
  );
  console.log(
    `  control lane during the transfer: p50 ${f(result.control_delay_us.p50 / 1000, 2)} ms, p99 ${f(result.control_delay_us.p99 / 1000, 2)} ms over ${big.controlUs.length} messages (goal p99 <= 10 ms)`,
  );
}

await main();
