// Process and thread creation for the running kernel: spawn, fork, clone (createThread), exec,
// the capabilities a new process starts with (bootstrap, inherited, given by its parent), and
// the node's ids for processes, threads and kernel objects.
import { type ElfImage, parseElf } from '../machine/elf.js';
import { assert } from './assert.js';
import { EAGAIN, ENOMEM } from './errno.js';
import { KernelError } from './errors.js';
import { type LoadedProgram, loadProgram } from './exec.js';
import type { Capability } from './ipc/cspace.js';
import {
  RIGHT_GRANT,
  RIGHT_RECEIVE,
  RIGHT_SEND,
  RIGHT_SEND_ONCE,
  SLOT_CONSOLE,
  SLOT_NAME_SERVER,
  SLOT_PARENT,
} from './ipc/limits.js';
import { Port } from './ipc/objects.js';
import { dropThread } from './kernel-exit.js';
import type { BootstrapCaps, KernelState, SpawnRequest } from './kernel-state.js';
import { parkedState } from './kernel-waits.js';
import { PROCESS_MAX, SLICE_INSTRUCTIONS, THREAD_MAX, USER_BASE, USER_TOP } from './limits.js';
import { Process, Thread } from './proc.js';
import { SS_DISABLE } from './signals.js';
import type { ExecRequest } from './syscall-context.js';

/** Creates a process running a static ELF. Throws ElfError, ExecError or KernelError. */
export function spawn(k: KernelState, request: SpawnRequest, parent: Process | undefined): Process {
  if (k.liveProcesses() >= PROCESS_MAX) throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
  if (k.threads.size >= THREAD_MAX) throw new KernelError(`too many threads (limit ${THREAD_MAX})`);
  const { image, loaded } = load(k, request);
  const pid = newPid(k);
  const limits = parent !== undefined ? { ...parent.limits } : { ...k.limits };
  const name = request.name ?? baseName(request.argv[0] ?? `pid${pid}`);
  const symbols = { list: image.symbols, symbolize: image.symbolize };
  const process = new Process(pid, k.npidOf(pid), name, loaded.addressSpace, symbols, limits);
  adopt(k, process, loaded.addressSpace);
  process.brkStart = loaded.brkStart;
  process.brk = loaded.brkStart;
  grantBootstrap(k, process, parent, request.parentCap);
  if (parent !== undefined) linkChild(parent, process);
  const thread = new Thread(pid, process);
  thread.pc = loaded.entry;
  thread.regs[2] = loaded.sp;
  thread.nice = request.nice ?? 0;
  startThread(k, thread);
  if (k.init === undefined) k.init = process;
  return process;
}

/** Registers a new process and wires its address space to the hart's TLB. */
export function adopt(k: KernelState, process: Process, as: Process['addressSpace']): void {
  as.pageLimit = process.limits.pages;
  as.onRemap = () => k.flushTranslations();
  k.processes.set(process.pid, process);
}

/**
 * Makes `child` a child of `parent`. It inherits copies of the parent's capabilities (derived,
 * so revoking the parent's reaches them) at the same slots, except receive rights and replies,
 * which have one holder, and slots its bootstrap capabilities already fill.
 */
function linkChild(parent: Process, child: Process): void {
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
export function grantBootstrap(
  k: KernelState,
  process: Process,
  parent: Process | undefined,
  parentSlot: number | undefined,
): void {
  const badge = process.pid;
  const { nameServer, console } = k.bootstrap;
  if (nameServer !== undefined)
    process.caps.place(nameServer.derive(RIGHT_SEND | RIGHT_GRANT, badge), SLOT_NAME_SERVER);
  if (console !== undefined) process.caps.place(console.derive(RIGHT_SEND, badge), SLOT_CONSOLE);
  const given = parentSlot !== undefined && parentSlot > 0 ? parent?.caps.get(parentSlot) : undefined;
  if (given !== undefined && !given.has(RIGHT_RECEIVE) && !given.has(RIGHT_SEND_ONCE)) {
    process.caps.place(given.derive(given.rights, given.badge), SLOT_PARENT);
  }
}

/**
 * Sets the bootstrap capabilities and grants them to the programs already running. After a
 * system server was restarted, a process whose slot still names the dead server's port gets the
 * new one there.
 */
export function setBootstrap(k: KernelState, caps: BootstrapCaps): void {
  k.bootstrap.nameServer = caps.nameServer;
  k.bootstrap.console = caps.console;
  for (const p of k.processes.values()) {
    if (!p.alive || k.tasks.has(p.pid)) continue;
    replaceDeadBootstrap(k, p, SLOT_NAME_SERVER, caps.nameServer, RIGHT_SEND | RIGHT_GRANT);
    replaceDeadBootstrap(k, p, SLOT_CONSOLE, caps.console, RIGHT_SEND);
    if (p.caps.get(SLOT_NAME_SERVER) !== undefined || p.caps.get(SLOT_CONSOLE) !== undefined) continue;
    grantBootstrap(k, p, undefined, undefined);
  }
}

function replaceDeadBootstrap(
  k: KernelState,
  p: Process,
  slot: number,
  cap: Capability | undefined,
  rights: number,
): void {
  const held = p.caps.get(slot);
  if (cap === undefined || held === undefined) return;
  if (!(held.object instanceof Port) || held.object.alive || held.object === cap.object) return;
  k.ipc.dropCapability(p.caps.take(slot)!);
  p.caps.place(cap.derive(rights, p.pid), slot);
}

/** Makes a new thread runnable. */
export function startThread(k: KernelState, thread: Thread): void {
  thread.process.threads.push(thread);
  k.threads.set(thread.tid, thread);
  thread.sliceLeft = SLICE_INSTRUCTIONS;
  const parked = parkedState(thread.process);
  if (parked !== undefined) thread.state = parked;
  else {
    thread.state = 'ready';
    k.sched.enqueue(thread, k.instructions);
  }
}

export function fork(k: KernelState, thread: Thread): Process | number {
  const parent = thread.process;
  if (k.liveProcesses() >= PROCESS_MAX) return -EAGAIN;
  if (k.threads.size >= THREAD_MAX) return -EAGAIN;
  const as = parent.addressSpace.fork();
  if (as === undefined) return -ENOMEM;
  const pid = newPid(k);
  const child = new Process(pid, k.npidOf(pid), parent.name, as, parent.symbols, { ...parent.limits });
  adopt(k, child, as);
  child.brkStart = parent.brkStart;
  child.brk = parent.brk;
  child.heap = parent.heap === undefined ? undefined : as.findRegion(parent.heap.start);
  child.clockOffset = parent.clockOffset;
  // its own bootstrap capabilities (badged with its pid), not copies of the parent's
  grantBootstrap(k, child, undefined, undefined);
  linkChild(parent, child);
  const main = new Thread(pid, child);
  copyCallerRegisters(k, thread, main);
  main.nice = thread.nice;
  // fork keeps dispositions, the caller's mask and alternate stack; nothing stays pending.
  child.sigactions = parent.sigactions.copy();
  main.blocked = thread.blocked;
  main.altStack = { ...thread.altStack };
  startThread(k, main);
  return child;
}

export function createThread(
  k: KernelState,
  thread: Thread,
  stack: number,
  tls: number | undefined,
  clearTid: number,
): Thread | number {
  const p = thread.process;
  if (p.liveThreads() >= p.limits.threads || k.threads.size >= THREAD_MAX) return -EAGAIN;
  const child = new Thread(newPid(k), p);
  copyCallerRegisters(k, thread, child);
  child.regs[2] = stack;
  if (tls !== undefined) child.regs[4] = tls;
  child.nice = thread.nice;
  child.clearChildTid = clearTid;
  child.blocked = thread.blocked; // a new thread starts with its creator's mask, no altstack
  startThread(k, child);
  return child;
}

/** The new thread continues after the caller's ecall with a0 = 0. */
function copyCallerRegisters(k: KernelState, caller: Thread, child: Thread): void {
  assert(k.onHart === caller, 'clone from a thread that is not on the hart');
  child.regs.set(k.hart.x.subarray(0, 32));
  child.regs[0] = 0;
  child.regs[10] = 0;
  child.pc = (k.hart.pc + 4) | 0;
}

export function exec(k: KernelState, thread: Thread, request: ExecRequest): void {
  assert(k.onHart === thread, 'exec from a thread that is not on the hart');
  const { image, loaded } = load(k, request);
  const p = thread.process;
  for (const other of [...p.threads]) if (other !== thread) dropThread(k, other);
  p.addressSpace.destroy();
  p.addressSpace = loaded.addressSpace;
  adopt(k, p, loaded.addressSpace);
  p.symbols = { list: image.symbols, symbolize: image.symbolize };
  p.name = request.name ?? baseName(request.argv[0] ?? p.name);
  p.brkStart = loaded.brkStart;
  p.brk = loaded.brkStart;
  p.heap = undefined;
  thread.clearChildTid = 0;
  // exec: handlers back to default (ignored stay ignored); mask and pending signals are kept.
  p.sigactions.resetForExec();
  thread.altStack = { sp: 0, size: 0, flags: SS_DISABLE };
  const hart = k.hart;
  hart.x.fill(0);
  hart.x[2] = loaded.sp;
  hart.pc = loaded.entry;
  hart.satp = loaded.addressSpace.satp;
  k.flushTranslations();
}

/** Parses and loads a program into a new address space (throws ElfError, ExecError, KernelError). */
function load(k: KernelState, request: ExecRequest): { image: ElfImage; loaded: LoadedProgram } {
  const image = parseElf(request.file, { addressLow: USER_BASE, addressHigh: USER_TOP });
  if (image.hasInterp)
    throw new KernelError('dynamically linked programs are not supported (PT_INTERP present)');
  const random = new Uint8Array(16);
  k.host.random.fill(random);
  const loaded = loadProgram(
    k.memory,
    k.frames,
    image,
    request.file,
    { argv: request.argv, envp: request.envp, random },
    k.images.pagesFor(request.file),
  );
  return { image, loaded };
}

/**
 * A new kernel object id: the low 21 bits of the node id above bit 32, a counter below (so ids stay
 * below 2^53 and exact as numbers). Unique on the node (a restore gives objects new ids) and, but
 * for nodes whose ids agree in their low 21 bits, across nodes.
 */
export function newObjectId(k: KernelState): number {
  assert(k.objectIds < 2 ** 32 - 1, 'object ids exhausted on this node');
  return (k.host.pids.nodeId % 2 ** 21) * 2 ** 32 + ++k.objectIds;
}

/** A new local id for a process or thread: the counter's next, skipping ids restored images hold. */
export function newPid(k: KernelState): number {
  // The counter never repeats, so it passes at most as many taken ids as there are.
  for (let skipped = 0; ; skipped++) {
    assert(skipped <= k.processes.size + k.threads.size, 'the id counter repeats ids');
    const id = k.host.pids.next();
    if (k.idFree(id)) return id;
  }
}

function baseName(path: string): string {
  const slash = path.lastIndexOf('/');
  return slash >= 0 ? path.slice(slash + 1) : path;
}
