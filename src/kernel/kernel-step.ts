// The running kernel's step loop: picks a thread (the handoff of a completed IPC call first, then
// the scheduler), puts it on the hart (registers, satp and the space's saved TLB entries), runs it
// in hosted mode for a bounded quantum, and handles the trap that ended the run — a system call,
// a page fault (demand-zero, copy-on-write, stack growth, a post-copy page) or a fatal fault.
import {
  CAUSE_FETCH_PAGE_FAULT,
  CAUSE_LOAD_PAGE_FAULT,
  CAUSE_STORE_PAGE_FAULT,
  CAUSE_USER_ECALL,
} from '../machine/constants.js';
import { EXIT_CAUSE, EXIT_PC, EXIT_TRAP, EXIT_TVAL } from '../machine/hart-state.js';
import { assert } from './assert.js';
import { exitProcess } from './kernel-exit.js';
import { waitForPage } from './kernel-hooks.js';
import type { KernelState } from './kernel-state.js';
import { runTasks } from './kernel-tasks.js';
import { expireTimers } from './kernel-waits.js';
import { NS_PER_INSTRUCTION, SLICE_INSTRUCTIONS } from './limits.js';
import type { Thread } from './proc.js';
import { crashReport } from './report.js';
import { deliver, hasDeliverable, interruptIfPending, postFault } from './signal-delivery.js';
import { faultInfo, SIGKILL, signalForCause } from './signals.js';
import { syscall } from './syscall.js';
import { PROT_EXEC, PROT_READ, PROT_WRITE, RESOLVE_ABSENT, RESOLVE_NOMEM } from './vm.js';

/**
 * Runs ready threads for at most `budget` instructions (a trap that retires nothing counts as
 * one). Returns the number of budget units used; less than `budget` only when the kernel is idle.
 */
export function step(k: KernelState, budget: number): number {
  let used = 0;
  const hart = k.hart;
  while (used < budget) {
    expireTimers(k);
    if (k.pendingTasks.size > 0) runTasks(k);
    let thread = k.current;
    if (thread === undefined) {
      thread = k.handoffTo;
      k.handoffTo = undefined;
      if (thread?.state !== 'ready') thread = k.sched.pick(k.instructions);
      if (thread === undefined) break;
      thread.state = 'running';
      k.current = thread;
    }
    switchTo(k, thread);
    if (hasDeliverable(thread)) {
      deliver(k, thread);
      if (k.current === thread && thread.state !== 'running') k.current = undefined; // waits for a page
      if (k.current !== thread) continue; // the signal ended or stopped it
    }
    let quantum = Math.min(budget - used, thread.sliceLeft);
    const deadline = k.timers.next();
    if (deadline >= 0) {
      const until = Math.ceil((deadline - k.now()) / NS_PER_INSTRUCTION);
      quantum = Math.max(1, Math.min(quantum, until));
    }
    const before = hart.instret;
    const reason = hart.run(quantum);
    const retired = hart.instret - before;
    k.instructions += retired;
    thread.instructions += retired;
    thread.sliceLeft -= retired;
    used += Math.max(retired, 1);
    k.yielded = false;
    if (reason === EXIT_TRAP) {
      handleTrap(k, thread);
      if (thread.state === 'blocked') interruptIfPending(k, thread);
    }
    used += k.charged;
    k.charged = 0;
    afterRun(k, thread);
    if (k.afterEachStep !== undefined) k.afterEachStep(k.inspect());
  }
  return used;
}

/** Decides whether the thread that just ran keeps the hart. */
function afterRun(k: KernelState, thread: Thread): void {
  const next = k.handoffTo;
  if (next !== undefined && thread.state === 'running') {
    // The sender runs on: the woken thread waits its turn in the run queue.
    k.handoffTo = undefined;
    if (next.state === 'ready') k.sched.enqueue(next, k.instructions);
  }
  if (thread.state !== 'running') {
    if (k.current === thread) k.current = undefined;
    return;
  }
  const sliceOver = thread.sliceLeft <= 0 || k.yielded;
  const preempted = k.sched.bestLevel() < thread.level;
  if (!sliceOver && !preempted) return;
  if (sliceOver) thread.sliceLeft = SLICE_INSTRUCTIONS;
  thread.state = 'ready';
  k.sched.enqueue(thread, k.instructions, !sliceOver);
  k.current = undefined;
}

/** Puts `thread` on the hart, saving whichever thread was there. */
export function switchTo(k: KernelState, thread: Thread): void {
  if (k.onHart === thread) return;
  const hart = k.hart;
  saveOnHart(k);
  // TypedArray.set: half the time of a loop over the 31 registers (measured).
  const x = k.hartRegs;
  x.set(thread.regs);
  x[0] = 0;
  hart.pc = thread.pc;
  const space = thread.process.addressSpace;
  if (hart.satp !== space.satp) {
    // The outgoing space's entries are kept for its next turn (ASID-like), unless the TLB's
    // owner is unknown (exec, restore): then they are dropped.
    const out = k.tlbSpace !== undefined && k.tlbSpace.satp === hart.satp ? k.tlbSpace : undefined;
    hart.satp = space.satp;
    hart.tlb.switchSpace(out?.tlbSaved, space.tlbSaved);
    k.tlbSpace = space;
  }
  hart.reservation = -1;
  k.onHart = thread;
  k.stats.contextSwitches++;
}

/** The registers of `t` as they are now: the hart's while it is on the hart, else its saved ones. */
export function liveRegisters(k: KernelState, t: Thread): Int32Array {
  return k.onHart === t ? k.hartRegs : t.regs;
}

/** Saves the registers of the thread on the hart into its Thread; no thread is on the hart then. */
export function saveOnHart(k: KernelState): void {
  const t = k.onHart;
  if (t === undefined) return;
  t.regs.set(k.hartRegs);
  t.pc = k.hart.pc;
  k.onHart = undefined;
}

function handleTrap(k: KernelState, thread: Thread): void {
  const info = k.hart.exitInfo;
  const cause = info[EXIT_CAUSE]!;
  const tval = info[EXIT_TVAL]! >>> 0;
  assert(info[EXIT_PC] === k.hart.pc, 'exit record pc differs from hart pc');
  if (cause === CAUSE_USER_ECALL) {
    k.stats.syscalls++;
    syscall(k, thread);
    return;
  }
  if (
    cause === CAUSE_FETCH_PAGE_FAULT ||
    cause === CAUSE_LOAD_PAGE_FAULT ||
    cause === CAUSE_STORE_PAGE_FAULT
  ) {
    const prot =
      cause === CAUSE_FETCH_PAGE_FAULT ? PROT_EXEC : cause === CAUSE_LOAD_PAGE_FAULT ? PROT_READ : PROT_WRITE;
    const resolved = thread.process.addressSpace.resolve(tval, prot);
    if (resolved >= 0) {
      k.stats.pageFaults++;
      return; // demand-zero, copy-on-write or stack growth: retry the instruction
    }
    if (resolved === RESOLVE_ABSENT) {
      waitForPage(k, thread, tval - (tval % 4096));
      return; // the instruction runs again once the page has arrived
    }
    if (resolved === RESOLVE_NOMEM) {
      const p = thread.process;
      const why =
        p.addressSpace.resident >= p.addressSpace.pageLimit
          ? `its memory limit of ${p.addressSpace.pageLimit} pages is reached`
          : 'the node is out of memory';
      k.host.report(
        `pakaya: process ${p.pid} (${p.name}) killed by SIGKILL: ${why} (fault at 0x${tval.toString(16)})\n`,
        p,
      );
      exitProcess(k, p, { kind: 'signaled', signal: SIGKILL });
      return;
    }
  }
  const signal = signalForCause(cause);
  const region = thread.process.addressSpace.findRegion(tval);
  if (postFault(thread, faultInfo(signal, k.hart.pc, tval, region !== undefined))) return;
  k.host.report(crashReport(thread, k.hart, cause, tval, signal), thread.process);
  exitProcess(k, thread.process, { kind: 'signaled', signal });
}
