// Process images (DESIGN.md §5): everything the kernel holds about a process, as plain data —
// a manifest (threads with registers, state and wait records; regions; page table entries; limits;
// clock offset; symbols) plus the contents of its present pages. capture() takes one from a live
// process between kernel steps; restore() rebuilds a process from one. The byte encoding with
// checksums is image-codec.ts.
import type { ElfSymbol } from '../machine/elf.js';
import { symbolizer } from '../machine/elf.js';
import { assert } from './assert.js';
import type { ProcessLimits, ThreadState, WaitKind } from './proc.js';
import type { RegionKind } from './vm.js';

export const IMAGE_VERSION = 1;

export interface ImageRegion {
  start: number;
  end: number;
  prot: number;
  name: string;
  kind: RegionKind;
  /** Lowest address a stack region may grow down to. */
  limit?: number;
  /** A shared mapping (group images only): the shared memory object's id and its first page. */
  shm?: number;
  shmPage?: number;
}

export interface ImagePage {
  vaddr: number;
  /** The PTE's low bits (R/W/X/U/A/D and the copy-on-write bit) at checkpoint time. */
  bits: number;
  /** Index into the image's page contents. */
  content: number;
}

/** The waits on an IPC object (group images only). */
export type IpcWaitKind = 'send' | 'receive' | 'reply' | 'notify';

/** What every wait record holds. */
interface ImageWaitCommon {
  /** ns left until the deadline at checkpoint time, or -1. */
  remainingNs: number;
  /** futex: the word; IPC: the message descriptor or notification out pointer; else 0. */
  addr: number;
  private: boolean;
  woken: 'event' | 'timeout' | undefined;
  /** Position among the group's blocked threads when queued (restores each wait queue's order). */
  queue?: number;
}

/** A wait record: an IPC wait names its object by id; the others need no object. */
export type ImageWait =
  | (ImageWaitCommon & { kind: IpcWaitKind /** the port, port set, reply or notification */; object: number })
  | (ImageWaitCommon & { kind: Exclude<WaitKind, IpcWaitKind | 'page'> });

/** A 64-bit signal set as [low 32 bits, high 32 bits]. */
export type ImageSigSet = [number, number];

/** A pending signal and the siginfo it carries. */
export interface ImageSigInfo {
  signo: number;
  code: number;
  pid: number;
  addr: number;
  status: number;
}

/** A thread's signal state (absent in images from before signal handlers: all empty). */
export interface ImageThreadSignals {
  blocked: ImageSigSet;
  pending: ImageSigInfo[];
  altStack: { sp: number; size: number; flags: number };
  /** rt_sigsuspend's mask to restore, or undefined. */
  savedMask: ImageSigSet | undefined;
}

/** A process's dispositions (only those not SIG_DFL) and its process-wide pending signals. */
export interface ImageProcessSignals {
  actions: { signo: number; handler: number; flags: number; mask: ImageSigSet }[];
  pending: ImageSigInfo[];
}

export interface ImageThread {
  tid: number;
  regs: number[];
  pc: number;
  state: Extract<ThreadState, 'ready' | 'blocked' | 'suspended'>;
  nice: number;
  sliceLeft: number;
  instructions: number;
  clearChildTid: number;
  wait: ImageWait | undefined;
  signals?: ImageThreadSignals;
}

export interface ImageManifest {
  version: number;
  name: string;
  npid: string;
  pid: number;
  limits: ProcessLimits;
  brkStart: number;
  brk: number;
  /** Start of the heap region, or -1. */
  heapStart: number;
  /** The process's CLOCK_MONOTONIC reading at checkpoint time. */
  monotonicNs: number;
  exitedInstructions: number;
  stopped: boolean;
  fds: number[];
  regions: ImageRegion[];
  pages: ImagePage[];
  threads: ImageThread[];
  symbols: ElfSymbol[];
  /** Signal dispositions and pending signals (optional: older images have none). */
  signals?: ImageProcessSignals;
}

export interface ProcessImage {
  manifest: ImageManifest;
  /** Page contents, 4096 bytes each, each distinct (pages with equal bytes share one). */
  contents: Uint8Array[];
}

export class ImageError extends Error {
  override readonly name = 'ImageError';
}

/** A symbols object for a rebuilt process. */
export function imageSymbols(list: ElfSymbol[]): {
  list: ElfSymbol[];
  symbolize: (addr: number) => { name: string; offset: number } | undefined;
} {
  return { list, symbolize: symbolizer(list) };
}

/** Collects page contents, storing equal pages once. */
export class PageContents {
  readonly contents: Uint8Array[] = [];
  private readonly index = new Map<string, number[]>();

  add(page: Uint8Array): number {
    assert(page.length === 4096, 'image pages are 4096 bytes');
    const key = quickKey(page);
    const candidates = this.index.get(key) ?? [];
    for (const at of candidates) {
      if (equalBytes(this.contents[at]!, page)) return at;
    }
    const at = this.contents.length;
    this.contents.push(page.slice());
    candidates.push(at);
    this.index.set(key, candidates);
    return at;
  }
}

function quickKey(page: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < page.length; i += 4) h = Math.imul(h ^ (page[i]! | (page[i + 1]! << 8)), 0x01000193);
  return (h >>> 0).toString(36);
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
