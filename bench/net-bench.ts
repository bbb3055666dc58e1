// Network benchmarks on loopback, in one process (both ends share the event loop, as both ends of
// the raw baseline do): 64-byte round trips over our TLS link against a raw node:tls ping-pong in
// the same run; one-way 64-byte messages per second; a 64 MiB transfer against raw TLS; and the
// control-lane delay while that transfer runs. Goals (issue 11): RTT ratio <= 1.3, >= 180k msg/s,
// throughput ratio >= 0.8, control p99 <= 10 ms. `-- --json` prints JSON; `-- --transfer-only` runs
// only the two 64 MiB transfers (for profiling the bulk path). Environment BW and HW set
// the bulk flow-control window and the socket high water (bytes) of our links, for tuning.
import * as tls from 'node:tls';
import { asNodeId, type NodeId } from '../src/net/node-id.js';
import { SeededRandom } from '../src/net/random.js';
import { TlsTransport } from '../src/net/tls-transport.js';
import { makeCa, makeNodeCert, type NodeCreds } from '../test/net/certs.js';

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
