// Checkpoint and restore of one process: capture() turns a live process into a ProcessImage
// between kernel steps; rebuild() makes a new process from an image. A thread blocked at
// checkpoint time comes back ready with its wait record, so its call runs again (DESIGN.md §5):
// a sleep or futex wait waits on to the same (rebased) deadline, other calls re-check (the kernel
// puts a restored futex waiter back on its queue before anything runs). The process keeps its NPID
// and, where they are free on this node, its local pid and thread ids.
// Shared memory comes back as private copies of its pages (sharing spans processes; an image
// holds one), and the restored process has no parent or children on its new node.
import { PTE_A, PTE_D } from '../machine/constants.js';
import type { PhysicalMemory } from '../machine/memory.js';
import { assert } from './assert.js';
import { mapSigtramp } from './exec.js';
import type { FrameAllocator } from './frames.js';
import {
  IMAGE_VERSION,
  type ImageManifest,
  type ImageThread,
  type ImageWait,
  type IpcWaitKind,
  imageSymbols,
  PageContents,
  type ProcessImage,
} from './image.js';
import { waitKey } from './ipc/ipc.js';
import type { Npid } from './npid.js';
import { IPC_WAITS, Process, Thread, type WaitKind } from './proc.js';
import type { SharedMemory } from './shm.js';
import { SIGTRAMP_ADDR } from './signal-frame.js';
import {
  captureProcessSignals,
  captureThreadSignals,
  restoreProcessSignals,
  restoreThreadSignals,
} from './signal-image.js';
import { AddressSpace, PTE_COW } from './vm.js';

/** What capture and rebuild need from the kernel. */
export interface CheckpointKernel {
  readonly memory: PhysicalMemory;
  readonly frames: FrameAllocator;
  now(): number;
  registersOf(thread: Thread): { regs: Int32Array; pc: number };
  newPid(): number;
  idFree(id: number): boolean;
  adopt(process: Process, as: AddressSpace): void;
  startThread(thread: Thread): void;
}

/** How a group capture (group-capture.ts) extends a process's image. */
export interface GroupCapture {
  /** Page contents shared by the whole group (equal pages stored once). */
  pages: PageContents;
  /**
   * Where the members' own pages go when not into `pages` (a migration's freeze image leaves their
   * contents out: they travel beforehand, page by page).
   */
  memberPages?: { add(page: Uint8Array): number };
  /** The id of the object an IPC wait names, and the wait's position in its queue. */
  waitObject(thread: Thread): number | undefined;
  queueOrder(thread: Thread): number | undefined;
}

/**
 * The image of one live process. Alone (`group` undefined), shared mappings become private copies;
 * in a group, a shared mapping names its object and its pages live with the object instead.
 */
export function capture(k: CheckpointKernel, p: Process, group?: GroupCapture): ProcessImage {
  assert(p.alive, `checkpoint of dead process ${p.pid}`);
  const pages = group?.pages ?? new PageContents();
  const collect = group?.memberPages ?? pages;
  const as = p.addressSpace;
  const imagePages: ImageManifest['pages'] = [];
  as.forEachPage((vaddr, pte, frameOff) => {
    if (group !== undefined && as.findRegion(vaddr)?.shared !== undefined) return;
    const content = collect.add(k.memory.u8.subarray(frameOff, frameOff + 4096));
    imagePages.push({ vaddr, bits: pte & 0x3ff, content });
  });
  const now = k.now();
  const threads: ImageThread[] = p.threads
    .filter((t) => t.state !== 'zombie')
    .map((t) => {
      const { regs, pc } = k.registersOf(t);
      return {
        tid: t.tid,
        regs: Array.from(regs),
        pc,
        state: t.state === 'blocked' ? 'blocked' : t.state === 'suspended' ? 'suspended' : 'ready',
        nice: t.nice,
        sliceLeft: t.sliceLeft,
        instructions: t.instructions,
        clearChildTid: t.clearChildTid,
        signals: captureThreadSignals(t),
        wait: imageWait(t, now, group),
      };
    });
  const manifest: ImageManifest = {
    version: IMAGE_VERSION,
    name: p.name,
    npid: p.npid,
    pid: p.pid,
    limits: { ...p.limits },
    brkStart: p.brkStart,
    brk: p.brk,
    heapStart: p.heap?.start ?? -1,
    monotonicNs: now + p.clockOffset,
    exitedInstructions: p.exitedInstructions,
    stopped: p.stopped,
    fds: [...p.fds].sort((a, b) => a - b),
    regions: as.regions.map((r) => ({
      start: r.start,
      end: r.end,
      prot: r.prot,
      name: r.name,
      kind: r.kind === 'shared' && group === undefined ? 'anon' : r.kind,
      ...(r.limit !== undefined ? { limit: r.limit } : {}),
      ...(group !== undefined && r.shared !== undefined
        ? { shm: r.shared.id, shmPage: r.sharedPage ?? 0 }
        : {}),
    })),
    pages: imagePages,
    threads,
    symbols: p.symbols.list,
    signals: captureProcessSignals(p.sigactions, p.pendingSignals),
  };
  return { manifest, contents: pages.contents };
}

/**
 * Builds a new process from an image the codec has validated, with the image's NPID `id`;
 * undefined when memory runs out. The process and its threads keep the image's local ids when no
 * process or thread on this node has them (always so on its birth node: ids are never reused there);
 * an id taken here is replaced by a new one.
 */
export function rebuild(
  k: CheckpointKernel,
  image: ProcessImage,
  id: Npid,
  sharedObject: (id: number) => SharedMemory | undefined = () => undefined,
  lazyPages = false,
  cowFrames: Map<number, number> = new Map(),
  objectId: (imageId: number) => number | undefined = (id) => id,
): Process | undefined {
  const m = image.manifest;
  const as = AddressSpace.create(k.memory, k.frames);
  if (as === undefined) return undefined;
  for (const r of m.regions) {
    const shared = r.kind === 'shared' && r.shm !== undefined ? sharedObject(r.shm) : undefined;
    assert(r.kind !== 'shared' || shared !== undefined, 'validated shared region names no object');
    const ok = as.insert({
      start: r.start,
      end: r.end,
      prot: r.prot,
      name: r.name,
      kind: r.kind,
      ...(r.limit !== undefined ? { limit: r.limit } : {}),
      ...(shared !== undefined ? { shared, sharedPage: r.shmPage ?? 0 } : {}),
    });
    assert(ok, 'validated image regions overlap');
  }
  // Post-copy: the pages are left absent and fetched on fault (Kernel.pageArrived maps them).
  if (lazyPages && m.pages.length > 0) as.absent = new Map(m.pages.map((page) => [page.vaddr, page.bits]));
  // Copy-on-write pages with equal contents share one frame again (as after the fork that made
  // them), across the members of a group too: `cowFrames` maps a content index to its frame.
  for (const page of lazyPages ? [] : m.pages) {
    const cow = (page.bits & PTE_COW) !== 0;
    const shared = cow ? cowFrames.get(page.content) : undefined;
    if (shared !== undefined) k.frames.retain(shared);
    const frame = shared ?? k.frames.alloc();
    if (
      frame < 0 ||
      !as.mapPage(page.vaddr, frame, protOfBits(page.bits), page.bits & (PTE_A | PTE_D | PTE_COW))
    ) {
      if (frame >= 0) k.frames.release(frame);
      as.destroy();
      return undefined;
    }
    if (shared !== undefined) continue;
    k.memory.writeBytes(frame * 4096, image.contents[page.content]!);
    if (cow) cowFrames.set(page.content, frame);
  }
  // Images from before signal handlers have no trampoline page: map one (handlers return there).
  if (as.findRegion(SIGTRAMP_ADDR) === undefined && !mapSigtramp(k.memory, k.frames, as)) {
    as.destroy();
    return undefined;
  }
  const pid = k.idFree(m.pid) ? m.pid : k.newPid();
  const p = new Process(pid, id, m.name, as, imageSymbols(m.symbols), { ...m.limits });
  k.adopt(p, as);
  p.brkStart = m.brkStart;
  p.brk = m.brk;
  p.heap = m.heapStart >= 0 ? as.findRegion(m.heapStart) : undefined;
  p.clockOffset = m.monotonicNs - k.now();
  p.exitedInstructions = m.exitedInstructions;
  p.stopped = m.stopped;
  p.fds.clear();
  for (const fd of m.fds) p.fds.add(fd);
  restoreProcessSignals(m.signals, p.sigactions, p.pendingSignals);
  const now = k.now();
  m.threads.forEach((it) => {
    const tid = it.tid === m.pid ? pid : k.idFree(it.tid) ? it.tid : k.newPid();
    const t = new Thread(tid, p);
    t.regs.set(it.regs);
    t.pc = it.pc;
    t.nice = it.nice;
    t.instructions = it.instructions;
    t.clearChildTid = it.clearChildTid;
    restoreThreadSignals(it.signals, t);
    const w = it.wait;
    if (w !== undefined) {
      t.wait = {
        kind: w.kind,
        deadline: w.remainingNs < 0 ? -1 : now + w.remainingNs,
        addr: w.addr,
        private: w.private,
        key: 'object' in w ? waitKey(w.kind, objectId(w.object) ?? 0) : '',
        object: 'object' in w ? (objectId(w.object) ?? 0) : 0,
        woken: w.woken,
      };
    }
    k.startThread(t);
    t.sliceLeft = it.sliceLeft;
  });
  return p;
}

/** A thread's wait record as image data (a page wait has none: the access runs again on restore). */
function imageWait(t: Thread, now: number, group: GroupCapture | undefined): ImageWait | undefined {
  const w = t.wait;
  if (w === undefined || w.kind === 'page') return undefined;
  const queue = group?.queueOrder(t);
  const common = {
    remainingNs: w.deadline < 0 ? -1 : Math.max(0, w.deadline - now),
    addr: w.addr,
    private: w.private,
    woken: w.woken,
    ...(queue !== undefined ? { queue } : {}),
  };
  if (!isIpcWait(w.kind)) return { ...common, kind: w.kind };
  const object = group?.waitObject(t);
  assert(object !== undefined, `an IPC wait of thread ${t.tid} captured outside a group`);
  return { ...common, kind: w.kind, object };
}

/** Protection bits from PTE bits (a copy-on-write page's region may still be writable: W is restored on write). */
function protOfBits(bits: number): number {
  return ((bits >> 1) & 1) | ((bits >> 1) & 2) | ((bits >> 1) & 4);
}

function isIpcWait(kind: WaitKind): kind is IpcWaitKind {
  return IPC_WAITS.has(kind);
}
