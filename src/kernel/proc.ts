// Processes and threads. A thread is its registers, a scheduling state and, while blocked, a wait
// record; a process owns an address space, its threads, its children, its handles and, once it
// ends, its termination. No process state lives in a closure: everything here is plain data that a
// process image can serialise (DESIGN.md §5).
import type { ElfSymbol } from '../machine/elf.js';
import { CapSpace } from './ipc/cspace.js';
import { NICE_MIN } from './limits.js';
import type { Npid } from './npid.js';
import { type AltStack, type PendingSignals, SignalActions, type SigSet } from './signals.js';
import type { AddressSpace, Region } from './vm.js';

/**
 * `migrating`: the cluster is moving the process (Kernel.setMigrating): not runnable, and, unlike a
 * stop, invisible to waitid and to the process.
 */
export type ThreadState = 'new' | 'ready' | 'running' | 'blocked' | 'suspended' | 'migrating' | 'zombie';

/** What a blocked thread waits for. The call runs again when the thread wakes. */
export type WaitKind =
  | 'child'
  | 'sleep'
  | 'futex'
  | 'read'
  | 'send'
  | 'receive'
  | 'reply'
  | 'notify'
  | 'sigsuspend'
  | 'sigwait'
  /** spawn_on waiting for another node's answer (remote-spawn.ts); not cut short by signals. */
  | 'spawn'
  /** A user access to a page not yet fetched (post-copy): the instruction runs again once it arrives. */
  | 'page';

/** The waits whose queues are kept in the kernel's IPC wait index (page waits share it). */
export const IPC_WAITS: ReadonlySet<WaitKind> = new Set(['send', 'receive', 'reply', 'notify', 'page']);

export interface WaitRecord {
  kind: WaitKind;
  /** Virtual-clock deadline in ns, or -1 for none. */
  deadline: number;
  /**
   * futex: the user address, whether it is private to the process, and its queue key. IPC waits:
   * the key names the object, addr the caller's message descriptor (or notification word).
   */
  addr: number;
  private: boolean;
  /** The wait queue's key (an index over the records; never parsed back: see `object`). */
  key: string;
  /** IPC waits: the id of the object waited on (port, port set, notification, reply); spawn: the ticket; else 0. */
  object: number;
  /** Set when the thread was woken: by the event it waited for, or by its deadline. */
  woken: 'event' | 'timeout' | undefined;
}

export class Thread {
  /** x0..x31 (x0 unused) while the thread is not on the hart. */
  readonly regs = new Int32Array(32);
  pc = 0;
  state: ThreadState = 'new';
  /** -20 (highest) to 19 (lowest), as Linux's nice. */
  nice = 0;
  /** Instructions left in the current scheduler slice. */
  sliceLeft = 0;
  /** Instructions retired by this thread. */
  instructions = 0;
  /** Kernel instruction count when the thread last joined a run queue (for aging). */
  enqueuedAt = 0;
  /** Set while blocked (and kept until the blocked call completes). */
  wait: WaitRecord | undefined = undefined;
  /** The record of a wait that completed, reused by the next block (no object per IPC wait). */
  spareWait: WaitRecord | undefined = undefined;
  /**
   * While the thread waits for a post-copy page (wait kind 'page'): the record of the call it was
   * in (woken, its call to run again), put back when the page arrives so the call runs again as the
   * same call (a reply_recv that already answered does not answer again, a call does not resend).
   */
  callWait: WaitRecord | undefined = undefined;
  /** CLONE_CHILD_CLEARTID / set_tid_address: zeroed and futex-woken when the thread exits. */
  clearChildTid = 0;
  /** Signals this thread blocks (never SIGKILL or SIGSTOP). */
  blocked: SigSet = 0n;
  /** Signals sent to this thread alone (tkill, tgkill, faults). */
  readonly pending: PendingSignals = new Map();
  /** The alternate signal stack (sigaltstack); size 0 when there is none. */
  altStack: AltStack = { sp: 0, size: 0, flags: 0 };
  /** rt_sigsuspend: the mask to put back once a handler has run (the frame's uc_sigmask). */
  savedMask: SigSet | undefined = undefined;
  /** rt_sigtimedwait: the signals the blocked call waits for (read again when the call runs again). */
  waitSet: SigSet = 0n;

  constructor(
    readonly tid: number,
    readonly process: Process,
  ) {}

  get level(): number {
    return this.nice - NICE_MIN;
  }
}

/** How a process ended: an exit status, or the signal that killed it. */
export type Termination = { kind: 'exited'; status: number } | { kind: 'signaled'; signal: number };

export interface ProcessLimits {
  pages: number;
  threads: number;
  handles: number;
}

export interface Symbols {
  list: ElfSymbol[];
  symbolize(addr: number): { name: string; offset: number } | undefined;
}

export class Process {
  readonly threads: Thread[] = [];
  readonly children = new Set<Process>();
  parent: Process | undefined = undefined;
  /** Start of the heap (page-aligned end of the loaded image) and the current program break. */
  brkStart = 0;
  brk = 0;
  heap: Region | undefined = undefined;
  termination: Termination | undefined = undefined;
  /** SIGSTOP'ed: its threads do not run until SIGCONT. */
  stopped = false;
  /** Being moved by the cluster (Kernel.setMigrating): its threads do not run; nobody is told. */
  migrating = false;
  /** Dropped here after a migration committed elsewhere (Kernel.dropMigrated): its end is not an exit. */
  movedAway = false;
  /** A stop or continue not yet reported to a waitid(WSTOPPED / WCONTINUED) in the parent. */
  waitReport: 'stopped' | 'continued' | undefined = undefined;
  /** Signal dispositions, shared by the process's threads. */
  sigactions = new SignalActions();
  /** Signals sent to the whole process, taken by whichever thread does not block them. */
  readonly pendingSignals: PendingSignals = new Map();
  /** Open file descriptors: the console's 0, 1 and 2 until closed. */
  readonly fds = new Set<number>([0, 1, 2]);
  /** The capability space: every kernel object the process may reach (ports, shared memory...). */
  readonly caps: CapSpace;
  /** Added to the node's virtual clock for this process's CLOCK_MONOTONIC (kept across restore). */
  clockOffset = 0;
  /** The process has been waited for and removed from the process table. */
  reaped = false;
  /** Instructions retired by threads that have exited and left `threads`. */
  exitedInstructions = 0;
  /** Process group and session ids (setpgid, setsid); a new process leads its own until it inherits. */
  pgid: number;
  sid: number;

  constructor(
    readonly pid: number,
    /** The cluster-wide id, kept for life (restore and migration keep it). */
    readonly npid: Npid,
    public name: string,
    public addressSpace: AddressSpace,
    public symbols: Symbols,
    readonly limits: ProcessLimits,
  ) {
    this.pgid = pid;
    this.sid = pid;
    this.caps = new CapSpace(pid, limits.handles);
  }

  get alive(): boolean {
    return this.termination === undefined;
  }

  get ppid(): number {
    return this.parent?.pid ?? 0;
  }

  /** Exit code as a shell reports it: the status, or 128 + signal number. */
  get exitCode(): number | undefined {
    const t = this.termination;
    if (t === undefined) return undefined;
    return t.kind === 'exited' ? t.status : 128 + t.signal;
  }

  liveThreads(): number {
    let n = 0;
    for (const t of this.threads) if (t.state !== 'zombie') n++;
    return n;
  }

  /** Instructions retired by all of the process's threads. */
  get instructions(): number {
    let n = this.exitedInstructions;
    for (const t of this.threads) n += t.instructions;
    return n;
  }
}
