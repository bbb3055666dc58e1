// Process and group images in the running kernel: which processes can be captured alone, the
// group a process belongs to, capture between steps, and restore — threads blocked at capture go
// back on their wait queues in their captured order before anything runs.
import { capture, rebuild } from './checkpoint.js';
import { KernelError } from './errors.js';
import { futexKey } from './futex.js';
import {
  captureGroup as captureMembers,
  type GroupKernel,
  groupOf as groupMembers,
} from './group-capture.js';
import { checkGroupHeader, decodeGroup, encodeGroup, isGroupImage } from './group-codec.js';
import type { GroupImage } from './group-image.js';
import { rebuildGroup } from './group-restore.js';
import type { PageSource } from './hooks.js';
import { ImageError, type ProcessImage } from './image.js';
import { checkImageHeader, decodeImage, encodeImage } from './image-codec.js';
import type { CapObject } from './ipc/cspace.js';
import { exitProcess, reap } from './kernel-exit.js';
import { adopt, grantBootstrap, newObjectId, newPid, startThread } from './kernel-spawn.js';
import type { KernelState } from './kernel-state.js';
import { runTasks } from './kernel-tasks.js';
import { PROCESS_MAX, THREAD_MAX } from './limits.js';
import { parseNpid } from './npid.js';
import { IPC_WAITS, type Process, type Thread } from './proc.js';
import { SIGKILL } from './signals.js';
import { PROT_READ } from './vm.js';

/**
 * The image of a live process, taken between steps (the process keeps running). Only for a
 * process that holds nothing but the bootstrap capabilities and maps no shared memory; any other
 * is captured as a group (captureGroup).
 */
export function captureProcess(k: KernelState, pid: number): ProcessImage {
  const p = k.liveProcess(pid);
  if (!standalone(k, p))
    throw new KernelError(`process ${pid} holds IPC objects or shared memory: capture it as a group`);
  return capture(k, p);
}

/** True when a process's image needs nothing but itself (bootstrap capabilities are granted anew). */
function standalone(k: KernelState, p: Process): boolean {
  for (const cap of p.caps.values()) if (bootstrapObject(k, cap.object) === undefined) return false;
  if (p.addressSpace.regions.some((r) => r.shared !== undefined)) return false;
  return p.threads.every((t) => t.wait === undefined || !IPC_WAITS.has(t.wait.kind));
}

/** Which bootstrap server an object is, if it is one. */
function bootstrapObject(k: KernelState, o: CapObject): 'nameServer' | 'console' | undefined {
  if (o === k.bootstrap.nameServer?.object) return 'nameServer';
  if (o === k.bootstrap.console?.object) return 'console';
  return undefined;
}

function groupKernel(k: KernelState): GroupKernel {
  return {
    memory: k.memory,
    frames: k.frames,
    now: () => k.now(),
    registersOf: (t) => k.registersOf(t),
    newPid: () => newPid(k),
    idFree: (id) => k.idFree(id),
    adopt: (p, as) => adopt(k, p, as),
    startThread: (t) => startThread(k, t),
    processes: k.processes,
    threads: k.threads,
    isTask: (pid) => k.tasks.has(pid),
    bootstrapObject: (o) => bootstrapObject(k, o),
    replies: k.ipc.replies,
    futexes: k.futexes,
    ipcWaits: k.ipcWaits,
    nodeId: k.host.pids.nodeId,
  };
}

/** The pids of the group `pid` belongs to (see group-capture.ts): `pid` first. */
export function groupOf(k: KernelState, pid: number): number[] {
  return groupMembers(groupKernel(k), k.liveProcess(pid)).map((p) => p.pid);
}

/**
 * The image of the group of `pid`, taken between steps (nothing in it stops or notices). With
 * `contents: false` the members' own pages are listed without their bytes (a migration sends them
 * itself; see group-capture.ts).
 */
export function captureGroup(k: KernelState, pid: number, options: { contents?: boolean } = {}): GroupImage {
  // Messages queued for system servers are handled first (as the next step would): a member's
  // call to a server is then answered, not left in a queue the image does not carry.
  if (k.pendingTasks.size > 0) runTasks(k);
  const g = groupKernel(k);
  const members = groupMembers(g, k.liveProcess(pid));
  for (const p of members)
    if (p.addressSpace.absent !== undefined)
      throw new KernelError(`process ${p.pid} still has pages to fetch: capture it once they have arrived`);
  return captureMembers(g, members, options);
}

/** The encoded, checksummed image of a live process (see image-codec.ts). */
export function checkpoint(k: KernelState, pid: number): Uint8Array {
  const p = k.liveProcess(pid);
  if (standalone(k, p)) return encodeImage(capture(k, p));
  const members = groupOf(k, pid);
  if (members.length > 1)
    throw new KernelError(
      `process ${pid} shares memory or IPC objects with ${members.slice(1).join(', ')}: checkpoint the group`,
    );
  return encodeGroup(captureGroup(k, pid));
}

/** A new process continuing from an image; nothing runs when the image is bad (ImageError). */
export function restoreImage(k: KernelState, image: ProcessImage): Process {
  const ipcWait = image.manifest.threads.find((t) => t.wait !== undefined && IPC_WAITS.has(t.wait.kind));
  if (ipcWait !== undefined || image.manifest.regions.some((r) => r.kind === 'shared'))
    throw new ImageError('a process image with IPC waits or shared mappings must come in a group image');
  const id = parseNpid(image.manifest.npid);
  if (id === undefined) throw new ImageError(`npid: ${JSON.stringify(image.manifest.npid)} is not an NPID`);
  for (const p of k.processes.values())
    if (p.alive && p.npid === id) throw new KernelError(`process ${id} is already running on this node`);
  if (k.liveProcesses() >= PROCESS_MAX) throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
  if (k.threads.size + image.manifest.threads.length > THREAD_MAX)
    throw new KernelError(`too many threads (limit ${THREAD_MAX})`);
  const p = rebuild(k, image, id);
  if (p === undefined) throw new KernelError('out of memory while restoring the image');
  for (const t of p.threads) requeueRestoredWaiter(k, t);
  grantBootstrap(k, p, undefined, undefined);
  if (k.init === undefined) k.init = p;
  return p;
}

/**
 * A thread restored while waiting on a futex goes back on the futex's queue before anything
 * runs, so a wake that comes before it runs again finds it (it then returns 0 from its wait).
 */
function requeueRestoredWaiter(k: KernelState, t: Thread): void {
  const w = t.wait;
  if (w === undefined || w.woken !== undefined) return;
  const ipc = IPC_WAITS.has(w.kind);
  if (w.kind !== 'futex' && !ipc) return;
  if (t.state === 'ready') k.sched.remove(t);
  const p = t.process;
  if (!ipc) w.key = futexKey(p, w.addr, w.private, p.addressSpace.resolve(w.addr, PROT_READ));
  t.state = 'blocked';
  if (w.deadline >= 0) k.timers.add(t);
  if (ipc) k.ipcWaits.add(w.key, t);
  else k.futexes.add(w.key, t);
}

/** The largest image file this node reads given its first bytes (ImageError for a bad header). */
export function imageSizeLimit(k: KernelState, header: Uint8Array): number {
  if (isGroupImage(header)) return checkGroupHeader(header).maxBytes;
  return checkImageHeader(header, k.limits.pages).maxBytes;
}

/** Decodes and restores an encoded process or group image; returns every live pid, the root first. */
export function restoreAll(k: KernelState, bytes: Uint8Array): number[] {
  if (isGroupImage(bytes)) return restoreGroup(k, decodeGroup(bytes), {}).map((p) => p.pid);
  return [restoreImage(k, decodeImage(bytes, k.limits)).pid];
}

export interface RestoreGroupOptions {
  /** Pages not in the image are fetched from here on fault (post-copy). */
  pageSource?: PageSource;
  /**
   * Maps the router token of a remote caller's reply, as captured on the source node, to a token
   * of this node's router (0: no way back). Without it such replies lose their way back.
   */
  replyToken?: (token: number) => number;
}

/**
 * Restores a group image: every member keeps its NPID (and its pid and thread ids where free),
 * its capabilities and the objects they name; threads blocked at capture are blocked again on
 * the same queues, in the same order. Returns the live members, the root first. Nothing runs
 * when the image is refused (ImageError, KernelError).
 */
export function restoreGroup(k: KernelState, image: GroupImage, options: RestoreGroupOptions): Process[] {
  const m = image.manifest;
  const ids = [...m.members.map((x) => x.npid), ...m.zombies.map((z) => z.npid)].map((text) => {
    const id = parseNpid(text);
    if (id === undefined) throw new ImageError(`npid: ${JSON.stringify(text)} is not an NPID`);
    return id;
  });
  if (new Set(ids).size !== ids.length) throw new ImageError('the group holds an NPID twice');
  for (const p of k.processes.values())
    if (!p.reaped && ids.includes(p.npid)) throw new KernelError(`process ${p.npid} is already on this node`);
  if (k.liveProcesses() + m.members.length > PROCESS_MAX)
    throw new KernelError(`too many processes (limit ${PROCESS_MAX})`);
  const threads = m.members.reduce((n, x) => n + x.threads.length, 0);
  if (k.threads.size + threads > THREAD_MAX) throw new KernelError(`too many threads (limit ${THREAD_MAX})`);
  const g = groupKernel(k);
  const result = rebuildGroup(
    {
      ...g,
      replies: k.ipc.replies,
      newObjectId: () => newObjectId(k),
      bootstrapCap: (which) => k.bootstrap[which],
    },
    image,
    ids,
    options.pageSource !== undefined,
    options.replyToken,
  );
  if (!result.ok) {
    for (const p of result.built) {
      exitProcess(k, p, { kind: 'signaled', signal: SIGKILL });
      if (!p.reaped) reap(k, p);
    }
    throw new KernelError('out of memory while restoring the group image');
  }
  const order = m.members.flatMap((x, i) =>
    x.threads.map((t, j) => ({ at: t.wait?.queue ?? -1, thread: result.processes[i]!.threads[j]! })),
  );
  order.sort((a, b) => a.at - b.at);
  for (const { thread } of order) requeueRestoredWaiter(k, thread);
  const source = options.pageSource;
  if (source !== undefined)
    for (const p of result.processes)
      if (p.addressSpace.absent !== undefined)
        k.pageFetches.set(p, { source, requested: new Set(), retry: new Map() });
  const root = result.processes[0]!;
  if (k.init === undefined) k.init = root;
  return result.processes;
}

/** The encoded image of the group of `pid` (see group-codec.ts). */
export function checkpointGroup(k: KernelState, pid: number): Uint8Array {
  return encodeGroup(captureGroup(k, pid));
}
