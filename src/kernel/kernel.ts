// One node's kernel: owns the machine's RAM through the frame allocator, the process and thread
// tables, the scheduler, timers and futex queues. `step(budget)` runs ready threads on the hart in
// hosted mode (DESIGN.md §4) for at most `budget` instructions, handling every exit from the hart:
// system calls, page faults (demand-zero, copy-on-write, stack growth) and faults that kill a
// process with a crash report. Guest time is retired instructions (DESIGN.md §3).
import {
  CAUSE_FETCH_PAGE_FAULT,
  CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_PAGE_FAULT,
  CAUSE_USER_ECALL,
  PRIV_U,
  PTE_A,
  PTE_D,
} from '../machine/constants.js';
import { type ElfImage, parseElf } from '../machine/elf.js';
import type { Hart } from '../machine/hart.js';
import { EXIT_CAUSE, EXIT_PC, EXIT_TRAP, EXIT_TVAL } from '../machine/hart-state.js';
import type { Machine } from '../machine/machine.js';
import type { PhysicalMemory } from '../machine/memory.js';
import { assert } from './assert.js';
import { capture, rebuild } from './checkpoint.js';
import { EAGAIN, EBADF, EINVAL, EMFILE, EMSGSIZE, ENOENT, EPIPE } from './errno.js';
import { KernelError } from './errors.js';
import { type LoadedProgram, loadProgram } from './exec.js';
import { FrameAllocator } from './frames.js';
import { FutexTable, futexKey } from './futex.js';
import { captureGroup, type GroupKernel, groupOf } from './group-capture.js';
import { checkGroupHeader, decodeGroup, encodeGroup, isGroupImage } from './group-codec.js';
import type { GroupImage } from './group-image.js';
import { rebuildGroup } from './group-restore.js';
import type { InboundMessage, PageSource, PortRouter } from './hooks.js';
import type { KernelHost } from './host.js';
import { ImageError, type ProcessImage } from './image.js';
import { ImageCache } from './image-cache.js';
import { checkImageHeader, decodeImage, encodeImage } from './image-codec.js';
import { InputQueue } from './input.js';
import type { InvariantView } from './invariants.js';
import type { Capability, CapObject } from './ipc/cspace.js';
import { Ipc, WOULD_BLOCK } from './ipc/ipc.js';
import {
  MSG_BYTES_MAX,
  MSG_CAPS_MAX,
  RIGHT_GRANT,
  RIGHT_RECEIVE,
  RIGHT_SEND,
  RIGHT_SEND_ONCE,
  SLOT_CONSOLE,
  SLOT_NAME_SERVER,
  SLOT_PARENT,
} from './ipc/limits.js';
import { Port } from './ipc/objects.js';
import {
  EXPORTED_PORTS_MAX,
  NS_PER_INSTRUCTION,
  PROCESS_HANDLES_DEFAULT,
  PROCESS_MAX,
  PROCESS_PAGES_DEFAULT,
  PROCESS_THREADS_DEFAULT,
  REMOTE_PORTS_MAX,
  SLICE_INSTRUCTIONS,
  THREAD_MAX,
  USER_BASE,
  USER_TOP,
} from './limits.js';
import { type Npid, npid, npidLocal, npidNode, parseNpid } from './npid.js';
import { IPC_WAITS, Process, type ProcessLimits, type Termination, Thread, type WaitRecord } from './proc.js';
import { describeProcess, type ProcessInfo } from './process-info.js';
import { crashReport } from './report.js';
import { Scheduler } from './sched.js';
import {
  deliver,
  hasDeliverable,
  interruptIfPending,
  post,
  postFault,
  type SignalKernel,
  sigreturn,
} from './signal-delivery.js';
import {
  CLD_EXITED,
  CLD_KILLED,
  faultInfo,
  SI_USER,
  SIGCHLD,
  SIGKILL,
  SIGNAL_NAMES,
  type SigInfo,
  SS_DISABLE,
  sigInfo,
  signalForCause,
} from './signals.js';
import { writeReceived } from './sys/ipc.js';
import { writeStruct } from './sys/user-mem.js';
import { syscall } from './syscall.js';
import { BLOCK, type ExecRequest, type SyscallContext } from './syscall-context.js';
import { Timers } from './timers.js';
import {
  AddressSpace,
  PROT_EXEC,
  PROT_READ,
  PROT_WRITE,
  PTE_COW,
  protOfPte,
  RESOLVE_ABSENT,
  RESOLVE_NOMEM,
} from './vm.js';

export { KernelError } from './errors.js';

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

export class Kernel implements SyscallContext, SignalKernel {
  readonly hart: Hart;
  readonly memory: PhysicalMemory;
  readonly frames: FrameAllocator;
  readonly processes = new Map<number, Process>();
  readonly threads = new Map<number, Thread>();
  readonly futexes = new FutexTable();
  /** Threads waiting in IPC calls, by the object they wait on (see ipc/ipc.ts keys). */
  private readonly ipcWaits = new FutexTable();
  readonly ipc: Ipc;
  private objectIds = 0;
  /** A thread a send or reply completed, to run next without a trip through the run queue. */
  private handoffTo: Thread | undefined = undefined;
  private readonly tasks = new Map<number, Task>();
  private readonly pendingTasks = new Set<Task>();
  readonly bootstrap: BootstrapCaps = { nameServer: undefined, console: undefined };
  readonly input = new InputQueue();
  readonly stats: KernelStats = { syscalls: 0, pageFaults: 0, contextSwitches: 0 };
  readonly limits: ProcessLimits;
  private readonly sched = new Scheduler();
  private readonly timers = new Timers();
  private readonly images: ImageCache;
  /** The thread whose registers are on the hart, and the thread running now (if any). */
  private onHart: Thread | undefined = undefined;
  /** The address space whose entries the hart's TLB holds (switchTo), if known. */
  private tlbSpace: AddressSpace | undefined = undefined;
  /** x0..x31 of the hart's register file (a view made once: saving a thread allocates nothing). */
  private readonly hartRegs: Int32Array;
  private current: Thread | undefined = undefined;
  private yielded = false;
  /** The node's first process: it adopts orphans while it lives. */
  private init: Process | undefined = undefined;
  /** Instructions retired on this node, and ns the clock jumped while the node was idle. */
  instructions = 0;
  private idleNs = 0;
  /**
   * Called after every slice and every trap the hart hands to the kernel, when set: the kernel's
   * tests run the invariant checker (invariants.ts) here. Unset (the default) it costs nothing.
   */
  afterEachStep: ((view: InvariantView) => void) | undefined = undefined;
  /** Post-copy restores: each process's page source and the pages asked for (hooks.ts). */
  private readonly pageFetches = new Map<Process, { source: PageSource; requested: Set<number> }>();
  /** The router for remote ports, the remote ports made here and the ports exported to other nodes. */
  private router: PortRouter | undefined = undefined;
  private readonly remotePorts = new Map<number, Port>();
  private readonly exported = new Map<number, Port>();

  constructor(
    readonly machine: Machine,
    readonly host: KernelHost,
    limits: Partial<ProcessLimits> = {},
  ) {
    this.hart = machine.hart;
    this.hartRegs = machine.hart.x.subarray(0, 32);
    this.memory = machine.memory;
    this.hart.hosted = true;
    this.hart.priv = PRIV_U;
    this.frames = new FrameAllocator(machine.memory);
    this.ipc = new Ipc({
      newObjectId: () => this.newObjectId(),
      deliverToWaiter: (key, deliver) => this.deliverToWaiter(key, deliver),
      wakeAll: (key) => {
        for (let t = this.ipcWaits.takeFirst(key); t !== undefined; t = this.ipcWaits.takeFirst(key))
          this.wake(t, 'event');
      },
      queued: (port) => this.messageQueued(port),
      remoteRoom: (port, senderPid) =>
        this.router?.hasRoom(port.remote!, this.senderNpid(senderPid)) === true,
      sendRemote: (port, m) =>
        this.router?.send(port.remote!, {
          data: m.data,
          caps: m.caps,
          badge: m.badge,
          sender: this.senderNpid(m.senderPid),
        }),
      // A waiting thread's wait record holds its message descriptor or notification out pointer.
      writeMessage: (received, tid) => {
        const t = this.delivering?.tid === tid ? this.delivering : this.threads.get(tid);
        return t?.wait !== undefined && writeReceived(t, t.wait.addr, received);
      },
      writeWord: (word, tid) => {
        const t = this.threads.get(tid);
        return t?.wait !== undefined && writeStruct(t, t.wait.addr, 4, (v) => v.setUint32(0, word, true));
      },
    });
    this.images = new ImageCache(this.frames);
    this.limits = {
      pages: limits.pages ?? PROCESS_PAGES_DEFAULT,
      threads: limits.threads ?? PROCESS_THREADS_DEFAULT,
      handles: limits.handles ?? PROCESS_HANDLES_DEFAULT,
    };
  }

  // ---- clock ---------------------------------------------------------------------------------

  now(): number {
    return this.instructions * NS_PER_INSTRUCTION + this.idleNs;
  }

  /** The earliest deadline of a sleeping thread (virtual ns), or -1. */
  nextDeadline(): number {
    return this.timers.next();
  }

  /** With every thread blocked, jumps the virtual clock to `ns` (the next deadline) and wakes sleepers. */
  advanceIdle(ns: number): void {
    assert(this.idle, 'the clock may only jump while the node is idle');
    if (ns > this.now()) this.idleNs += ns - this.now();
    this.expireTimers();
  }

  // ---- processes -----------------------------------------------------------------------------

  findProcess(pid: number): Process | undefined {
    return this.processes.get(pid);
  }

  findThread(tid: number): Thread | undefined {
    return this.threads.get(tid);
  }

  allProcesses(): Iterable<Process> {
    return this.processes.values();
  }

  /** Live processes running programs (server tasks do not count: they live as long as the node). */
  liveProcesses(): number {
    let n = 0;
    for (const p of this.processes.values()) if (p.alive && !this.tasks.has(p.pid)) n++;
    return n;
  }

  /** True for a system server task's process. */
  isTask(pid: number): boolean {
    return this.tasks.has(pid);
  }

  /**
   * Sets the bootstrap capabilities and grants them to the programs already running. After a
   * system server was restarted, a process whose slot still names the dead server's port gets the
   * new one there.
   */
  setBootstrap(caps: BootstrapCaps): void {
    this.bootstrap.nameServer = caps.nameServer;
    this.bootstrap.console = caps.console;
    for (const p of this.processes.values()) {
      if (!p.alive || this.tasks.has(p.pid)) continue;
      this.replaceDeadBootstrap(p, SLOT_NAME_SERVER, caps.nameServer, RIGHT_SEND | RIGHT_GRANT);
      this.replaceDeadBootstrap(p, SLOT_CONSOLE, caps.console, RIGHT_SEND);
      if (p.caps.get(SLOT_NAME_SERVER) !== undefined || p.caps.get(SLOT_CONSOLE) !== undefined) continue;
      this.grantBootstrap(p, undefined, undefined);
    }
  }

  private replaceDeadBootstrap(p: Process, slot: number, cap: Capability | undefined, rights: number): void {
    const held = p.caps.get(slot);
    if (cap === undefined || held === undefined) return;
    if (!(held.object instanceof Port) || held.object.alive || held.object === cap.object) return;
    this.ipc.dropCapability(p.caps.take(slot)!);
    p.caps.place(cap.derive(rights, p.pid), slot);
  }

  /** True when no thread is ready to run. */
  get idle(): boolean {
    return (
      this.sched.size === 0 &&
      this.current === undefined &&
      this.handoffTo === undefined &&
      this.pendingTasks.size === 0
    );
  }

  /** Creates a process running a static ELF. Throws ElfError, ExecError or KernelError. */
  spawn(request: SpawnRequest, parent: Process | undefined = undefined): Process {
    if (this.liveProcesses() >= PROCESS_MAX)
      throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
    if (this.threads.size >= THREAD_MAX) throw new KernelError(`too many threads (limit ${THREAD_MAX})`);
    const { image, loaded } = this.load(request);
    const pid = this.newPid();
    const limits = parent !== undefined ? { ...parent.limits } : { ...this.limits };
    const name = request.name ?? baseName(request.argv[0] ?? `pid${pid}`);
    const symbols = { list: image.symbols, symbolize: image.symbolize };
    const process = new Process(pid, this.npidOf(pid), name, loaded.addressSpace, symbols, limits);
    this.adopt(process, loaded.addressSpace);
    process.brkStart = loaded.brkStart;
    process.brk = loaded.brkStart;
    this.grantBootstrap(process, parent, request.parentCap);
    if (parent !== undefined) this.linkChild(parent, process);
    const thread = new Thread(pid, process);
    thread.pc = loaded.entry;
    thread.regs[2] = loaded.sp;
    thread.nice = request.nice ?? 0;
    this.startThread(thread);
    if (this.init === undefined) this.init = process;
    return process;
  }

  /** Registers a new process and wires its address space to the hart's TLB. */
  adopt(process: Process, as: Process['addressSpace']): void {
    as.pageLimit = process.limits.pages;
    as.onRemap = () => this.flushTranslations();
    this.processes.set(process.pid, process);
  }

  /**
   * Makes `child` a child of `parent`. It inherits copies of the parent's capabilities (derived,
   * so revoking the parent's reaches them) at the same slots, except receive rights and replies,
   * which have one holder, and slots its bootstrap capabilities already fill.
   */
  private linkChild(parent: Process, child: Process): void {
    child.parent = parent;
    child.pgid = parent.pgid;
    child.sid = parent.sid;
    parent.children.add(child);
    for (const cap of parent.caps.values()) {
      if (cap.has(RIGHT_RECEIVE) || cap.has(RIGHT_SEND_ONCE)) continue;
      if (child.caps.get(cap.slot) !== undefined || child.caps.size >= child.caps.limit) continue;
      child.caps.place(cap.derive(cap.rights, cap.badge), cap.slot);
    }
  }

  /** Places a new process's initial capabilities: name server, console and what its parent gives. */
  private grantBootstrap(
    process: Process,
    parent: Process | undefined,
    parentSlot: number | undefined,
  ): void {
    const badge = process.pid;
    const { nameServer, console } = this.bootstrap;
    if (nameServer !== undefined)
      process.caps.place(nameServer.derive(RIGHT_SEND | RIGHT_GRANT, badge), SLOT_NAME_SERVER);
    if (console !== undefined) process.caps.place(console.derive(RIGHT_SEND, badge), SLOT_CONSOLE);
    const given = parentSlot !== undefined && parentSlot > 0 ? parent?.caps.get(parentSlot) : undefined;
    if (given !== undefined && !given.has(RIGHT_RECEIVE) && !given.has(RIGHT_SEND_ONCE)) {
      process.caps.place(given.derive(given.rights, given.badge), SLOT_PARENT);
    }
  }

  // ---- system server tasks -------------------------------------------------------------------

  /** A new task process (an empty address space, no threads); `make` builds the task on it. */
  createTask(name: string, make: (process: Process) => Task): Task {
    const as = AddressSpace.create(this.memory, this.frames);
    if (as === undefined) throw new KernelError('out of memory creating a server task');
    const pid = this.newPid();
    const symbols = { list: [], symbolize: () => undefined };
    const process = new Process(pid, this.npidOf(pid), name, as, symbols, { ...this.limits });
    this.adopt(process, as);
    const task = make(process);
    this.tasks.set(pid, task);
    return task;
  }

  private messageQueued(port: Port): void {
    const task = this.tasks.get(port.receiver.ownerPid);
    if (task !== undefined) this.pendingTasks.add(task);
  }

  private runTasks(): void {
    for (const task of this.pendingTasks) {
      this.pendingTasks.delete(task);
      if (!task.process.alive) continue;
      try {
        task.run();
      } catch (err) {
        // A server's bug ends that server (its callers get EPIPE), never the node; onTaskEnded restarts it.
        this.host.report(
          `pakaya: system server ${task.process.name} failed: ${(err as Error).message}\n`,
          task.process,
        );
        if (task.process.alive) this.exitProcess(task.process, { kind: 'signaled', signal: 6 });
      }
    }
  }

  /** Host work charged by system calls since the last run slice (see SYSCALL_COST). */
  private charged = 0;

  charge(units: number): void {
    this.charged += units;
  }

  /** Called after a system server task ended (the node restarts it: src/servers/boot.ts). */
  onTaskEnded: ((name: string) => void) | undefined = undefined;

  /**
   * Hands an IPC result to the longest waiter on `key`: `deliver` writes it into that thread's
   * buffers and the thread's call completes (returning 0) without running again. When `deliver`
   * refuses, the thread is woken to run its call again (and meet the error itself).
   */
  /** The waiter deliverToWaiter is handing a result to (writeMessage finds it without a lookup). */
  private delivering: Thread | undefined = undefined;

  private deliverToWaiter(key: string, deliver: (space: Process['caps'], tid: number) => boolean): boolean {
    const waiter = this.ipcWaits.takeFirst(key);
    if (waiter === undefined) return false;
    this.delivering = waiter;
    const taken = deliver(waiter.process.caps, waiter.tid);
    this.delivering = undefined;
    if (!taken) {
      this.wake(waiter, 'event');
      return false;
    }
    this.complete(waiter, 0);
    return true;
  }

  /** Finishes a blocked thread's call with `result` (pc past the ecall) and makes it runnable. */
  private complete(thread: Thread, result: number): void {
    assert(
      thread.state === 'blocked' && thread.wait !== undefined,
      `complete a thread that is ${thread.state}`,
    );
    if (thread.wait.deadline >= 0) this.timers.remove(thread);
    thread.spareWait = thread.wait; // the call is over: no handler reads this record again
    thread.wait = undefined;
    if (this.onHart === thread) {
      this.hart.x[10] = result;
      this.hart.pc = (this.hart.pc + 4) | 0;
    } else {
      thread.regs[10] = result;
      thread.pc = (thread.pc + 4) | 0;
    }
    const parked = parkedState(thread.process);
    if (parked !== undefined) {
      thread.state = parked;
      return;
    }
    thread.state = 'ready';
    if (this.handoffTo === undefined && thread.level <= this.sched.bestLevel()) this.handoffTo = thread;
    else this.sched.enqueue(thread, this.instructions);
  }

  /** The NPID of the process with local id `pid` (its own, if it still exists). */
  private senderNpid(pid: number): Npid {
    return this.processes.get(pid)?.npid ?? this.npidOf(pid);
  }

  /** The NPID of a process born here with local id `pid`. */
  npidOf(pid: number): Npid {
    return npid(this.host.pids.nodeId, pid);
  }

  /** True when no process or thread on this node has id `id` (restore keeps the image's ids then). */
  idFree(id: number): boolean {
    return !this.processes.has(id) && !this.threads.has(id);
  }

  /** The process table, zombies included (admin API, `pakaya ps`). */
  listProcesses(): ProcessInfo[] {
    return [...this.processes.values()].filter((p) => !this.tasks.has(p.pid)).map(describeProcess);
  }

  /** Event counts the node exports as metrics. */
  get counters(): KernelStats {
    return this.stats;
  }

  /** Makes a new thread runnable. */
  startThread(thread: Thread): void {
    thread.process.threads.push(thread);
    this.threads.set(thread.tid, thread);
    thread.sliceLeft = SLICE_INSTRUCTIONS;
    const parked = parkedState(thread.process);
    if (parked !== undefined) thread.state = parked;
    else {
      thread.state = 'ready';
      this.sched.enqueue(thread, this.instructions);
    }
  }

  fork(thread: Thread): Process | number {
    const parent = thread.process;
    if (this.liveProcesses() >= PROCESS_MAX) return -11; // EAGAIN
    if (this.threads.size >= THREAD_MAX) return -11;
    const as = parent.addressSpace.fork();
    if (as === undefined) return -12; // ENOMEM
    const pid = this.newPid();
    const child = new Process(pid, this.npidOf(pid), parent.name, as, parent.symbols, { ...parent.limits });
    this.adopt(child, as);
    child.brkStart = parent.brkStart;
    child.brk = parent.brk;
    child.heap = parent.heap === undefined ? undefined : as.findRegion(parent.heap.start);
    child.clockOffset = parent.clockOffset;
    // its own bootstrap capabilities (badged with its pid), not copies of the parent's
    this.grantBootstrap(child, undefined, undefined);
    this.linkChild(parent, child);
    const main = new Thread(pid, child);
    this.copyCallerRegisters(thread, main);
    main.nice = thread.nice;
    // fork keeps dispositions, the caller's mask and alternate stack; nothing stays pending.
    child.sigactions = parent.sigactions.copy();
    main.blocked = thread.blocked;
    main.altStack = { ...thread.altStack };
    this.startThread(main);
    return child;
  }

  createThread(thread: Thread, stack: number, tls: number | undefined, clearTid: number): Thread | number {
    const p = thread.process;
    if (p.liveThreads() >= p.limits.threads || this.threads.size >= THREAD_MAX) return -11; // EAGAIN
    const child = new Thread(this.newPid(), p);
    this.copyCallerRegisters(thread, child);
    child.regs[2] = stack;
    if (tls !== undefined) child.regs[4] = tls;
    child.nice = thread.nice;
    child.clearChildTid = clearTid;
    child.blocked = thread.blocked; // a new thread starts with its creator's mask, no altstack
    this.startThread(child);
    return child;
  }

  /** The new thread continues after the caller's ecall with a0 = 0. */
  private copyCallerRegisters(caller: Thread, child: Thread): void {
    assert(this.onHart === caller, 'clone from a thread that is not on the hart');
    child.regs.set(this.hart.x.subarray(0, 32));
    child.regs[0] = 0;
    child.regs[10] = 0;
    child.pc = (this.hart.pc + 4) | 0;
  }

  exec(thread: Thread, request: ExecRequest): void {
    assert(this.onHart === thread, 'exec from a thread that is not on the hart');
    const { image, loaded } = this.load(request);
    const p = thread.process;
    for (const other of [...p.threads]) if (other !== thread) this.dropThread(other);
    p.addressSpace.destroy();
    p.addressSpace = loaded.addressSpace;
    this.adopt(p, loaded.addressSpace);
    p.symbols = { list: image.symbols, symbolize: image.symbolize };
    p.name = request.name ?? baseName(request.argv[0] ?? p.name);
    p.brkStart = loaded.brkStart;
    p.brk = loaded.brkStart;
    p.heap = undefined;
    thread.clearChildTid = 0;
    // exec: handlers back to default (ignored stay ignored); mask and pending signals are kept.
    p.sigactions.resetForExec();
    thread.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
    const hart = this.hart;
    hart.x.fill(0);
    hart.x[2] = loaded.sp;
    hart.pc = loaded.entry;
    hart.satp = loaded.addressSpace.satp;
    this.flushTranslations();
  }

  /** Parses and loads a program into a new address space (throws ElfError, ExecError, KernelError). */
  private load(request: ExecRequest): { image: ElfImage; loaded: LoadedProgram } {
    const image = parseElf(request.file, { addressLow: USER_BASE, addressHigh: USER_TOP });
    if (image.hasInterp)
      throw new KernelError('dynamically linked programs are not supported (PT_INTERP present)');
    const random = new Uint8Array(16);
    this.host.random.fill(random);
    const loaded = loadProgram(
      this.memory,
      this.frames,
      image,
      request.file,
      { argv: request.argv, envp: request.envp, random },
      this.images.pagesFor(request.file),
    );
    return { image, loaded };
  }

  nextShmId(): number {
    return this.newObjectId();
  }

  /**
   * A new kernel object id: the low 21 bits of the node id above bit 32, a counter below (so ids stay
   * below 2^53 and exact as numbers). Unique on the node (a restore gives objects new ids) and, but
   * for nodes whose ids agree in their low 21 bits, across nodes.
   */
  newObjectId(): number {
    assert(this.objectIds < 2 ** 32 - 1, 'object ids exhausted on this node');
    return (this.host.pids.nodeId % 2 ** 21) * 2 ** 32 + ++this.objectIds;
  }

  /** A new local id for a process or thread: the counter's next, skipping ids restored images hold. */
  newPid(): number {
    // The counter never repeats, so it passes at most as many taken ids as there are.
    for (let skipped = 0; ; skipped++) {
      assert(skipped <= this.processes.size + this.threads.size, 'the id counter repeats ids');
      const id = this.host.pids.next();
      if (this.idFree(id)) return id;
    }
  }

  // ---- process images ------------------------------------------------------------------------

  /**
   * The image of a live process, taken between steps (the process keeps running). Only for a
   * process that holds nothing but the bootstrap capabilities and maps no shared memory; any other
   * is captured as a group (captureGroup).
   */
  capture(pid: number): ProcessImage {
    const p = this.liveProcess(pid);
    if (!this.standalone(p))
      throw new KernelError(`process ${pid} holds IPC objects or shared memory: capture it as a group`);
    return capture(this, p);
  }

  private liveProcess(pid: number): Process {
    const p = this.processes.get(pid);
    if (p === undefined || !p.alive || this.tasks.has(pid)) throw new KernelError(`no live process ${pid}`);
    return p;
  }

  /** True when a process's image needs nothing but itself (bootstrap capabilities are granted anew). */
  private standalone(p: Process): boolean {
    for (const cap of p.caps.values()) if (this.bootstrapObject(cap.object) === undefined) return false;
    if (p.addressSpace.regions.some((r) => r.shared !== undefined)) return false;
    return p.threads.every((t) => t.wait === undefined || !IPC_WAITS.has(t.wait.kind));
  }

  /** Which bootstrap server an object is, if it is one. */
  private bootstrapObject(o: CapObject): 'nameServer' | 'console' | undefined {
    if (o === this.bootstrap.nameServer?.object) return 'nameServer';
    if (o === this.bootstrap.console?.object) return 'console';
    return undefined;
  }

  private groupKernel(): GroupKernel {
    return {
      memory: this.memory,
      frames: this.frames,
      now: () => this.now(),
      registersOf: (t) => this.registersOf(t),
      newPid: () => this.newPid(),
      idFree: (id) => this.idFree(id),
      adopt: (p, as) => this.adopt(p, as),
      startThread: (t) => this.startThread(t),
      processes: this.processes,
      threads: this.threads,
      isTask: (pid) => this.tasks.has(pid),
      bootstrapObject: (o) => this.bootstrapObject(o),
      replies: this.ipc.replies,
      futexes: this.futexes,
      ipcWaits: this.ipcWaits,
      nodeId: this.host.pids.nodeId,
    };
  }

  /** The pids of the group `pid` belongs to (see group-capture.ts): `pid` first. */
  groupOf(pid: number): number[] {
    return groupOf(this.groupKernel(), this.liveProcess(pid)).map((p) => p.pid);
  }

  /**
   * The image of the group of `pid`, taken between steps (nothing in it stops or notices). With
   * `contents: false` the members' own pages are listed without their bytes (see captureGroup).
   */
  captureGroup(pid: number, options: { contents?: boolean } = {}): GroupImage {
    // Messages queued for system servers are handled first (as the next step would): a member's
    // call to a server is then answered, not left in a queue the image does not carry.
    if (this.pendingTasks.size > 0) this.runTasks();
    const k = this.groupKernel();
    const members = groupOf(k, this.liveProcess(pid));
    for (const p of members)
      if (p.addressSpace.absent !== undefined)
        throw new KernelError(`process ${p.pid} still has pages to fetch: capture it once they have arrived`);
    return captureGroup(k, members, options);
  }

  /** The encoded image of the group of `pid` (see group-codec.ts). */
  checkpointGroup(pid: number): Uint8Array {
    return encodeGroup(this.captureGroup(pid));
  }

  /** The encoded, checksummed image of a live process (see image-codec.ts). */
  checkpoint(pid: number): Uint8Array {
    const p = this.liveProcess(pid);
    if (this.standalone(p)) return encodeImage(capture(this, p));
    const members = this.groupOf(pid);
    if (members.length > 1)
      throw new KernelError(
        `process ${pid} shares memory or IPC objects with ${members.slice(1).join(', ')}: checkpoint the group`,
      );
    return this.checkpointGroup(pid);
  }

  /** A new process continuing from an image; nothing runs when the image is bad (ImageError). */
  restoreImage(image: ProcessImage): Process {
    const ipcWait = image.manifest.threads.find((t) => t.wait !== undefined && IPC_WAITS.has(t.wait.kind));
    if (ipcWait !== undefined || image.manifest.regions.some((r) => r.kind === 'shared'))
      throw new ImageError('a process image with IPC waits or shared mappings must come in a group image');
    const id = parseNpid(image.manifest.npid);
    if (id === undefined) throw new ImageError(`npid: ${JSON.stringify(image.manifest.npid)} is not an NPID`);
    for (const p of this.processes.values())
      if (p.alive && p.npid === id) throw new KernelError(`process ${id} is already running on this node`);
    if (this.liveProcesses() >= PROCESS_MAX)
      throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
    if (this.threads.size + image.manifest.threads.length > THREAD_MAX)
      throw new KernelError(`too many threads (limit ${THREAD_MAX})`);
    const p = rebuild(this, image, id);
    if (p === undefined) throw new KernelError('out of memory while restoring the image');
    for (const t of p.threads) this.requeueRestoredWaiter(t);
    this.grantBootstrap(p, undefined, undefined);
    if (this.init === undefined) this.init = p;
    return p;
  }

  /**
   * A thread restored while waiting on a futex goes back on the futex's queue before anything
   * runs, so a wake that comes before it runs again finds it (it then returns 0 from its wait).
   */
  private requeueRestoredWaiter(t: Thread): void {
    const w = t.wait;
    if (w === undefined || w.woken !== undefined) return;
    const ipc = IPC_WAITS.has(w.kind);
    if (w.kind !== 'futex' && !ipc) return;
    if (t.state === 'ready') this.sched.remove(t);
    const p = t.process;
    if (!ipc) w.key = futexKey(p, w.addr, w.private, p.addressSpace.resolve(w.addr, PROT_READ));
    t.state = 'blocked';
    if (w.deadline >= 0) this.timers.add(t);
    if (ipc) this.ipcWaits.add(w.key, t);
    else this.futexes.add(w.key, t);
  }

  /** The largest image file this node reads given its first bytes (ImageError for a bad header). */
  imageSizeLimit(header: Uint8Array): number {
    if (isGroupImage(header)) return checkGroupHeader(header).maxBytes;
    return checkImageHeader(header, this.limits.pages).maxBytes;
  }

  /** Decodes and restores an encoded process or group image; returns the (root) process's pid. */
  restore(bytes: Uint8Array): number {
    return this.restoreAll(bytes)[0]!;
  }

  /** Decodes and restores an encoded process or group image; returns every live pid, the root first. */
  restoreAll(bytes: Uint8Array): number[] {
    if (isGroupImage(bytes)) return this.restoreGroup(decodeGroup(bytes)).map((p) => p.pid);
    return [this.restoreImage(decodeImage(bytes, this.limits)).pid];
  }

  /**
   * Restores a group image: every member keeps its NPID (and its pid and thread ids where free),
   * its capabilities and the objects they name; threads blocked at capture are blocked again on
   * the same queues, in the same order. Returns the live members, the root first. Nothing runs
   * when the image is refused (ImageError, KernelError).
   */
  restoreGroup(image: GroupImage, options: { pageSource?: PageSource } = {}): Process[] {
    const m = image.manifest;
    const ids = [...m.members.map((x) => x.npid), ...m.zombies.map((z) => z.npid)].map((text) => {
      const id = parseNpid(text);
      if (id === undefined) throw new ImageError(`npid: ${JSON.stringify(text)} is not an NPID`);
      return id;
    });
    if (new Set(ids).size !== ids.length) throw new ImageError('the group holds an NPID twice');
    for (const p of this.processes.values())
      if (!p.reaped && ids.includes(p.npid))
        throw new KernelError(`process ${p.npid} is already on this node`);
    if (this.liveProcesses() + m.members.length > PROCESS_MAX)
      throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
    const threads = m.members.reduce((n, x) => n + x.threads.length, 0);
    if (this.threads.size + threads > THREAD_MAX)
      throw new KernelError(`too many threads (limit ${THREAD_MAX})`);
    const k = this.groupKernel();
    const result = rebuildGroup(
      {
        ...k,
        replies: this.ipc.replies,
        newObjectId: () => this.newObjectId(),
        bootstrapCap: (which) => this.bootstrap[which],
      },
      image,
      ids,
      options.pageSource !== undefined,
    );
    if (!result.ok) {
      for (const p of result.built) {
        this.exitProcess(p, { kind: 'signaled', signal: SIGKILL });
        if (!p.reaped) this.reap(p);
      }
      throw new KernelError('out of memory while restoring the group image');
    }
    const order = m.members.flatMap((x, i) =>
      x.threads.map((t, j) => ({ at: t.wait?.queue ?? -1, thread: result.processes[i]!.threads[j]! })),
    );
    order.sort((a, b) => a.at - b.at);
    for (const { thread } of order) this.requeueRestoredWaiter(thread);
    const source = options.pageSource;
    if (source !== undefined)
      for (const p of result.processes)
        if (p.addressSpace.absent !== undefined) this.pageFetches.set(p, { source, requested: new Set() });
    const root = result.processes[0]!;
    if (this.init === undefined) this.init = root;
    return result.processes;
  }

  /** The kernel's queues and state as the invariant checker (invariants.ts) reads them. */
  inspect(): InvariantView {
    return {
      threads: this.threads,
      processes: this.processes,
      isTask: (pid) => this.tasks.has(pid),
      sched: this.sched,
      futexes: this.futexes,
      ipcWaits: this.ipcWaits,
      timers: this.timers,
      current: this.current,
      onHart: this.onHart,
      handoffTo: this.handoffTo,
      replies: this.ipc.replies,
      frames: this.frames,
      images: this.images,
    };
  }

  // ---- cluster hooks (hooks.ts) ---------------------------------------------------------------

  /** Clears the dirty marks of a process's pages (a pre-copy round or incremental checkpoint starts). */
  markClean(pid: number): void {
    this.liveProcess(pid).addressSpace.markClean();
    this.flushTranslations();
  }

  /** Virtual addresses of the process's pages written since its last markClean. */
  dirtyPages(pid: number): number[] {
    return this.liveProcess(pid).addressSpace.dirtyPages();
  }

  /**
   * Virtual addresses of the process's present pages outside shared mappings, ascending (a
   * migration's first round; shared memory travels with the group image).
   */
  privatePages(pid: number): number[] {
    const as = this.liveProcess(pid).addressSpace;
    const out: number[] = [];
    for (const r of as.regions) {
      if (r.shared !== undefined) continue;
      for (let v = r.start; v < r.end; v += 4096) if (as.frameAt(v) >= 0) out.push(v);
    }
    return out;
  }

  /** True when `vaddr` of the process lies in a shared mapping (its page travels with the object). */
  isSharedPage(pid: number, vaddr: number): boolean {
    return this.liveProcess(pid).addressSpace.findRegion(vaddr)?.shared !== undefined;
  }

  /** Copies the present page at `vaddr` (page-aligned) of a live process into `out` (4096 bytes). */
  readPage(pid: number, vaddr: number, out: Uint8Array): boolean {
    const frame = this.liveProcess(pid).addressSpace.frameAt(vaddr);
    if (frame < 0 || out.length !== 4096) return false;
    out.set(this.memory.u8.subarray(frame * 4096, frame * 4096 + 4096));
    return true;
  }

  /**
   * Ends the members of a migrated group here without a word to anyone: their copy runs on another
   * node now. No exit status, no SIGCHLD; the host sees `movedAway` set on each.
   */
  dropMigrated(pids: readonly number[]): void {
    for (const pid of pids) {
      const p = this.processes.get(pid);
      if (p === undefined || !p.alive) continue;
      p.movedAway = true;
      p.parent?.children.delete(p);
      p.parent = undefined;
      for (const child of p.children) child.parent = undefined;
      p.children.clear();
      this.exitProcess(p, { kind: 'signaled', signal: SIGKILL });
      if (!p.reaped) this.reap(p);
    }
  }

  /**
   * Parks (on) or releases (off) every thread of a process for a migration: parked threads do not
   * run; blocked ones keep waiting and park when woken. Nothing is reported to waitid or the
   * process, and a restore of its image runs it as if it had never stopped.
   */
  setMigrating(pid: number, on: boolean): void {
    const p = this.liveProcess(pid);
    if (p.migrating === on) return;
    p.migrating = on;
    for (const t of p.threads) {
      if (on && (t.state === 'ready' || t.state === 'running')) {
        if (t.state === 'ready') this.sched.remove(t);
        if (this.handoffTo === t) this.handoffTo = undefined;
        if (this.current === t) this.current = undefined;
        t.state = 'migrating';
      } else if (!on && t.state === 'migrating') {
        if (p.stopped) t.state = 'suspended';
        else {
          t.state = 'ready';
          this.sched.enqueue(t, this.instructions);
        }
      }
    }
  }

  /** A thread touched a page that has not arrived: it waits, and the page is asked for once. */
  private waitForPage(thread: Thread, vaddr: number): void {
    const p = thread.process;
    const fetch = this.pageFetches.get(p);
    assert(fetch !== undefined, `process ${p.pid} has absent pages but no page source`);
    this.block(thread, {
      kind: 'page',
      deadline: -1,
      addr: vaddr,
      private: false,
      key: pageKey(p.pid, vaddr),
    });
    if (fetch.requested.has(vaddr)) return;
    fetch.requested.add(vaddr);
    fetch.source.request(p.npid, vaddr);
  }

  /**
   * A page of a post-copy restore has arrived: it is mapped and the threads waiting for it run
   * again. False when the process is gone or the page is not one it waits for.
   */
  pageArrived(pid: number, vaddr: number, bytes: Uint8Array): boolean {
    const p = this.processes.get(pid);
    const as = p?.addressSpace;
    const bits = as?.absent?.get(vaddr);
    if (p === undefined || !p.alive || as === undefined || bits === undefined || bytes.length !== 4096)
      return false;
    const frame = this.frames.alloc();
    if (frame < 0 || !as.mapPage(vaddr, frame, protOfPte(bits), bits & (PTE_A | PTE_D | PTE_COW))) {
      if (frame >= 0) this.frames.release(frame);
      this.host.report(
        `pakaya: process ${p.pid} (${p.name}) killed by SIGKILL: out of memory for a fetched page\n`,
        p,
      );
      this.exitProcess(p, { kind: 'signaled', signal: SIGKILL });
      return false;
    }
    this.memory.writeBytes(frame * 4096, bytes);
    as.absent!.delete(vaddr);
    const fetch = this.pageFetches.get(p);
    fetch?.requested.delete(vaddr);
    if (as.absent!.size === 0) {
      as.absent = undefined;
      this.pageFetches.delete(p);
    }
    for (const t of this.ipcWaits.take(pageKey(pid, vaddr), Number.MAX_SAFE_INTEGER)) {
      this.wake(t, 'event');
      t.wait = undefined; // no call to run again: the faulting access retries
    }
    return true;
  }

  /** Sets the router that carries messages for remote ports (see hooks.ts). */
  setPortRouter(router: PortRouter): void {
    this.router = router;
  }

  /** A send right in process `pid`'s space to a port on another node, reached through `route`. */
  createRemotePort(pid: number, route: number, badge = 0): number {
    const slot = this.ipc.createRemotePort(this.liveProcess(pid).caps, route, badge);
    if (slot > 0) this.trackRemote(this.liveProcess(pid).caps.get(slot)!.object as Port);
    return slot;
  }

  /** A send right to a remote port, in no space: for a message arriving from another node. */
  remoteCapability(route: number, rights: number, badge: number): Capability {
    const cap = this.ipc.remoteCapability(route, rights, badge);
    this.trackRemote(cap.object as Port);
    return cap;
  }

  private trackRemote(port: Port): void {
    assert(this.remotePorts.size < REMOTE_PORTS_MAX, `more than ${REMOTE_PORTS_MAX} remote ports`);
    this.remotePorts.set(port.id, port);
  }

  /** The route of `route` has room again: senders blocked on its remote ports try again. */
  routeHasRoom(route: number): void {
    for (const port of this.remotePorts.values()) if (port.remote === route) this.ipc.remoteRoomFreed(port);
  }

  /**
   * Makes the port whose receive right is in `slot` of process `pid` reachable from other nodes;
   * returns its id (the name deliverRemote takes) or -errno.
   */
  exportPort(pid: number, slot: number): number {
    const cap = this.liveProcess(pid).caps.get(slot);
    if (cap === undefined) return -EBADF;
    const port = cap.object;
    if (!(port instanceof Port) || !cap.has(RIGHT_RECEIVE) || port.remote !== undefined) return -EINVAL;
    if (this.exported.size >= EXPORTED_PORTS_MAX) return -EMFILE;
    this.exported.set(port.id, port);
    return port.id;
  }

  /**
   * A message from another node for exported port `portId`: queued (or handed to a waiting
   * receiver) and 0; -EAGAIN when its queue or the sender's quota is full (the router retries);
   * -EPIPE when the port has died; -ENOENT for a port never exported. On failure the message's
   * capabilities are still the caller's.
   */
  deliverRemote(portId: number, message: InboundMessage): number {
    const port = this.exported.get(portId);
    if (port === undefined) return -ENOENT;
    if (!port.alive) {
      this.exported.delete(portId);
      return -EPIPE;
    }
    if (message.data.length > MSG_BYTES_MAX || message.caps.length > MSG_CAPS_MAX) return -EMSGSIZE;
    const r = this.ipc.deliverInbound(port, {
      data: message.data,
      caps: message.caps,
      badge: message.badge >>> 0,
      reply: undefined,
      senderPid: remoteSenderKey(message.sender),
    });
    return r === WOULD_BLOCK ? -EAGAIN : r;
  }

  /** Deletes a capability in no space (one the router has carried, or one it made and did not use). */
  dropCapability(cap: Capability): void {
    this.ipc.dropCapability(cap);
  }

  // ---- running -------------------------------------------------------------------------------

  /**
   * Runs ready threads for at most `budget` instructions (a trap that retires nothing counts as
   * one). Returns the number of budget units used; less than `budget` only when the kernel is idle.
   */
  step(budget: number): number {
    let used = 0;
    const hart = this.hart;
    while (used < budget) {
      this.expireTimers();
      if (this.pendingTasks.size > 0) this.runTasks();
      let thread = this.current;
      if (thread === undefined) {
        thread = this.handoffTo;
        this.handoffTo = undefined;
        if (thread?.state !== 'ready') thread = this.sched.pick(this.instructions);
        if (thread === undefined) break;
        thread.state = 'running';
        this.current = thread;
      }
      this.switchTo(thread);
      if (hasDeliverable(thread)) {
        deliver(this, thread);
        if (this.current !== thread) continue; // the signal ended or stopped it
      }
      let quantum = Math.min(budget - used, thread.sliceLeft);
      const deadline = this.timers.next();
      if (deadline >= 0) {
        const until = Math.ceil((deadline - this.now()) / NS_PER_INSTRUCTION);
        quantum = Math.max(1, Math.min(quantum, until));
      }
      const before = hart.instret;
      const reason = hart.run(quantum);
      const retired = hart.instret - before;
      this.instructions += retired;
      thread.instructions += retired;
      thread.sliceLeft -= retired;
      used += Math.max(retired, 1);
      this.yielded = false;
      if (reason === EXIT_TRAP) {
        this.handleTrap(thread);
        if (thread.state === 'blocked') interruptIfPending(this, thread);
      }
      used += this.charged;
      this.charged = 0;
      this.afterRun(thread);
      if (this.afterEachStep !== undefined) this.afterEachStep(this.inspect());
    }
    return used;
  }

  /** Decides whether the thread that just ran keeps the hart. */
  private afterRun(thread: Thread): void {
    const next = this.handoffTo;
    if (next !== undefined && thread.state === 'running') {
      // The sender runs on: the woken thread waits its turn in the run queue.
      this.handoffTo = undefined;
      if (next.state === 'ready') this.sched.enqueue(next, this.instructions);
    }
    if (thread.state !== 'running') {
      if (this.current === thread) this.current = undefined;
      return;
    }
    const sliceOver = thread.sliceLeft <= 0 || this.yielded;
    const preempted = this.sched.bestLevel() < thread.level;
    if (!sliceOver && !preempted) return;
    if (sliceOver) thread.sliceLeft = SLICE_INSTRUCTIONS;
    thread.state = 'ready';
    this.sched.enqueue(thread, this.instructions, !sliceOver);
    this.current = undefined;
  }

  /** Puts `thread` on the hart, saving whichever thread was there. */
  private switchTo(thread: Thread): void {
    if (this.onHart === thread) return;
    const hart = this.hart;
    this.saveOnHart();
    hart.x.set(thread.regs);
    hart.x[0] = 0;
    hart.pc = thread.pc;
    const space = thread.process.addressSpace;
    if (hart.satp !== space.satp) {
      // The outgoing space's entries are kept for its next turn (ASID-like), unless the TLB's
      // owner is unknown (exec, restore): then they are dropped.
      const out = this.tlbSpace !== undefined && this.tlbSpace.satp === hart.satp ? this.tlbSpace : undefined;
      hart.satp = space.satp;
      hart.tlb.switchSpace(out?.tlbSaved, space.tlbSaved);
      this.tlbSpace = space;
    }
    hart.reservation = -1;
    this.onHart = thread;
    this.stats.contextSwitches++;
  }

  private saveOnHart(): void {
    const t = this.onHart;
    if (t === undefined) return;
    t.regs.set(this.hartRegs);
    t.pc = this.hart.pc;
    this.onHart = undefined;
  }

  /** The thread's registers as they stand now (from the hart when it is there). */
  registersOf(thread: Thread): { regs: Int32Array; pc: number } {
    if (this.onHart === thread) return { regs: this.hart.x.slice(0, 32), pc: this.hart.pc };
    return { regs: thread.regs.slice(), pc: thread.pc };
  }

  /** Saves the thread on the hart so every thread's registers are in its Thread (images). */
  parkHart(): void {
    this.saveOnHart();
  }

  flushTranslations(): void {
    this.hart.tlb.flush();
  }

  private handleTrap(thread: Thread): void {
    const info = this.hart.exitInfo;
    const cause = info[EXIT_CAUSE]!;
    const tval = info[EXIT_TVAL]! >>> 0;
    assert(info[EXIT_PC] === this.hart.pc, 'exit record pc differs from hart pc');
    if (cause === CAUSE_USER_ECALL) {
      this.stats.syscalls++;
      syscall(this, thread);
      return;
    }
    if (
      cause === CAUSE_FETCH_PAGE_FAULT ||
      cause === CAUSE_LOAD_PAGE_FAULT ||
      cause === CAUSE_STORE_PAGE_FAULT
    ) {
      const prot =
        cause === CAUSE_FETCH_PAGE_FAULT
          ? PROT_EXEC
          : cause === CAUSE_LOAD_PAGE_FAULT
            ? PROT_READ
            : PROT_WRITE;
      const resolved = thread.process.addressSpace.resolve(tval, prot);
      if (resolved >= 0) {
        this.stats.pageFaults++;
        return; // demand-zero, copy-on-write or stack growth: retry the instruction
      }
      if (resolved === RESOLVE_ABSENT) {
        this.waitForPage(thread, tval - (tval % 4096));
        return; // the instruction runs again once the page has arrived
      }
      if (resolved === RESOLVE_NOMEM) {
        const p = thread.process;
        const why =
          p.addressSpace.resident >= p.addressSpace.pageLimit
            ? `its memory limit of ${p.addressSpace.pageLimit} pages is reached`
            : 'the node is out of memory';
        this.host.report(
          `pakaya: process ${p.pid} (${p.name}) killed by SIGKILL: ${why} (fault at 0x${tval.toString(16)})\n`,
          p,
        );
        this.exitProcess(p, { kind: 'signaled', signal: SIGKILL });
        return;
      }
    }
    const signal = signalForCause(cause);
    const region = thread.process.addressSpace.findRegion(tval);
    if (postFault(thread, faultInfo(signal, this.hart.pc, tval, region !== undefined))) return;
    this.host.report(crashReport(thread, this.hart, cause, tval, signal), thread.process);
    this.exitProcess(thread.process, { kind: 'signaled', signal });
  }

  // ---- blocking ------------------------------------------------------------------------------

  block(thread: Thread, wait: Omit<WaitRecord, 'woken'>): typeof BLOCK {
    assert(thread.state === 'running', `thread ${thread.tid} blocks while ${thread.state}`);
    // One object shape for every wait record (a spread makes a new shape per caller's literal);
    // the record of the thread's last completed wait when there is one (nothing else holds it).
    const spare = thread.spareWait;
    if (spare !== undefined) {
      thread.spareWait = undefined;
      spare.kind = wait.kind;
      spare.deadline = wait.deadline;
      spare.addr = wait.addr;
      spare.private = wait.private;
      spare.key = wait.key;
      spare.woken = undefined;
      thread.wait = spare;
    } else {
      thread.wait = {
        kind: wait.kind,
        deadline: wait.deadline,
        addr: wait.addr,
        private: wait.private,
        key: wait.key,
        woken: undefined,
      };
    }
    thread.state = 'blocked';
    if (wait.deadline >= 0) this.timers.add(thread);
    if (wait.kind === 'futex') this.futexes.add(wait.key, thread);
    else if (IPC_WAITS.has(wait.kind)) this.ipcWaits.add(wait.key, thread);
    if (wait.kind === 'read') this.host.wantInput?.();
    return BLOCK;
  }

  wake(thread: Thread, how: 'event' | 'timeout'): void {
    const wait = thread.wait;
    if (thread.state !== 'blocked' || wait === undefined) return;
    wait.woken = how;
    if (wait.deadline >= 0 && how !== 'timeout') this.timers.remove(thread);
    if (wait.kind === 'futex') this.futexes.remove(wait.key, thread);
    else if (IPC_WAITS.has(wait.kind)) this.ipcWaits.remove(wait.key, thread);
    const parked = parkedState(thread.process);
    if (parked !== undefined) thread.state = parked;
    else {
      thread.state = 'ready';
      this.sched.enqueue(thread, this.instructions);
    }
  }

  private expireTimers(): void {
    if (this.timers.size === 0) return;
    for (const thread of this.timers.expire(this.now())) this.wake(thread, 'timeout');
  }

  /** Wakes every thread blocked reading fd 0 (input arrived or ended). */
  inputArrived(): void {
    for (const t of this.threads.values())
      if (t.state === 'blocked' && t.wait?.kind === 'read') this.wake(t, 'event');
  }

  /** Console input for fd 0 from the node. */
  pushInput(data: Uint8Array): void {
    this.input.push(data);
    this.inputArrived();
  }

  endInput(): void {
    this.input.ended = true;
    this.inputArrived();
  }

  /** True when some thread waits for console input. */
  get wantsInput(): boolean {
    for (const t of this.threads.values()) if (t.state === 'blocked' && t.wait?.kind === 'read') return true;
    return false;
  }

  yieldThread(thread: Thread): void {
    if (thread === this.current) this.yielded = true;
  }

  setNice(thread: Thread, nice: number): void {
    const queued = thread.state === 'ready' && this.sched.remove(thread);
    thread.nice = nice;
    if (queued) this.sched.enqueue(thread, this.instructions);
  }

  // ---- ending --------------------------------------------------------------------------------

  /** Takes a thread out of every queue and marks it a zombie; its process keeps its instructions. */
  private dropThread(thread: Thread): void {
    if (thread.state === 'ready') this.sched.remove(thread);
    const wait = thread.wait;
    if (thread.state === 'blocked' && wait !== undefined) {
      if (wait.deadline >= 0) this.timers.remove(thread);
      if (wait.kind === 'futex') this.futexes.remove(wait.key, thread);
      else if (IPC_WAITS.has(wait.kind)) this.ipcWaits.remove(wait.key, thread);
      if (wait.kind === 'reply') this.ipc.abandonReply(Number(wait.key.slice(1)));
    }
    thread.state = 'zombie';
    thread.wait = undefined;
    if (this.current === thread) this.current = undefined;
    if (this.onHart === thread) this.onHart = undefined;
    this.threads.delete(thread.tid);
    const p = thread.process;
    const at = p.threads.indexOf(thread);
    if (at >= 0 && p.threads.length > 1) {
      p.threads.splice(at, 1);
      p.exitedInstructions += thread.instructions;
    }
  }

  exitThread(thread: Thread, status: number): void {
    const p = thread.process;
    if (p.liveThreads() <= 1) {
      this.exitProcess(p, { kind: 'exited', status: status & 0xff });
      return;
    }
    if (thread.clearChildTid !== 0) {
      const addr = thread.clearChildTid >>> 0;
      if (p.addressSpace.copyOut(addr, new Uint8Array(4))) {
        const key = futexKey(p, addr, false, p.addressSpace.resolve(addr, PROT_READ));
        for (const waiter of this.futexes.take(key, 1)) this.wake(waiter, 'event');
      }
    }
    this.dropThread(thread);
  }

  exitProcess(process: Process, termination: Termination): void {
    assert(process.alive, `process ${process.pid} exits twice`);
    for (const thread of [...process.threads]) this.dropThread(thread);
    process.termination = termination;
    process.stopped = false;
    process.migrating = false;
    this.pageFetches.delete(process);
    process.addressSpace.destroy();
    this.ipc.dropSpace(process.caps);
    this.flushTranslations();
    // Orphans go to the node's first process while it lives; otherwise the node reaps them.
    const heir = this.init !== undefined && this.init !== process && this.init.alive ? this.init : undefined;
    for (const child of process.children) {
      child.parent = heir;
      if (heir !== undefined) heir.children.add(child);
      if (!child.alive) {
        if (heir === undefined) this.reap(child);
        else this.notifyParent(child);
      }
    }
    process.children.clear();
    if (process === this.init) this.init = undefined;
    const parent = process.parent;
    if (parent?.alive) {
      this.notifyParent(process);
      const code = termination.kind === 'exited' ? CLD_EXITED : CLD_KILLED;
      const status = termination.kind === 'exited' ? termination.status : termination.signal;
      post(this, parent, undefined, sigInfo(SIGCHLD, code, process.pid, 0, status));
    } else this.reap(process);
    this.images.prune();
    this.host.exited?.(process);
    const task = this.tasks.get(process.pid);
    if (task !== undefined) {
      this.tasks.delete(process.pid);
      this.pendingTasks.delete(task);
      this.onTaskEnded?.(process.name);
    }
  }

  /** Wakes the parent's threads waiting in waitid: a child ended, stopped or continued. */
  private notifyParent(child: Process): void {
    const parent = child.parent;
    if (parent === undefined) return;
    for (const t of parent.threads)
      if (t.state === 'blocked' && t.wait?.kind === 'child') this.wake(t, 'event');
  }

  reap(process: Process): void {
    assert(!process.alive, `reaping live process ${process.pid}`);
    process.parent?.children.delete(process);
    process.reaped = true;
    this.processes.delete(process.pid);
  }

  /** Sends `signal` to the process (kill): see signal-delivery.ts for what it does. */
  signal(process: Process, signal: number, info: SigInfo = sigInfo(signal, SI_USER)): void {
    post(this, process, undefined, info);
  }

  /** Sends a signal to one thread (tkill, tgkill). */
  signalThread(thread: Thread, info: SigInfo): void {
    post(this, thread.process, thread, info);
  }

  /** rt_sigreturn for the thread on the hart; false when its frame cannot be read. */
  sigreturn(thread: Thread): boolean {
    assert(this.onHart === thread, 'sigreturn from a thread that is not on the hart');
    return sigreturn(this, thread);
  }

  /** A blocked thread stops waiting (a signal came): its call is ended or run again on delivery. */
  interrupt(thread: Thread): void {
    const wait = thread.wait;
    if (thread.state !== 'blocked' || wait === undefined) return;
    this.wake(thread, 'event');
    wait.woken = undefined;
    if (wait.kind === 'page') thread.wait = undefined; // no call to run again: the access retries
  }

  stopProcess(process: Process): void {
    if (!process.stopped) {
      process.stopped = true;
      for (const t of process.threads) {
        if (t.state === 'ready') this.sched.remove(t);
        if (t.state === 'ready' || t.state === 'running') t.state = 'suspended';
        if (this.current === t) this.current = undefined;
      }
      process.waitReport = 'stopped';
      this.notifyParent(process);
    }
  }

  continueProcess(process: Process): void {
    if (process.stopped) {
      process.stopped = false;
      for (const t of process.threads) {
        if (t.state !== 'suspended') continue;
        if (process.migrating) t.state = 'migrating';
        else {
          t.state = 'ready';
          this.sched.enqueue(t, this.instructions);
        }
      }
      process.waitReport = 'continued';
      this.notifyParent(process);
    }
  }

  /** kill from the node (admin API): 0 or a negative errno (-1 EPERM for a system server). */
  kill(pid: number, signal: number): number {
    const p = this.processes.get(pid);
    if (p === undefined || !p.alive) return -3; // ESRCH
    if (this.tasks.has(pid)) return -1; // EPERM: system servers are not signal targets
    if (!Number.isInteger(signal) || signal < 0 || signal > 64) return -22; // EINVAL
    this.signal(p, signal);
    return 0;
  }

  /** Signal name for reports. */
  static signalName(signal: number): string {
    return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
  }
}

/** The wait-queue key of threads waiting for page `vaddr` of process `pid` to arrive. */
function pageKey(pid: number, vaddr: number): string {
  return `g${pid}:${vaddr}`;
}

/**
 * The quota key of a sender on another node: negative, so it never meets a local pid (node ids
 * that agree in their low 21 bits share keys: they only share a quota).
 */
function remoteSenderKey(sender: Npid): number {
  return -1 - (npidNode(sender) % 2 ** 21) * 2 ** 31 - npidLocal(sender);
}

/** The state a thread of `p` takes instead of ready: stopped, or being migrated; else undefined. */
function parkedState(p: Process): 'suspended' | 'migrating' | undefined {
  return p.stopped ? 'suspended' : p.migrating ? 'migrating' : undefined;
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}
