// The contract between a node and its kernel (DESIGN.md §8): what the admin API and the driver call,
// and where the kernel takes NPIDs from. Written against the kernel being rewritten in parallel; the
// interfaces move into src/kernel/host.ts once the real Kernel implements them.

/** Where the kernel takes the local part of NPIDs from; ids are never handed out twice. */
export interface PidSource {
  /** This node's id: a nonzero unsigned 32-bit integer. */
  readonly nodeId: number;
  /** The next never-used local id (1 ≤ id < 2^31). Throws when the id space is exhausted. */
  next(): number;
}

export type ProcessState = 'new' | 'ready' | 'running' | 'blocked' | 'suspended' | 'zombie';

export const PROCESS_STATES: readonly ProcessState[] = [
  'new',
  'ready',
  'running',
  'blocked',
  'suspended',
  'zombie',
];

/** One row of the process table, as plain JSON-safe data. */
export interface ProcessInfo {
  pid: number;
  /** "<node id, 8 hex digits>:<local id>", see formatNpid. */
  npid: string;
  ppid: number;
  name: string;
  state: ProcessState;
  /** What a blocked process waits for (e.g. "futex", "sleep"). */
  blockedOn?: string;
  /** nice value, -20..19. */
  priority: number;
  threads: number;
  cpuInstructions: number;
  memoryPages: number;
  exitCode?: number;
}

/** Monotonic event counts the node exports as Prometheus counters. */
export interface KernelCounters {
  readonly syscalls: number;
  readonly pageFaults: number;
  readonly contextSwitches: number;
}

/**
 * What a node needs from its kernel. Every call happens on the event loop between the driver's run
 * quanta, never while guest code runs.
 */
export interface NodeKernel {
  /** The process table, zombies included. */
  listProcesses(): ProcessInfo[];
  /** Sends a signal: 0, or a negative errno (-3 ESRCH: no such pid, -22 EINVAL: bad signal). */
  kill(pid: number, signal: number): number;
  /** The encoded, checksummed image of a process. Throws KernelError saying why it cannot. */
  checkpoint(pid: number): Uint8Array;
  /** Rebuilds a process from an image; returns its pid. Throws ImageError/KernelError, running nothing. */
  restore(image: Uint8Array): number;
  /** Instructions retired by the whole node since it started. */
  readonly instructions: number;
  readonly counters: KernelCounters;
  /** Runs ready threads for at most `budget` instructions; returns the budget used. */
  step(budget: number): number;
  /** True when no thread is ready to run. */
  readonly idle: boolean;
}

/** Thrown by a kernel for an operation it does not provide yet; the admin API answers 501. */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}

/** A node id as printed: 8 hex digits. */
export function formatNodeId(nodeId: number): string {
  return (nodeId >>> 0).toString(16).padStart(8, '0');
}

/** The printable NPID of a local id on a node: node id as 8 hex digits, a colon, the local id. */
export function formatNpid(nodeId: number, local: number): string {
  return `${formatNodeId(nodeId)}:${local}`;
}

/** Parses "<8 hex digits>:<decimal>" back into its parts; undefined when malformed. */
export function parseNpid(text: string): { nodeId: number; local: number } | undefined {
  const match = /^([0-9a-f]{8}):([1-9]\d{0,9})$/.exec(text);
  if (!match) return undefined;
  const nodeId = Number.parseInt(match[1]!, 16);
  const local = Number(match[2]);
  if (nodeId === 0 || local >= 2 ** 31) return undefined;
  return { nodeId, local };
}
