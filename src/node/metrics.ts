// The node's Prometheus metrics (prom-client, on a registry of its own so several nodes can live in
// one process under test). Kernel readings are taken at scrape time: gauges are set, counters are
// advanced by what the kernel's monotonic totals moved since the last scrape.
import { Counter, Gauge, Registry } from 'prom-client';
import { type NodeKernel, PROCESS_STATES } from './node-kernel.js';

export class NodeMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter<'route' | 'status'>;

  constructor(kernel: NodeKernel, labels: { node: string }) {
    const registers = [this.registry];
    this.registry.setDefaultLabels(labels);
    new Gauge({
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
    monotonic('pakaya_instructions_retired_total', 'Guest instructions retired', () => kernel.instructions);
    monotonic('pakaya_syscalls_total', 'System calls handled', () => kernel.counters.syscalls);
    monotonic('pakaya_page_faults_total', 'Page faults taken', () => kernel.counters.pageFaults);
    monotonic('pakaya_context_switches_total', 'Context switches', () => kernel.counters.contextSwitches);
    this.requests = new Counter({
      name: 'pakaya_admin_requests_total',
      help: 'Admin API requests by route and status',
      labelNames: ['route', 'status'],
      registers,
    });

    function monotonic(name: string, help: string, read: () => number): void {
      let seen = 0;
      new Counter({
        name,
        help,
        registers,
        collect() {
          const now = read();
          if (now > seen) this.inc(now - seen);
          seen = Math.max(seen, now);
        },
      });
    }
  }

  /** Counts one admin request. */
  request(route: string, status: number): void {
    this.requests.inc({ route, status: String(status) });
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ text: string; contentType: string }> {
    return { text: await this.registry.metrics(), contentType: this.registry.contentType };
  }
}
