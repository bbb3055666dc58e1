// One node's kernel: owns the machine's RAM through the frame allocator, the process and thread
// tables, the scheduler, timers and wait queues. `step(budget)` runs ready threads on the hart in
// hosted mode (DESIGN.md §4) for at most `budget` instructions. Guest time is retired instructions
// (DESIGN.md §3). This file holds the kernel's state and its public API; the work is done by the
// kernel-*.ts modules, one concern each:
//   kernel-step.ts     the step loop, context switch and trap handling
//   kernel-waits.ts    blocking, waking, completing and interrupting calls; timeouts; input waits
//   kernel-spawn.ts    spawn, fork, clone, exec, bootstrap capabilities, ids
//   kernel-exit.ts     thread and process exit, orphans, reaping
//   kernel-tasks.ts    system server tasks
//   kernel-signals.ts  stop, continue, kill from the node
//   kernel-images.ts   capture and restore of process and group images
//   kernel-hooks.ts    the cluster's hooks: dirty marks, migration, page source, remote ports
//   kernel-ipc.ts      the IPC hooks and the message ABI into waiting threads
// The modules see the kernel as a KernelState (kernel-state.ts); fields marked "internal" are
// theirs, not for callers outside src/kernel.
import { PRIV_U } from '../machine/constants.js';
import type { Hart } from '../machine/hart.js';
import type { Machine } from '../machine/machine.js';
import type { PhysicalMemory } from '../machine/memory.js';
import { assert } from './assert.js';
import { KernelError } from './errors.js';
import { FrameAllocator } from './frames.js';
import { FutexTable, type WaitPoint } from './futex.js';
import type { GroupImage } from './group-image.js';
import type { InboundMessage, PortRouter, RemoteSpawner } from './hooks.js';
import type { KernelHost } from './host.js';
import type { ProcessImage } from './image.js';
import { ImageCache } from './image-cache.js';
import { InputQueue } from './input.js';
import type { InvariantView } from './invariants.js';
import type { Capability } from './ipc/cspace.js';
import { Ipc } from './ipc/ipc.js';
import type { Port } from './ipc/objects.js';
import { exitProcess, exitThread, reap } from './kernel-exit.js';
import * as hooks from './kernel-hooks.js';
import * as images from './kernel-images.js';
import { ipcHooks } from './kernel-ipc.js';
import { continueProcess, kill, stopProcess } from './kernel-signals.js';
import * as spawning from './kernel-spawn.js';
import type {
  BootstrapCaps,
  KernelState,
  KernelStats,
  PageFetch,
  SpawnRequest,
  Task,
} from './kernel-state.js';
import { liveRegisters, saveOnHart, step } from './kernel-step.js';
import { createTask } from './kernel-tasks.js';
import {
  block,
  blockIpc,
  completeWaiter,
  expireTimers,
  inputArrived,
  interrupt,
  wake,
  wantsInput,
} from './kernel-waits.js';
import {
  NPID_MEMO_MAX,
  NS_PER_INSTRUCTION,
  PROCESS_HANDLES_DEFAULT,
  PROCESS_PAGES_DEFAULT,
  PROCESS_THREADS_DEFAULT,
} from './limits.js';
import { type Npid, npid } from './npid.js';
import type { Process, ProcessLimits, Termination, Thread, WaitRecord } from './proc.js';
import { describeProcess, type ProcessInfo } from './process-info.js';
import { type RemoteSpawnResult, RemoteSpawns } from './remote-spawn.js';
import { Scheduler } from './sched.js';
import { post, sigreturn } from './signal-delivery.js';
import { SI_USER, SIGNAL_NAMES, type SigInfo, sigInfo } from './signals.js';
import type { BLOCK, ExecRequest } from './syscall-context.js';
import { Timers } from './timers.js';
import type { AddressSpace } from './vm.js';

export { KernelError } from './errors.js';

export type { BootstrapCaps, KernelStats, SpawnRequest, Task } from './kernel-state.js';

export class Kernel implements KernelState {
  readonly hart: Hart;
  readonly memory: PhysicalMemory;
  readonly frames: FrameAllocator;
  readonly processes = new Map<number, Process>();
  /** processByNpid's memo (NPID → its live process; an entry is checked before use). */
  private readonly byNpid = new Map<string, Process>();
  readonly threads = new Map<number, Thread>();
  readonly futexes = new FutexTable();
  readonly ipc: Ipc;
  readonly bootstrap: BootstrapCaps = { nameServer: undefined, console: undefined };
  readonly input = new InputQueue();
  readonly stats: KernelStats = { syscalls: 0, pageFaults: 0, contextSwitches: 0 };
  readonly limits: ProcessLimits;
  /** Instructions retired on this node. */
  instructions = 0;
  /**
   * Called after every slice and every trap the hart hands to the kernel, when set: the kernel's
   * tests run the invariant checker (invariants.ts) here. Unset (the default) it costs nothing.
   */
  afterEachStep: ((view: InvariantView) => void) | undefined = undefined;
  /** Called after a system server task ended (the node restarts it: src/servers/boot.ts). */
  onTaskEnded: ((name: string) => void) | undefined = undefined;

  // ---- internal: state of the kernel-*.ts modules ---------------------------------------------

  /** internal: threads waiting in IPC calls, by the object they wait on (see ipc/ipc.ts keys). */
  readonly ipcWaits = new FutexTable();
  /** internal: the last kernel object id handed out on this node (kernel-spawn.ts newObjectId). */
  objectIds = 0;
  /** internal: a thread a send or reply completed, to run next without a trip through the run queue. */
  handoffTo: Thread | undefined = undefined;
  /** internal: system server tasks by pid, and those with something queued. */
  readonly tasks = new Map<number, Task>();
  readonly pendingTasks = new Set<Task>();
  /** internal */
  readonly sched = new Scheduler();
  /** internal */
  readonly timers = new Timers();
  /** internal: program pages shared between processes running the same ELF. */
  readonly images: ImageCache;
  /** internal: the thread whose registers are on the hart. */
  onHart: Thread | undefined = undefined;
  /** internal: the address space whose entries the hart's TLB holds (switchTo), if known. */
  tlbSpace: AddressSpace | undefined = undefined;
  /** internal: x0..x31 of the hart's register file (a view made once: saving a thread allocates nothing). */
  readonly hartRegs: Int32Array;
  /** internal: the thread running now (if any). */
  current: Thread | undefined = undefined;
  /** internal: the running thread gave up the rest of its slice. */
  yielded = false;
  /** internal: the node's first process: it adopts orphans while it lives. */
  init: Process | undefined = undefined;
  /** internal: ns the clock jumped while the node was idle. */
  idleNs = 0;
  /** internal: host work charged by system calls since the last run slice (see SYSCALL_COST). */
  charged = 0;
  /** internal: the waiter deliverToWaiter is handing a result to (writeMessage finds it without a lookup). */
  delivering: Thread | undefined = undefined;
  /** internal: post-copy restores: each process's page source and the pages asked for (hooks.ts). */
  readonly pageFetches = new Map<Process, PageFetch>();
  /** internal: the router for remote ports, the remote ports made here and the ports exported to other nodes. */
  router: PortRouter | undefined = undefined;
  readonly remotePorts = new Map<number, Port>();
  readonly exported = new Map<number, Port>();
  /** internal: spawn_on calls waiting for another node's answer (remote-spawn.ts). */
  readonly remoteSpawns = new RemoteSpawns();

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
    this.ipc = new Ipc(ipcHooks(this));
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
    expireTimers(this);
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

  /** A live process running a program (not a server task); KernelError otherwise. */
  liveProcess(pid: number): Process {
    const p = this.processes.get(pid);
    if (p === undefined || !p.alive || this.tasks.has(pid)) throw new KernelError(`no live process ${pid}`);
    return p;
  }

  /**
   * Sets the bootstrap capabilities and grants them to the programs already running. After a
   * system server was restarted, a process whose slot still names the dead server's port gets the
   * new one there.
   */
  setBootstrap(caps: BootstrapCaps): void {
    spawning.setBootstrap(this, caps);
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
    return spawning.spawn(this, request, parent);
  }

  /** Registers a new process and wires its address space to the hart's TLB. */
  adopt(process: Process, as: Process['addressSpace']): void {
    spawning.adopt(this, process, as);
  }

  /** Makes a new thread runnable. */
  startThread(thread: Thread): void {
    spawning.startThread(this, thread);
  }

  fork(thread: Thread): Process | number {
    return spawning.fork(this, thread);
  }

  createThread(thread: Thread, stack: number, tls: number | undefined, clearTid: number): Thread | number {
    return spawning.createThread(this, thread, stack, tls, clearTid);
  }

  exec(thread: Thread, request: ExecRequest): void {
    spawning.exec(this, thread, request);
  }

  nextShmId(): number {
    return spawning.newObjectId(this);
  }

  /**
   * A new kernel object id: the low 21 bits of the node id above bit 32, a counter below (so ids stay
   * below 2^53 and exact as numbers). Unique on the node (a restore gives objects new ids) and, but
   * for nodes whose ids agree in their low 21 bits, across nodes.
   */
  newObjectId(): number {
    return spawning.newObjectId(this);
  }

  /** A new local id for a process or thread: the counter's next, skipping ids restored images hold. */
  newPid(): number {
    return spawning.newPid(this);
  }

  /** The NPID of a process born here with local id `pid`. */
  npidOf(pid: number): Npid {
    return npid(this.host.pids.nodeId, pid);
  }

  /** True when no process or thread on this node has id `id` (restore keeps the image's ids then). */
  idFree(id: number): boolean {
    return !this.processes.has(id) && !this.threads.has(id);
  }

  /** Sets who starts processes on other nodes for spawn_on (see hooks.ts, remote-spawn.ts); undefined: ENOSYS. */
  setRemoteSpawner(spawner: RemoteSpawner | undefined): void {
    this.remoteSpawns.spawner = spawner;
  }

  /** The answer to spawn_on ticket `ticket`: the child's NPID or a negative errno; wakes the caller. */
  remoteSpawnDone(ticket: number, result: RemoteSpawnResult): void {
    const t = this.remoteSpawns.answer(ticket, result);
    if (t === undefined) return;
    if (this.threads.get(t.tid) !== t || t.state === 'zombie') this.remoteSpawns.close(t);
    else if (t.state === 'blocked' && t.wait?.kind === 'spawn' && t.wait.object === ticket)
      this.wake(t, 'event');
  }

  /** The process table, zombies included (admin API, `pakaya ps`). */
  listProcesses(): ProcessInfo[] {
    return [...this.processes.values()].filter((p) => !this.tasks.has(p.pid)).map(describeProcess);
  }

  /** Event counts the node exports as metrics. */
  get counters(): KernelStats {
    return this.stats;
  }

  // ---- system server tasks -------------------------------------------------------------------

  /** A new task process (an empty address space, no threads); `make` builds the task on it. */
  createTask(name: string, make: (process: Process) => Task): Task {
    return createTask(this, name, make);
  }

  charge(units: number): void {
    this.charged += units;
  }

  // ---- process images ------------------------------------------------------------------------

  /**
   * The image of a live process, taken between steps (the process keeps running). Only for a
   * process that holds nothing but the bootstrap capabilities and maps no shared memory; any other
   * is captured as a group (captureGroup).
   */
  capture(pid: number): ProcessImage {
    return images.captureProcess(this, pid);
  }

  /** The pids of the group `pid` belongs to (see group-capture.ts): `pid` first. */
  groupOf(pid: number): number[] {
    return images.groupOf(this, pid);
  }

  /**
   * The image of the group of `pid`, taken between steps (nothing in it stops or notices). With
   * `contents: false` the members' own pages are listed without their bytes (see captureGroup).
   */
  captureGroup(pid: number, options: { contents?: boolean } = {}): GroupImage {
    return images.captureGroup(this, pid, options);
  }

  /** The encoded image of the group of `pid` (see group-codec.ts). */
  checkpointGroup(pid: number): Uint8Array {
    return images.checkpointGroup(this, pid);
  }

  /** The encoded, checksummed image of a live process (see image-codec.ts). */
  checkpoint(pid: number): Uint8Array {
    return images.checkpoint(this, pid);
  }

  /** A new process continuing from an image; nothing runs when the image is bad (ImageError). */
  restoreImage(image: ProcessImage): Process {
    return images.restoreImage(this, image);
  }

  /** The largest image file this node reads given its first bytes (ImageError for a bad header). */
  imageSizeLimit(header: Uint8Array): number {
    return images.imageSizeLimit(this, header);
  }

  /** Decodes and restores an encoded process or group image; returns the (root) process's pid. */
  restore(bytes: Uint8Array): number {
    return this.restoreAll(bytes)[0]!;
  }

  /** Decodes and restores an encoded process or group image; returns every live pid, the root first. */
  restoreAll(bytes: Uint8Array): number[] {
    return images.restoreAll(this, bytes);
  }

  /**
   * Restores a group image: every member keeps its NPID (and its pid and thread ids where free),
   * its capabilities and the objects they name; threads blocked at capture are blocked again on
   * the same queues, in the same order. Returns the live members, the root first. Nothing runs
   * when the image is refused (ImageError, KernelError).
   */
  restoreGroup(image: GroupImage, options: images.RestoreGroupOptions = {}): Process[] {
    return images.restoreGroup(this, image, options);
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
    hooks.markClean(this, pid);
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
    return hooks.privatePages(this, pid);
  }

  /** True when `vaddr` of the process lies in a shared mapping (its page travels with the object). */
  isSharedPage(pid: number, vaddr: number): boolean {
    return hooks.isSharedPage(this, pid, vaddr);
  }

  /** Copies the present page at `vaddr` (page-aligned) of a live process into `out` (4096 bytes). */
  readPage(pid: number, vaddr: number, out: Uint8Array): boolean {
    return hooks.readPage(this, pid, vaddr, out);
  }

  /**
   * Ends the members of a migrated group here without a word to anyone: their copy runs on another
   * node now. No exit status, no SIGCHLD; the host sees `movedAway` set on each.
   */
  dropMigrated(pids: readonly number[]): void {
    hooks.dropMigrated(this, pids);
  }

  /** Parks (on) or releases (off) every thread of a process for a migration (see kernel-hooks.ts). */
  setMigrating(pid: number, on: boolean): void {
    hooks.setMigrating(this, pid, on);
  }

  /**
   * A page of a post-copy restore has arrived: it is mapped and the threads waiting for it run
   * again. False when the process is gone or the page is not one it waits for.
   */
  pageArrived(pid: number, vaddr: number, bytes: Uint8Array): boolean {
    return hooks.pageArrived(this, pid, vaddr, bytes);
  }

  /** Sets the router that carries messages for remote ports (see hooks.ts). */
  setPortRouter(router: PortRouter): void {
    this.router = router;
  }

  /** A send right in process `pid`'s space to a port on another node, reached through `route`. */
  createRemotePort(pid: number, route: number, badge = 0): number {
    return hooks.createRemotePort(this, pid, route, badge);
  }

  /** A send right to a remote port, in no space: for a message arriving from another node. */
  remoteCapability(route: number, rights: number, badge: number): Capability {
    return hooks.remoteCapability(this, route, rights, badge);
  }

  /** The route of `route` has room again: senders blocked on its remote ports try again. */
  routeHasRoom(route: number): void {
    hooks.routeHasRoom(this, route);
  }

  /**
   * Makes the port whose receive right is in `slot` of process `pid` reachable from other nodes;
   * returns its id (the name deliverRemote takes) or -errno.
   */
  exportPort(pid: number, slot: number): number {
    return hooks.exportPort(this, pid, slot);
  }

  /**
   * A message from another node for exported port `portId`: queued (or handed to a waiting
   * receiver) and 0; -EAGAIN when its queue or the sender's quota is full (the router retries);
   * -EPIPE when the port has died; -ENOENT for a port never exported. On failure the message's
   * capabilities are still the caller's.
   */
  deliverRemote(portId: number, message: InboundMessage): number {
    return hooks.deliverRemote(this, portId, message);
  }

  /** The answer to remote call `replyId` (see hooks.ts); false (caps still the caller's) if nobody waits. */
  deliverRemoteReply(replyId: number, data: Uint8Array, caps: Capability[]): boolean {
    return hooks.deliverRemoteReply(this, replyId, data, caps);
  }

  /** Remote call `replyId` gets no answer: its caller's call ends with -errno. */
  failRemoteReply(replyId: number, errno: number): void {
    this.ipc.failRemote(replyId, errno);
  }

  /**
   * Route `route` failed (its port died, or its node stopped answering): every remote port on it
   * dies, so senders get -errno and dead-port watchers are told.
   */
  failRoute(route: number, errno: number): void {
    hooks.failRoute(this, route, errno);
  }

  /** A send right to exported local port `portId` (a reference that came home), or undefined. */
  localCapability(portId: number, rights: number, badge: number): Capability | undefined {
    return hooks.localCapability(this, portId, rights, badge);
  }

  /** True when exported port `portId` has room for a message from `sender` now. */
  canDeliverRemote(portId: number, sender: Npid): boolean {
    return hooks.canDeliverRemote(this, portId, sender);
  }

  /** True when exported port `portId` is known here (alive or not yet found dead). */
  isExported(portId: number): boolean {
    return this.exported.has(portId);
  }

  /** The live process with NPID `id` on this node, or undefined. */
  processByNpid(id: string): Process | undefined {
    // The router asks this for every remote message: a memo, checked against the table on use.
    const memo = this.byNpid.get(id);
    if (memo?.alive && memo.npid === id && this.processes.get(memo.pid) === memo) return memo;
    for (const p of this.processes.values()) {
      if (p.npid !== id || !p.alive) continue;
      if (this.byNpid.size >= NPID_MEMO_MAX) this.byNpid.clear();
      this.byNpid.set(id, p);
      return p;
    }
    this.byNpid.delete(id);
    return undefined;
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
    return step(this, budget);
  }

  /** The thread's registers as they stand now (from the hart when it is there). */
  registersOf(thread: Thread): { regs: Int32Array; pc: number } {
    if (this.onHart === thread) return { regs: this.hart.x.slice(0, 32), pc: this.hart.pc };
    return { regs: thread.regs.slice(), pc: thread.pc };
  }

  /** Saves the thread on the hart so every thread's registers are in its Thread (images). */
  parkHart(): void {
    saveOnHart(this);
  }

  flushTranslations(): void {
    this.hart.tlb.flush();
  }

  // ---- blocking ------------------------------------------------------------------------------

  block(thread: Thread, wait: Omit<WaitRecord, 'woken'>): typeof BLOCK {
    return block(this, thread, wait);
  }

  blockIpc(
    thread: Thread,
    kind: 'receive' | 'reply',
    addr: number,
    at: WaitPoint,
    object: number,
  ): typeof BLOCK {
    return blockIpc(this, thread, kind, addr, at, object);
  }

  wake(thread: Thread, how: 'event' | 'timeout'): void {
    wake(this, thread, how);
  }

  waitForPage(thread: Thread, vaddr: number): typeof BLOCK {
    return hooks.waitForPage(this, thread, vaddr);
  }

  liveRegisters(thread: Thread): Int32Array {
    return liveRegisters(this, thread);
  }

  firstIpcWaiter(at: WaitPoint): Thread | undefined {
    return this.ipcWaits.firstAt(at);
  }

  completeWaiter(thread: Thread, result: number, at: WaitPoint): void {
    completeWaiter(this, thread, result, at);
  }

  /** Wakes every thread blocked reading fd 0 (input arrived or ended). */
  inputArrived(): void {
    inputArrived(this);
  }

  /** Console input for fd 0 from the node. */
  pushInput(data: Uint8Array): void {
    this.input.push(data);
    inputArrived(this);
  }

  endInput(): void {
    this.input.ended = true;
    inputArrived(this);
  }

  /** True when some thread waits for console input. */
  get wantsInput(): boolean {
    return wantsInput(this);
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

  exitThread(thread: Thread, status: number): void {
    exitThread(this, thread, status);
  }

  exitProcess(process: Process, termination: Termination): void {
    exitProcess(this, process, termination);
  }

  reap(process: Process): void {
    reap(this, process);
  }

  // ---- signals -------------------------------------------------------------------------------

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
    interrupt(this, thread);
  }

  stopProcess(process: Process): void {
    stopProcess(this, process);
  }

  continueProcess(process: Process): void {
    continueProcess(this, process);
  }

  /** kill from the node (admin API): 0 or a negative errno (-EPERM for a system server). */
  kill(pid: number, signal: number): number {
    return kill(this, pid, signal);
  }

  /** Signal name for reports. */
  static signalName(signal: number): string {
    return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
  }
}
