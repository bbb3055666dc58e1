// The simulator's fault kinds and how a `--faults` list is parsed. Every fault is scheduled from the
// seed; docs/simulator.md says what each one does.

export const FAULT_KINDS = [
  'crash', // a node stops at once; its disk keeps only what was synced (torn tail possible)
  'restart', // a crashed node comes back from its WAL after a while
  'pause', // a node stalls (timers and inputs wait), then catches up
  'partition', // the nodes split into two groups that cannot talk, for a while
  'one-way', // traffic from one node to another is cut, the other way still flows
  'flapping', // a partition that comes and goes several times
  'loss', // link messages are dropped
  'duplicate', // link messages are delivered twice
  'reorder', // link messages are held back so later ones overtake them
  'delay', // latency and jitter rise
  'drift', // a node's clock runs faster or slower than true time
  'disk', // a write or fsync fails: the node stops and restarts from its WAL
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export function isFaultKind(s: string): s is FaultKind {
  return (FAULT_KINDS as readonly string[]).includes(s);
}

/** Parses "crash,partition" (or "all" / "none"); an error message for an unknown name. */
export function parseFaults(text: string): FaultKind[] | string {
  const t = text.trim();
  if (t === 'all') return [...FAULT_KINDS];
  if (t === 'none' || t === '') return [];
  const out: FaultKind[] = [];
  for (const part of t.split(',')) {
    const name = part.trim();
    if (!isFaultKind(name)) return `unknown fault "${name}" (known: ${FAULT_KINDS.join(', ')}, all, none)`;
    if (!out.includes(name)) out.push(name);
  }
  return out;
}
