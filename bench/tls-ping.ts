// The reference the network benchmarks divide by: 64-byte round trips over one TLS connection to an
// echo server, timed one by one after a warm-up that is not kept.
import type * as tls from 'node:tls';

/** Round trips run first and not timed (connection and JIT warm-up). */
const WARMUP = 300;
const PAYLOAD_BYTES = 64;

/** `count` timed 64-byte round trips on `client` (the echo server sends every byte back); µs each. */
export async function pingPong(client: tls.TLSSocket, count: number): Promise<number[]> {
  client.setNoDelay(true);
  const payload = Buffer.alloc(PAYLOAD_BYTES);
  const times: number[] = [];
  let got = 0;
  let resolve: () => void = () => {};
  client.on('data', (d: Buffer) => {
    got += d.length;
    if (got >= PAYLOAD_BYTES) {
      got -= PAYLOAD_BYTES;
      resolve();
    }
  });
  for (let i = 0; i < count + WARMUP; i++) {
    const t = performance.now();
    const back = new Promise<void>((r) => {
      resolve = r;
    });
    client.write(payload);
    await back;
    if (i >= WARMUP) times.push((performance.now() - t) * 1000);
  }
  return times;
}
