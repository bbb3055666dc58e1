// The network side of the node's Prometheus metrics (registered by NodeMetrics when the node runs
// with --listen): per link bytes, frames, errors by kind, queue depths, reconnects and an RTT
// histogram; node-wide queued bytes, buffer pool and datagram counters. The transports keep plain
// counters (src/net/metrics.ts); at scrape time counters advance by what those totals moved.
import type { Registry } from 'prom-client';
import { netCounters, RTT_BUCKETS_US } from '../net/metrics.js';
import { formatNodeId } from '../net/node-id.js';
import type { ClusterNet } from './cluster-net.js';

type PromClient = typeof import('prom-client');

/** Registers the network metrics; `source` gives the node's network side (undefined: none yet). */
export function registerNetMetrics(
  prom: PromClient,
  registry: Registry,
  source: () => ClusterNet | undefined,
): void {
  const registers = [registry];
  const seen = new Map<string, number>();
  /** Advances a counter by what `value` moved since the last scrape under `key`. */
  const advance = (key: string, value: number, inc: (delta: number) => void): void => {
    const delta = value - (seen.get(key) ?? 0);
    if (delta > 0) inc(delta);
    seen.set(key, Math.max(value, seen.get(key) ?? 0));
  };
  const perLink = (
    name: string,
    help: string,
    read: (s: NonNullable<ReturnType<ClusterNet['linkStats']>>) => number,
  ): void => {
    const counter = new prom.Counter({
      name,
      help,
      labelNames: ['peer'],
      registers,
      collect() {
        const net = source();
        if (!net) return;
        for (const peer of net.linkPeers()) {
          const s = net.linkStats(peer);
          if (!s) continue;
          const label = formatNodeId(peer);
          advance(`${name} ${label}`, read(s), (d) => counter.inc({ peer: label }, d));
        }
      },
    });
  };
  perLink('pakaya_link_bytes_in_total', 'Bytes received on the link to a peer', (s) => s.bytesIn);
  perLink('pakaya_link_bytes_out_total', 'Bytes sent on the link to a peer', (s) => s.bytesOut);
  perLink('pakaya_link_frames_in_total', 'Frames received on the link to a peer', (s) => s.framesIn);
  perLink('pakaya_link_frames_out_total', 'Frames sent on the link to a peer', (s) => s.framesOut);
  perLink('pakaya_link_reconnects_total', 'Reconnections of the link to a peer', (s) => s.reconnects);
  const linkErrors = new prom.Counter({
    name: 'pakaya_link_errors_total',
    help: 'Errors on the link to a peer, by kind',
    labelNames: ['peer', 'kind'],
    registers,
    collect() {
      const net = source();
      if (!net) return;
      for (const peer of net.linkPeers()) {
        const s = net.linkStats(peer);
        if (!s) continue;
        const label = formatNodeId(peer);
        for (const [kind, n] of Object.entries(s.errors))
          advance(`err ${label} ${kind}`, n, (d) => linkErrors.inc({ peer: label, kind }, d));
      }
    },
  });
  const netErrors = new prom.Counter({
    name: 'pakaya_net_errors_total',
    help: 'Network errors on this node, by kind (all links and refused connections)',
    labelNames: ['kind'],
    registers,
    collect() {
      for (const [kind, n] of Object.entries(netCounters.errors))
        advance(`neterr ${kind}`, n, (d) => netErrors.inc({ kind }, d));
    },
  });
  const dropped = new prom.Counter({
    name: 'pakaya_datagrams_dropped_total',
    help: 'Datagrams dropped, by reason (forged, replayed, malformed, oversize)',
    labelNames: ['reason'],
    registers,
    collect() {
      for (const [reason, n] of Object.entries(netCounters.datagramsDropped))
        advance(`drop ${reason}`, n, (d) => dropped.inc({ reason }, d));
    },
  });
  new prom.Gauge({
    name: 'pakaya_link_queue_bytes',
    help: 'Bytes queued on the link to a peer, by lane (control, bulk) and in the socket',
    labelNames: ['peer', 'queue'],
    registers,
    collect() {
      this.reset();
      const net = source();
      if (!net) return;
      for (const peer of net.linkPeers()) {
        const q = net.queueDepth(peer);
        const label = formatNodeId(peer);
        this.set({ peer: label, queue: 'control' }, q.control);
        this.set({ peer: label, queue: 'bulk' }, q.bulk);
        this.set({ peer: label, queue: 'socket' }, q.socket);
      }
    },
  });
  new prom.Gauge({
    name: 'pakaya_net_buffer_bytes',
    help: 'Bytes queued on all links together (queued), its limit and high water, and pool buffers allocated',
    labelNames: ['what'],
    registers,
    collect() {
      const net = source();
      if (!net) return;
      const s = net.bufferStats();
      this.set({ what: 'queued' }, s.queuedBytes);
      this.set({ what: 'high_water' }, s.queuedHighWater);
      this.set({ what: 'limit' }, s.queueLimit);
      this.set({ what: 'pool_allocated' }, s.poolAllocated);
    },
  });
  const rtt = new prom.Histogram({
    name: 'pakaya_link_rtt_microseconds',
    help: 'Round trips on node links (keepalive and net ping), microseconds; observations at bucket bounds',
    labelNames: ['peer'],
    buckets: RTT_BUCKETS_US,
    registers,
    collect() {
      const net = source();
      if (!net) return;
      for (const peer of net.linkPeers()) {
        const s = net.linkStats(peer);
        if (!s) continue;
        const label = formatNodeId(peer);
        s.rtt.counts.forEach((n, i) => {
          const bound = RTT_BUCKETS_US[i] ?? (RTT_BUCKETS_US[RTT_BUCKETS_US.length - 1] as number) * 2;
          advance(`rtt ${label} ${i}`, n, (d) => {
            for (let k = 0; k < d; k++) rtt.observe({ peer: label }, bound);
          });
        });
      }
    },
  });
}
