// The process table as plain JSON-safe rows (what `pakaya ps` and the admin API show), and the
// printed form of an NPID: the node id as 8 hex digits, a colon, the local id.
import { type Npid, npid } from './npid.js';
import type { Process, ThreadState } from './proc.js';

export type ProcessState = ThreadState;

/** One row of the process table. */
export interface ProcessInfo {
  pid: number;
  npid: string;
  ppid: number;
  name: string;
  state: ProcessState;
  /** What a blocked process waits for (e.g. "futex", "sleep"). */
  blockedOn?: string;
  /** nice value, -20..19 (the main thread's). */
  priority: number;
  threads: number;
  cpuInstructions: number;
  memoryPages: number;
  exitCode?: number;
}

/** A node id as printed: 8 hex digits. */
export function formatNodeId(nodeId: number): string {
  return (nodeId >>> 0).toString(16).padStart(8, '0');
}

/** The printed NPID of local id `local` born on node `nodeId` (npid.ts is the one formatter). */
export function formatNpid(nodeId: number, local: number): Npid {
  return npid(nodeId, local);
}

/** A process's state: the most active of its threads' states. */
function processState(p: Process): ProcessState {
  if (!p.alive) return 'zombie';
  if (p.stopped) return 'suspended';
  const states = new Set(p.threads.map((t) => t.state));
  for (const s of ['running', 'ready', 'blocked', 'suspended', 'migrating', 'new'] as const)
    if (states.has(s)) return s;
  return 'zombie';
}

export function describeProcess(p: Process): ProcessInfo {
  const live = p.threads.filter((t) => t.state !== 'zombie');
  const info: ProcessInfo = {
    pid: p.pid,
    npid: p.npid,
    ppid: p.ppid,
    name: p.name,
    state: processState(p),
    priority: live[0]?.nice ?? 0,
    threads: live.length,
    cpuInstructions: p.instructions,
    memoryPages: p.alive ? p.addressSpace.resident : 0,
  };
  const blocked = live.find((t) => t.state === 'blocked');
  if (info.state === 'blocked' && blocked?.wait !== undefined) info.blockedOn = blocked.wait.kind;
  if (p.exitCode !== undefined) info.exitCode = p.exitCode;
  return info;
}
