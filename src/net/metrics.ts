// Plain counters of the network stack (no prom-client here: the node layer registers these with
// its own registry). Process-wide error counts plus a per-link stats record and an RTT histogram.
import type { NetErrorKind } from './error-kind.js';

export interface NetCounters {
  errors: Record<NetErrorKind, number>;
  /** Datagrams dropped by the UDP transport, by reason. */
  datagramsDropped: { forged: number; replayed: number; malformed: number; oversize: number };
}

export const netCounters: NetCounters = {
  errors: { timeout: 0, refused: 0, reset: 0, protocol: 0, auth: 0, overload: 0, unreachable: 0 },
  datagramsDropped: { forged: 0, replayed: 0, malformed: 0, oversize: 0 },
};

/** Upper bounds (microseconds) of the RTT histogram buckets; the last bucket is +Inf. */
export const RTT_BUCKETS_US = [50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000, 100000, 1000000];

export class Histogram {
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum = 0;
  count = 0;
  constructor(bounds: readonly number[]) {
    this.bounds = bounds;
    this.counts = new Array<number>(bounds.length + 1).fill(0);
  }
  observe(v: number): void {
    let i = 0;
    while (i < this.bounds.length && v > (this.bounds[i] as number)) i++;
    this.counts[i] = (this.counts[i] as number) + 1;
    this.sum += v;
    this.count++;
  }
}

/** What a link has done; read by the node for `pakaya nodes` and metrics. */
export class LinkStats {
  bytesIn = 0;
  bytesOut = 0;
  framesIn = 0;
  framesOut = 0;
  reconnects = 0;
  /** Last measured round trip (µs), 0 if none yet. */
  rttUs = 0;
  readonly rtt = new Histogram(RTT_BUCKETS_US);
  readonly errors: Record<NetErrorKind, number> = {
    timeout: 0,
    refused: 0,
    reset: 0,
    protocol: 0,
    auth: 0,
    overload: 0,
    unreachable: 0,
  };
}
