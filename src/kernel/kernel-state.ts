// The running kernel's state as its modules (kernel-*.ts) see it: the Kernel class (kernel.ts)
// implements this interface, and the modules take it as their first argument, so none of them
// imports the class. The fields marked internal are the modules' own; callers outside src/kernel
// use the Kernel class's methods.
import type { CheckpointKernel } from './checkpoint.js';
import type { FutexTable } from './futex.js';
import type { PageSource, PortRouter } from './hooks.js';
import type { ImageCache } from './image-cache.js';
import type { InvariantView } from './invariants.js';
import type { Capability } from './ipc/cspace.js';
import type { Port } from './ipc/objects.js';
import type { Npid } from './npid.js';
import type { Process, ProcessLimits, Thread, WaitKind } from './proc.js';
import type { Scheduler } from './sched.js';
import type { SignalKernel } from './signal-delivery.js';
import type { ExecRequest, SyscallContext } from './syscall-context.js';
import type { Timers } from './timers.js';
import type { AddressSpace } from './vm.js';

export interface SpawnRequest extends ExecRequest {
  /** Nice value of the first thread (default 0). */
  nice?: number;
}

/**
 * A system server (src/servers/): a process with a capability space and no threads of guest code.
 * The kernel runs it when a message arrives on a port it receives on; it reaches the kernel only
 * through the capability-checked operations of `kernel.ipc`, as a program's system calls do.
 */
export interface Task {
  readonly process: Process;
  /** Handles what has arrived (never blocks). */
  run(): void;
}

/** The capabilities every new process receives (the convention of docs/syscalls.md). */
export interface BootstrapCaps {
  /** The name server's port: each process gets a send right badged with its pid. */
  nameServer: Capability | undefined;
  /** The console server's port (send, badged with the pid). */
  console: Capability | undefined;
}

/** Counters for metrics and benchmarks. */
export interface KernelStats {
  syscalls: number;
  pageFaults: number;
  contextSwitches: number;
}

/** A post-copy restore's fetches (hooks.ts): where its pages come from and who waits for which. */
export interface PageFetch {
  source: PageSource;
  /** The pages asked for and not arrived yet. */
  requested: Set<number>;
  /**
   * Threads blocked in a call (a receive, a call's answer, a notification wait) whose result could
   * not be written because its buffer's page is absent: their call runs again once the page arrives.
   */
  retry: Map<number, { thread: Thread; kind: WaitKind; key: string }[]>;
}

export interface KernelState extends SyscallContext, SignalKernel, CheckpointKernel {
  readonly processes: Map<number, Process>;
  readonly threads: Map<number, Thread>;
  readonly bootstrap: BootstrapCaps;
  readonly stats: KernelStats;
  readonly limits: ProcessLimits;
  /** Instructions retired on this node. */
  instructions: number;
  afterEachStep: ((view: InvariantView) => void) | undefined;
  onTaskEnded: ((name: string) => void) | undefined;
  liveProcesses(): number;
  /** A live process running a program (not a server task); KernelError otherwise. */
  liveProcess(pid: number): Process;
  npidOf(pid: number): Npid;
  inspect(): InvariantView;

  // ---- internal ----
  /** Threads waiting in IPC calls, by the object they wait on (see ipc/ipc.ts keys). */
  readonly ipcWaits: FutexTable;
  /** The last kernel object id handed out on this node (kernel-spawn.ts newObjectId). */
  objectIds: number;
  /** A thread a send or reply completed, to run next without a trip through the run queue. */
  handoffTo: Thread | undefined;
  /** System server tasks by pid, and those with something queued. */
  readonly tasks: Map<number, Task>;
  readonly pendingTasks: Set<Task>;
  readonly sched: Scheduler;
  readonly timers: Timers;
  /** Program pages shared between processes running the same ELF. */
  readonly images: ImageCache;
  /** The thread whose registers are on the hart. */
  onHart: Thread | undefined;
  /** The address space whose entries the hart's TLB holds (switchTo), if known. */
  tlbSpace: AddressSpace | undefined;
  /** x0..x31 of the hart's register file (a view made once: saving a thread allocates nothing). */
  readonly hartRegs: Int32Array;
  /** The thread running now (if any). */
  current: Thread | undefined;
  /** The running thread gave up the rest of its slice. */
  yielded: boolean;
  /** The node's first process: it adopts orphans while it lives. */
  init: Process | undefined;
  /** ns the clock jumped while the node was idle. */
  idleNs: number;
  /** Host work charged by system calls since the last run slice (see SYSCALL_COST). */
  charged: number;
  /** The waiter deliverToWaiter is handing a result to (writeMessage finds it without a lookup). */
  delivering: Thread | undefined;
  /** Post-copy restores: each process's page source and the pages asked for (hooks.ts). */
  readonly pageFetches: Map<Process, PageFetch>;
  /** The router for remote ports, the remote ports made here and the ports exported to other nodes. */
  router: PortRouter | undefined;
  readonly remotePorts: Map<number, Port>;
  readonly exported: Map<number, Port>;
}
