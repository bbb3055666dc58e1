// What a system call handler may use of the kernel. Handlers see this interface, not the Kernel
// class, so the syscall table does not depend on the kernel that dispatches to it.

import type { Hart } from '../machine/hart.js';
import type { PhysicalMemory } from '../machine/memory.js';
import type { FrameAllocator } from './frames.js';
import type { FutexTable, WaitPoint } from './futex.js';
import type { KernelHost } from './host.js';
import type { InputQueue } from './input.js';
import type { Ipc } from './ipc/ipc.js';
import type { Process, Termination, Thread, WaitRecord } from './proc.js';
import type { RemoteSpawns } from './remote-spawn.js';
import type { SigInfo } from './signals.js';

/** Returned by a handler whose thread no longer runs on (it exited or exec'd): leave its registers. */
export const GONE = Symbol('gone');
/** Returned by a handler that blocked its thread: the call runs again when the thread wakes. */
export const BLOCK = Symbol('block');

export type SyscallResult = number | typeof GONE | typeof BLOCK;

/** What a spawn or execve asks for. */
export interface ExecRequest {
  file: Uint8Array;
  argv: string[];
  envp: string[];
  name?: string;
  /** spawn: a slot of the parent's whose capability the child gets in its parent slot (3). */
  parentCap?: number;
}

export interface SyscallContext {
  readonly hart: Hart;
  readonly host: KernelHost;
  readonly memory: PhysicalMemory;
  readonly frames: FrameAllocator;
  readonly futexes: FutexTable;
  readonly input: InputQueue;
  readonly ipc: Ipc;
  /** spawn_on's open tickets and the node's RemoteSpawner (remote-spawn.ts). */
  readonly remoteSpawns: RemoteSpawns;
  /** The node's virtual clock in ns (CLOCK_MONOTONIC before the per-process offset). */
  now(): number;
  findProcess(pid: number): Process | undefined;
  findThread(tid: number): Thread | undefined;
  /** True for a system server task's process (not a signal target for guests). */
  isTask(pid: number): boolean;
  /** Every process in the table, zombies included. */
  allProcesses(): Iterable<Process>;
  /** Blocks the thread (its pc stays at the ecall); returns BLOCK for the handler to return. */
  block(thread: Thread, wait: Omit<WaitRecord, 'woken'>): typeof BLOCK;
  /**
   * Blocks the thread until page `vaddr` of its process, still to arrive from a post-copy page
   * source, is mapped; its call then runs again from its start (it must have had no effect).
   */
  waitForPage(thread: Thread, vaddr: number): typeof BLOCK;
  /** `block` for an IPC receive or reply wait without a deadline (the fastpath: no record literal). */
  blockIpc(
    thread: Thread,
    kind: 'receive' | 'reply',
    addr: number,
    at: WaitPoint,
    object: number,
  ): typeof BLOCK;
  /**
   * The registers of `thread` as they are now: the hart's while it is on the hart, else its saved
   * ones (written in place: a short message delivered to a waiting thread goes here).
   */
  liveRegisters(thread: Thread): Int32Array;
  /** Makes a blocked thread runnable again; its call runs again and sees `wait.woken`. */
  wake(thread: Thread, how: 'event' | 'timeout'): void;
  /** The longest waiter at IPC wait point `at`, left on its queue (the IPC fastpath), or undefined. */
  firstIpcWaiter(at: WaitPoint): Thread | undefined;
  /**
   * Ends the wait of `thread` (first on the queue at `at`) with `result`: its call is over (pc past the
   * ecall) and it runs next when its priority allows — the fastpath's direct switch.
   */
  completeWaiter(thread: Thread, result: number, at: WaitPoint): void;
  /** Counts host work a call did against the host quantum (instruction units; not guest time). */
  charge(units: number): void;
  /** The calling thread gives up the rest of its slice after this call. */
  yieldThread(thread: Thread): void;
  /** Changes a thread's nice value (requeues it). */
  setNice(thread: Thread, nice: number): void;
  exitThread(thread: Thread, status: number): void;
  /** Ends a process (its threads stop at once). */
  exitProcess(process: Process, termination: Termination): void;
  /** Sends a signal to a process (signal-delivery.ts: handled, queued, or its default action). */
  signal(process: Process, signal: number, info?: SigInfo): void;
  /** Sends a signal to one thread (tkill, tgkill). */
  signalThread(thread: Thread, info: SigInfo): void;
  /** rt_sigreturn for the calling thread: restores its frame; false when the frame is unreadable. */
  sigreturn(thread: Thread): boolean;
  /** Removes a waited-for zombie from the process table. */
  reap(process: Process): void;
  /** fork: a copy of the calling process whose main thread returns 0 from the ecall. */
  fork(thread: Thread): Process | number;
  /** A new thread in the caller's process, returning 0 from the ecall on `stack` (-errno on failure). */
  createThread(thread: Thread, stack: number, tls: number | undefined, clearTid: number): Thread | number;
  /** A new process running `request`, as a child of `parent` (throws ElfError/ExecError/KernelError). */
  spawn(request: ExecRequest, parent: Process | undefined): Process;
  /** Replaces the calling process's program (throws ElfError/ExecError/KernelError; nothing changes then). */
  exec(thread: Thread, request: ExecRequest): void;
  /** A new shared memory object id. */
  nextShmId(): number;
  /** Drops cached translations after page-table entries were removed or narrowed. */
  flushTranslations(): void;
}

/** A handler gets the kernel, the calling thread and a0..a5. */
export type SyscallHandler = (k: SyscallContext, t: Thread, args: Int32Array) => SyscallResult;
