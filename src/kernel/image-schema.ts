// Validation of a decoded image manifest: every field's type and range, regions inside user space
// and not overlapping, pages inside regions, threads with 32 registers and a known state. An image
// that passes can be rebuilt without further checks; one that fails names the field at fault.
import type { ElfSymbol } from '../machine/elf.js';
import {
  IMAGE_VERSION,
  ImageError,
  type ImageManifest,
  type ImagePage,
  type ImageProcessSignals,
  type ImageRegion,
  type ImageSigInfo,
  type ImageSigSet,
  type ImageThread,
  type ImageThreadSignals,
  type ImageWait,
} from './image.js';
import { IMAGE_ARRAY_MAX, IMAGE_REGIONS_MAX, IMAGE_SYMBOLS_MAX } from './image-limits.js';
import { NICE_MAX, NICE_MIN, THREAD_MAX, USER_BASE, USER_TOP } from './limits.js';
import type { ProcessLimits } from './proc.js';
import { SIGNAL_MAX } from './signals.js';

type Obj = Record<string, unknown>;

export const fail = (path: string, what: string): never => {
  throw new ImageError(`image manifest: ${path} ${what}`);
};

export function obj(v: unknown, path: string): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'is not an object');
  return v as Obj;
}

export function int(v: unknown, path: string, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    fail(path, `must be an integer in [${min}, ${max}]`);
  return v as number;
}

export function str(v: unknown, path: string, max = 4096): string {
  if (typeof v !== 'string' || v.length > max) fail(path, `must be a string of at most ${max} characters`);
  return v as string;
}

export function bool(v: unknown, path: string): boolean {
  if (typeof v !== 'boolean') fail(path, 'must be a boolean');
  return v as boolean;
}

export function arr(v: unknown, path: string, max: number): unknown[] {
  if (!Array.isArray(v) || v.length > max) fail(path, `must be an array of at most ${max} entries`);
  return v as unknown[];
}

export function oneOf<T extends string>(v: unknown, path: string, options: readonly T[]): T {
  if (typeof v !== 'string' || !options.includes(v as T)) fail(path, `must be one of ${options.join(', ')}`);
  return v as T;
}

export const U32 = 0xffffffff;
const I32_MIN = -0x80000000;
const I32_MAX = 0x7fffffff;
const PAGE = 4096;

function region(v: unknown, path: string): ImageRegion {
  const o = obj(v, path);
  const start = int(o.start, `${path}.start`, USER_BASE, USER_TOP - PAGE);
  const end = int(o.end, `${path}.end`, start + PAGE, USER_TOP);
  if (start % PAGE !== 0 || end % PAGE !== 0) fail(path, 'is not page-aligned');
  const r: ImageRegion = {
    start,
    end,
    prot: int(o.prot, `${path}.prot`, 0, 7),
    name: str(o.name, `${path}.name`, 64),
    kind: oneOf(o.kind, `${path}.kind`, ['image', 'heap', 'stack', 'anon', 'shared'] as const),
  };
  if (r.kind === 'shared') {
    r.shm = int(o.shm, `${path}.shm`, 1, Number.MAX_SAFE_INTEGER);
    r.shmPage = int(o.shmPage, `${path}.shmPage`, 0, 1 << 20);
  }
  if (o.limit !== undefined && o.limit !== null) {
    r.limit = int(o.limit, `${path}.limit`, USER_BASE, start);
    if (r.limit % PAGE !== 0) fail(`${path}.limit`, 'is not page-aligned');
  }
  return r;
}

function wait(v: unknown, path: string): ImageWait | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  const woken =
    o.woken === undefined || o.woken === null
      ? undefined
      : oneOf(o.woken, `${path}.woken`, ['event', 'timeout'] as const);
  const common = {
    remainingNs: int(o.remainingNs, `${path}.remainingNs`, -1, Number.MAX_SAFE_INTEGER),
    addr: int(o.addr, `${path}.addr`, 0, U32),
    private: bool(o.private, `${path}.private`),
    woken,
    ...(o.queue !== undefined && o.queue !== null
      ? { queue: int(o.queue, `${path}.queue`, 0, Number.MAX_SAFE_INTEGER) }
      : {}),
  };
  const kind = oneOf(o.kind, `${path}.kind`, [
    'child',
    'sleep',
    'futex',
    'read',
    'sigsuspend',
    'sigwait',
    'send',
    'receive',
    'reply',
    'notify',
    'spawn',
  ] as const);
  // An IPC wait names its object (only group images carry the objects; the group check matches them).
  if (kind === 'send' || kind === 'receive' || kind === 'reply' || kind === 'notify')
    return { ...common, kind, object: int(o.object, `${path}.object`, 1, Number.MAX_SAFE_INTEGER) };
  return { ...common, kind };
}

function sigset(v: unknown, path: string): ImageSigSet {
  const a = arr(v, path, 2);
  if (a.length !== 2) fail(path, 'must hold two 32-bit words');
  return [int(a[0], `${path}[0]`, 0, U32), int(a[1], `${path}[1]`, 0, U32)];
}

function siginfo(v: unknown, path: string): ImageSigInfo {
  const o = obj(v, path);
  return {
    signo: int(o.signo, `${path}.signo`, 1, SIGNAL_MAX),
    code: int(o.code, `${path}.code`, I32_MIN, I32_MAX),
    pid: int(o.pid, `${path}.pid`, I32_MIN, I32_MAX),
    addr: int(o.addr, `${path}.addr`, 0, U32),
    status: int(o.status, `${path}.status`, I32_MIN, I32_MAX),
  };
}

function pendingList(v: unknown, path: string): ImageSigInfo[] {
  const list = arr(v, path, SIGNAL_MAX).map((s, i) => siginfo(s, `${path}[${i}]`));
  if (new Set(list.map((s) => s.signo)).size !== list.length) fail(path, 'holds a signal twice');
  return list;
}

function threadSignals(v: unknown, path: string): ImageThreadSignals | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  const alt = obj(o.altStack, `${path}.altStack`);
  return {
    blocked: sigset(o.blocked, `${path}.blocked`),
    pending: pendingList(o.pending, `${path}.pending`),
    altStack: {
      sp: int(alt.sp, `${path}.altStack.sp`, 0, U32),
      size: int(alt.size, `${path}.altStack.size`, 0, U32),
      flags: int(alt.flags, `${path}.altStack.flags`, I32_MIN, I32_MAX),
    },
    savedMask:
      o.savedMask === undefined || o.savedMask === null
        ? undefined
        : sigset(o.savedMask, `${path}.savedMask`),
  };
}

function processSignals(v: unknown, path: string): ImageProcessSignals | undefined {
  if (v === undefined || v === null) return undefined;
  const o = obj(v, path);
  const actions = arr(o.actions, `${path}.actions`, SIGNAL_MAX).map((a, i) => {
    const p = obj(a, `${path}.actions[${i}]`);
    return {
      signo: int(p.signo, `${path}.actions[${i}].signo`, 1, SIGNAL_MAX),
      handler: int(p.handler, `${path}.actions[${i}].handler`, 0, U32),
      flags: int(p.flags, `${path}.actions[${i}].flags`, I32_MIN, I32_MAX),
      mask: sigset(p.mask, `${path}.actions[${i}].mask`),
    };
  });
  return { actions, pending: pendingList(o.pending, `${path}.pending`) };
}

function thread(v: unknown, path: string): ImageThread {
  const o = obj(v, path);
  const regs = arr(o.regs, `${path}.regs`, 32);
  if (regs.length !== 32) fail(`${path}.regs`, 'must hold 32 registers');
  return {
    tid: int(o.tid, `${path}.tid`, 1, I32_MAX),
    regs: regs.map((r, i) => int(r, `${path}.regs[${i}]`, I32_MIN, I32_MAX)),
    pc: int(o.pc, `${path}.pc`, I32_MIN, I32_MAX),
    state: oneOf(o.state, `${path}.state`, ['ready', 'blocked', 'suspended'] as const),
    nice: int(o.nice, `${path}.nice`, NICE_MIN, NICE_MAX),
    sliceLeft: int(o.sliceLeft, `${path}.sliceLeft`, I32_MIN, I32_MAX),
    instructions: int(o.instructions, `${path}.instructions`, 0, Number.MAX_SAFE_INTEGER),
    clearChildTid: int(o.clearChildTid, `${path}.clearChildTid`, 0, U32),
    wait: wait(o.wait, `${path}.wait`),
    signals: threadSignals(o.signals, `${path}.signals`),
  };
}

function symbol(v: unknown, path: string): ElfSymbol {
  const o = obj(v, path);
  return {
    name: str(o.name, `${path}.name`, 1024),
    value: int(o.value, `${path}.value`, 0, U32),
    size: int(o.size, `${path}.size`, 0, U32),
    type: int(o.type, `${path}.type`, 0, 15),
  };
}

/** The most an image may ask for when the node sets no limits. */
const NO_NODE_LIMITS: ProcessLimits = { pages: IMAGE_ARRAY_MAX, threads: THREAD_MAX, handles: 1 << 16 };

/**
 * Checks a decoded manifest against an image holding `pageCount` page contents, on a node whose
 * processes may have at most `node` limits: an image cannot raise its own limits above the node's.
 */
export function validateManifest(
  value: unknown,
  pageCount: number,
  node: ProcessLimits = NO_NODE_LIMITS,
): ImageManifest {
  const o = obj(value, 'manifest');
  const version = int(o.version, 'version', 0, U32);
  if (version !== IMAGE_VERSION) fail('version', `is ${version}, expected ${IMAGE_VERSION}`);
  const limits = obj(o.limits, 'limits');
  const regions = arr(o.regions, 'regions', IMAGE_REGIONS_MAX).map((r, i) => region(r, `regions[${i}]`));
  regions.sort((a, b) => a.start - b.start);
  for (let i = 1; i < regions.length; i++) {
    if (regions[i]!.start < regions[i - 1]!.end) fail(`regions[${i}]`, 'overlaps the region before it');
  }
  const seen = new Set<number>();
  const pages = arr(o.pages, 'pages', node.pages).map((v, i): ImagePage => {
    const p = obj(v, `pages[${i}]`);
    const page: ImagePage = {
      vaddr: int(p.vaddr, `pages[${i}].vaddr`, USER_BASE, USER_TOP - PAGE),
      bits: int(p.bits, `pages[${i}].bits`, 0, 0x3ff),
      content: int(p.content, `pages[${i}].content`, 0, pageCount - 1),
    };
    if (page.vaddr % PAGE !== 0) fail(`pages[${i}].vaddr`, 'is not page-aligned');
    if ((page.bits & 0x11) !== 0x11) fail(`pages[${i}].bits`, 'must be a valid user PTE (V and U set)');
    if (!regions.some((r) => page.vaddr >= r.start && page.vaddr < r.end))
      fail(`pages[${i}]`, 'lies outside every region');
    if (seen.has(page.vaddr)) fail(`pages[${i}]`, 'maps a page twice');
    seen.add(page.vaddr);
    return page;
  });
  const manifest: ImageManifest = {
    version,
    name: str(o.name, 'name', 256),
    npid: str(o.npid, 'npid', 64),
    pid: int(o.pid, 'pid', 1, I32_MAX),
    limits: {
      pages: int(limits.pages, 'limits.pages (at most the node limit)', 1, node.pages),
      threads: int(
        limits.threads,
        'limits.threads (at most the node limit)',
        1,
        Math.min(node.threads, THREAD_MAX),
      ),
      handles: int(limits.handles, 'limits.handles (at most the node limit)', 0, node.handles),
    },
    brkStart: int(o.brkStart, 'brkStart', 0, USER_TOP),
    brk: int(o.brk, 'brk', 0, USER_TOP),
    heapStart: int(o.heapStart, 'heapStart', -1, USER_TOP),
    monotonicNs: int(o.monotonicNs, 'monotonicNs', 0, Number.MAX_SAFE_INTEGER),
    exitedInstructions: int(o.exitedInstructions, 'exitedInstructions', 0, Number.MAX_SAFE_INTEGER),
    stopped: bool(o.stopped, 'stopped'),
    fds: arr(o.fds, 'fds', 3).map((fd, i) => int(fd, `fds[${i}]`, 0, 2)),
    regions,
    pages,
    threads: [],
    symbols: arr(o.symbols, 'symbols', IMAGE_SYMBOLS_MAX).map((s, i) => symbol(s, `symbols[${i}]`)),
    signals: processSignals(o.signals, 'signals'),
  };
  const threads = arr(o.threads, 'threads', manifest.limits.threads);
  if (threads.length === 0) fail('threads', 'must hold at least one thread');
  manifest.threads = threads.map((t, i) => thread(t, `threads[${i}]`));
  if (manifest.heapStart >= 0 && !regions.some((r) => r.start === manifest.heapStart && r.kind === 'heap'))
    fail('heapStart', 'names no heap region');
  if (pages.length > manifest.limits.pages)
    fail('pages', `exceed the image's own limit of ${manifest.limits.pages}`);
  return manifest;
}
