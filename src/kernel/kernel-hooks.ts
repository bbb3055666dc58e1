// The cluster's hooks into the running kernel (the interfaces are hooks.ts; DESIGN.md §6): dirty
// page marks, parking a process for migration, pages fetched on fault for post-copy restores, and
// ports whose receiver lives on another node (remote ports out, exported ports in).
import { PTE_A, PTE_D } from '../machine/constants.js';
import { assert } from './assert.js';
import { EAGAIN, EBADF, EINVAL, EMFILE, EMSGSIZE, ENOENT, EPIPE } from './errno.js';
import type { InboundMessage } from './hooks.js';
import type { Capability } from './ipc/cspace.js';
import { WOULD_BLOCK } from './ipc/ipc.js';
import { MSG_BYTES_MAX, MSG_CAPS_MAX, RIGHT_RECEIVE } from './ipc/limits.js';
import { Port, Reply } from './ipc/objects.js';
import { remoteSenderKey } from './ipc/remote-sender.js';
import { exitProcess, reap } from './kernel-exit.js';
import { newObjectId } from './kernel-spawn.js';
import type { KernelState } from './kernel-state.js';
import { block, wake } from './kernel-waits.js';
import { EXPORTED_PORTS_MAX, REMOTE_PORTS_MAX } from './limits.js';
import type { Npid } from './npid.js';
import type { Thread } from './proc.js';
import { SIGKILL } from './signals.js';
import { PTE_COW, protOfPte } from './vm.js';

/** Clears the dirty marks of a process's pages (a pre-copy round or incremental checkpoint starts). */
export function markClean(k: KernelState, pid: number): void {
  k.liveProcess(pid).addressSpace.markClean();
  k.flushTranslations();
}

/**
 * Virtual addresses of the process's present pages outside shared mappings, ascending (a
 * migration's first round; shared memory travels with the group image).
 */
export function privatePages(k: KernelState, pid: number): number[] {
  const as = k.liveProcess(pid).addressSpace;
  const out: number[] = [];
  for (const r of as.regions) {
    if (r.shared !== undefined) continue;
    for (let v = r.start; v < r.end; v += 4096) if (as.frameAt(v) >= 0) out.push(v);
  }
  return out;
}

/** True when `vaddr` of the process lies in a shared mapping (its page travels with the object). */
export function isSharedPage(k: KernelState, pid: number, vaddr: number): boolean {
  return k.liveProcess(pid).addressSpace.findRegion(vaddr)?.shared !== undefined;
}

/** Copies the present page at `vaddr` (page-aligned) of a live process into `out` (4096 bytes). */
export function readPage(k: KernelState, pid: number, vaddr: number, out: Uint8Array): boolean {
  const frame = k.liveProcess(pid).addressSpace.frameAt(vaddr);
  if (frame < 0 || out.length !== 4096) return false;
  out.set(k.memory.u8.subarray(frame * 4096, frame * 4096 + 4096));
  return true;
}

/**
 * Ends the members of a migrated group here without a word to anyone: their copy runs on another
 * node now. No exit status, no SIGCHLD; the host sees `movedAway` set on each.
 */
export function dropMigrated(k: KernelState, pids: readonly number[]): void {
  for (const pid of pids) {
    const p = k.processes.get(pid);
    if (p === undefined || !p.alive) continue;
    p.movedAway = true;
    p.parent?.children.delete(p);
    p.parent = undefined;
    for (const child of p.children) child.parent = undefined;
    p.children.clear();
    exitProcess(k, p, { kind: 'signaled', signal: SIGKILL });
    if (!p.reaped) reap(k, p);
  }
}

/**
 * Parks (on) or releases (off) every thread of a process for a migration: parked threads do not
 * run; blocked ones keep waiting and park when woken. Nothing is reported to waitid or the
 * process, and a restore of its image runs it as if it had never stopped.
 */
export function setMigrating(k: KernelState, pid: number, on: boolean): void {
  const p = k.liveProcess(pid);
  if (p.migrating === on) return;
  p.migrating = on;
  for (const t of p.threads) {
    if (on && (t.state === 'ready' || t.state === 'running')) {
      if (t.state === 'ready') k.sched.remove(t);
      if (k.handoffTo === t) k.handoffTo = undefined;
      if (k.current === t) k.current = undefined;
      t.state = 'migrating';
    } else if (!on && t.state === 'migrating') {
      if (p.stopped) t.state = 'suspended';
      else {
        t.state = 'ready';
        k.sched.enqueue(t, k.instructions);
      }
    }
  }
}

/** The wait-queue key of threads waiting for page `vaddr` of process `pid` to arrive. */
function pageKey(pid: number, vaddr: number): string {
  return `g${pid}:${vaddr}`;
}

/** A thread touched a page that has not arrived: it waits, and the page is asked for once. */
export function waitForPage(k: KernelState, thread: Thread, vaddr: number): void {
  const p = thread.process;
  const fetch = k.pageFetches.get(p);
  assert(fetch !== undefined, `process ${p.pid} has absent pages but no page source`);
  const call = thread.wait; // a woken call that runs again once the page is here
  block(k, thread, {
    kind: 'page',
    deadline: -1,
    addr: vaddr,
    private: false,
    key: pageKey(p.pid, vaddr),
    object: 0,
  });
  thread.callWait = call;
  if (fetch.requested.has(vaddr)) return;
  fetch.requested.add(vaddr);
  fetch.source.request(p.npid, vaddr);
}

/**
 * A page of a post-copy restore has arrived: it is mapped and the threads waiting for it run
 * again. False when the process is gone or the page is not one it waits for.
 */
export function pageArrived(k: KernelState, pid: number, vaddr: number, bytes: Uint8Array): boolean {
  const p = k.processes.get(pid);
  const as = p?.addressSpace;
  const bits = as?.absent?.get(vaddr);
  if (p === undefined || !p.alive || as === undefined || bits === undefined || bytes.length !== 4096)
    return false;
  const frame = k.frames.alloc();
  if (frame < 0 || !as.mapPage(vaddr, frame, protOfPte(bits), bits & (PTE_A | PTE_D | PTE_COW))) {
    if (frame >= 0) k.frames.release(frame);
    k.host.report(
      `pakaya: process ${p.pid} (${p.name}) killed by SIGKILL: out of memory for a fetched page\n`,
      p,
    );
    exitProcess(k, p, { kind: 'signaled', signal: SIGKILL });
    return false;
  }
  k.memory.writeBytes(frame * 4096, bytes);
  as.absent!.delete(vaddr);
  const fetch = k.pageFetches.get(p);
  fetch?.requested.delete(vaddr);
  if (as.absent!.size === 0) {
    as.absent = undefined;
    k.pageFetches.delete(p);
  }
  for (const t of k.ipcWaits.take(pageKey(pid, vaddr), Number.MAX_SAFE_INTEGER)) {
    wake(k, t, 'event');
    // The faulting access retries; a call it was in runs again with that call's record.
    t.wait = t.callWait;
    t.callWait = undefined;
  }
  return true;
}

/** A send right in process `pid`'s space to a port on another node, reached through `route`. */
export function createRemotePort(k: KernelState, pid: number, route: number, badge: number): number {
  const caps = k.liveProcess(pid).caps;
  const slot = k.ipc.createRemotePort(caps, route, badge);
  if (slot > 0) trackRemote(k, caps.get(slot)!.object as Port);
  return slot;
}

/** A send right to a remote port, in no space: for a message arriving from another node. */
export function remoteCapability(k: KernelState, route: number, rights: number, badge: number): Capability {
  const cap = k.ipc.remoteCapability(route, rights, badge);
  trackRemote(k, cap.object as Port);
  return cap;
}

function trackRemote(k: KernelState, port: Port): void {
  assert(k.remotePorts.size < REMOTE_PORTS_MAX, `more than ${REMOTE_PORTS_MAX} remote ports`);
  k.remotePorts.set(port.id, port);
}

/** The route of `route` has room again: senders blocked on its remote ports try again. */
export function routeHasRoom(k: KernelState, route: number): void {
  for (const port of k.remotePorts.values()) if (port.remote === route) k.ipc.remoteRoomFreed(port);
}

/**
 * Makes the port whose receive right is in `slot` of process `pid` reachable from other nodes;
 * returns its id (the name deliverRemote takes) or -errno.
 */
export function exportPort(k: KernelState, pid: number, slot: number): number {
  const cap = k.liveProcess(pid).caps.get(slot);
  if (cap === undefined) return -EBADF;
  const port = cap.object;
  if (!(port instanceof Port) || !cap.has(RIGHT_RECEIVE) || port.remote !== undefined) return -EINVAL;
  if (k.exported.size >= EXPORTED_PORTS_MAX) return -EMFILE;
  k.exported.set(port.id, port);
  return port.id;
}

/**
 * A message from another node for exported port `portId`: queued (or handed to a waiting
 * receiver) and 0; -EAGAIN when its queue or the sender's quota is full (the router retries);
 * -EPIPE when the port has died; -ENOENT for a port never exported. On failure the message's
 * capabilities are still the caller's.
 */
export function deliverRemote(k: KernelState, portId: number, message: InboundMessage): number {
  const port = k.exported.get(portId);
  if (port === undefined) return -ENOENT;
  if (!port.alive) {
    k.exported.delete(portId);
    return -EPIPE;
  }
  if (message.data.length > MSG_BYTES_MAX || message.caps.length > MSG_CAPS_MAX) return -EMSGSIZE;
  let reply: Reply | undefined;
  if (message.reply !== undefined && message.reply !== 0) {
    reply = new Reply(newObjectId(k), 0);
    reply.remote = message.reply;
  }
  const r = k.ipc.deliverInbound(port, {
    data: message.data,
    caps: message.caps,
    badge: message.badge >>> 0,
    reply,
    senderPid: remoteSenderKey(message.sender),
  });
  return r === WOULD_BLOCK ? -EAGAIN : r;
}

/** The answer to remote call `replyId`; false (caps still the caller's) if nobody waits. */
export function deliverRemoteReply(
  k: KernelState,
  replyId: number,
  data: Uint8Array,
  caps: Capability[],
): boolean {
  if (data.length > MSG_BYTES_MAX || caps.length > MSG_CAPS_MAX) return false;
  return k.ipc.answerRemote(replyId, data, caps);
}

/**
 * Route `route` failed (its port died, or its node stopped answering): every remote port on it
 * dies, so senders get -errno and dead-port watchers are told.
 */
export function failRoute(k: KernelState, route: number, errno: number): void {
  for (const [id, port] of k.remotePorts) {
    if (port.remote !== route) continue;
    k.ipc.remotePortDied(port, errno);
    k.remotePorts.delete(id);
  }
}

/** A send right to exported local port `portId` (a reference that came home), or undefined. */
export function localCapability(
  k: KernelState,
  portId: number,
  rights: number,
  badge: number,
): Capability | undefined {
  const port = k.exported.get(portId);
  if (port === undefined || !port.alive) return undefined;
  return k.ipc.localCapability(port, rights, badge);
}

/** True when exported port `portId` has room for a message from `sender` now. */
export function canDeliverRemote(k: KernelState, portId: number, sender: Npid): boolean {
  const port = k.exported.get(portId);
  return port === undefined || !port.alive || port.hasRoomFor(remoteSenderKey(sender));
}
