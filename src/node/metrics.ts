// The node's Prometheus metrics (prom-client, on a registry of its own so several nodes can live in
// one process under test). Kernel readings are taken at scrape time: gauges are set, counters are
// advanced by what the kernel's monotonic totals moved since the last scrape. prom-client is loaded
// on the first scrape, so a one-shot `pakaya run` never pays for it.
import type { Counter, Registry } from 'prom-client';
import type { ClusterNet } from './cluster-net.js';
import { registerNetMetrics } from './net-metrics.js';
import { type NodeKernel, PROCESS_STATES } from './node-kernel.js';

type PromClient = typeof import('prom-client');

export class NodeMetrics {
  private registry: Promise<Registry> | undefined = undefined;
  /** Admin requests by "route status", counted before the registry exists. */
  private readonly requests = new Map<string, number>();

  /** The node's network side, for the network metrics (set by a node started with --listen). */
  network: (() => ClusterNet | undefined) | undefined;

  constructor(
    private readonly kernel: NodeKernel,
    private readonly labels: { node: string },
  ) {}

  /** Counts one admin request. */
  request(route: string, status: number): void {
    const key = `${route} ${status}`;
    this.requests.set(key, (this.requests.get(key) ?? 0) + 1);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    this.registry ??= import('prom-client').then((prom) => this.build(prom));
    const registry = await this.registry;
    return { text: await registry.metrics(), contentType: registry.contentType };
  }

  private build(prom: PromClient): Registry {
    const { kernel, requests } = this;
    const registry = new prom.Registry();
    const registers = [registry];
    registry.setDefaultLabels(this.labels);
    new prom.Gauge({
      name: 'pakaya_processes',
      help: 'Processes on this node by state',
      labelNames: ['state'],
      registers,
      collect() {
        const counts = new Map<string, number>(PROCESS_STATES.map((s) => [s, 0]));
        for (const p of kernel.listProcesses()) counts.set(p.state, (counts.get(p.state) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    const monotonic = (name: string, help: string, read: () => number): void => {
      let seen = 0;
      new prom.Counter({
        name,
        help,
        registers,
        collect() {
          const now = read();
          if (now > seen) this.inc(now - seen);
          seen = Math.max(seen, now);
        },
      });
    };
    monotonic('pakaya_instructions_retired_total', 'Guest instructions retired', () => kernel.instructions);
    monotonic('pakaya_syscalls_total', 'System calls handled', () => kernel.counters.syscalls);
    monotonic('pakaya_page_faults_total', 'Page faults taken', () => kernel.counters.pageFaults);
    monotonic('pakaya_context_switches_total', 'Context switches', () => kernel.counters.contextSwitches);
    const seen = new Map<string, number>();
    const admin: Counter<'route' | 'status'> = new prom.Counter({
      name: 'pakaya_admin_requests_total',
      help: 'Admin API requests by route and status',
      labelNames: ['route', 'status'],
      registers,
      collect() {
        for (const [key, n] of requests) {
          const [route = '', status = ''] = key.split(' ');
          const delta = n - (seen.get(key) ?? 0);
          if (delta > 0) admin.inc({ route, status }, delta);
          seen.set(key, n);
        }
      },
    });
    const network = this.network;
    if (network) registerNetMetrics(prom, registry, network);
    return registry;
  }
}
