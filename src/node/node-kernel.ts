// The contract between a node and its kernel (DESIGN.md §8): what the admin API and the driver call.
// The Kernel class implements it; tests may use a test double. Process rows, NPID formatting and
// the PidSource interface come from the kernel.

export type { PidSource } from '../kernel/host.js';
export type { ProcessInfo, ProcessState } from '../kernel/process-info.js';
export { formatNodeId, formatNpid } from '../kernel/process-info.js';

import { npidLocal, npidNode, parseNpid as parseKernelNpid } from '../kernel/npid.js';
import type { ProcessInfo, ProcessState } from '../kernel/process-info.js';

export const PROCESS_STATES: readonly ProcessState[] = [
  'new',
  'ready',
  'running',
  'blocked',
  'suspended',
  'migrating',
  'zombie',
];

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
  /**
   * The largest image file (bytes) whose first bytes are `header` (at least 16 when the file has
   * them): lets the node refuse a file before reading it whole. Throws ImageError for a bad header.
   */
  imageSizeLimit(header: Uint8Array): number;
  /** Rebuilds a process from an image; returns its pid. Throws ImageError/KernelError, running nothing. */
  restore(image: Uint8Array): number;
  /** The pids captured with `pid` by a group checkpoint (`pid` first). Throws KernelError. */
  groupOf?(pid: number): number[];
  /** The encoded image of the group of `pid` (see groupOf). Throws KernelError saying why it cannot. */
  checkpointGroup?(pid: number): Uint8Array;
  /** Rebuilds a process or a group from an image; returns every pid made, the root first. */
  restoreAll?(image: Uint8Array): number[];
  /** Instructions retired by the whole node since it started. */
  readonly instructions: number;
  readonly counters: KernelCounters;
  /** Runs ready threads for at most `budget` instructions; returns the budget used. */
  step(budget: number): number;
  /** True when no thread is ready to run. */
  readonly idle: boolean;
  /** Processes not yet ended. */
  liveProcesses(): number;
  /** The earliest deadline of a sleeping thread on the kernel's virtual clock (ns), or -1. */
  nextDeadline(): number;
  /** The kernel's virtual clock (ns). */
  now(): number;
  /** While idle: jumps the virtual clock to `ns` and wakes the threads whose deadline it reaches. */
  advanceIdle(ns: number): void;
}

/** Thrown by a kernel for an operation it does not provide yet; the admin API answers 501. */
export class NotImplementedError extends Error {
  override readonly name = 'NotImplementedError';
}

/** Parses "<8 hex digits>:<decimal>" back into its parts; undefined when malformed. */
export function parseNpid(text: string): { nodeId: number; local: number } | undefined {
  const id = parseKernelNpid(text); // the one parser (src/kernel/npid.ts)
  return id === undefined ? undefined : { nodeId: npidNode(id), local: npidLocal(id) };
}
