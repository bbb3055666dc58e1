// Program loading: builds a fresh address space from a static ELF image — one region per run of
// pages with the same protection; pages holding file bytes mapped at once (read-only ones shared
// copy-on-write through the image cache), the rest demand-zero — plus a stack that grows on demand,
// holding the Linux/System V initial stack: argc, argv, envp, auxv, and their strings; and the
// signal trampoline page.
import { type ElfImage, PF_R, PF_W, PF_X } from '../machine/elf.js';
import type { PhysicalMemory } from '../machine/memory.js';
import type { FrameAllocator } from './frames.js';
import { ARG_MAX, ARGV_MAX, STACK_INITIAL, STACK_MAX, STACK_TOP } from './limits.js';
import { SIGTRAMP_ADDR, SIGTRAMP_CODE } from './signal-frame.js';
import { AddressSpace, PROT_EXEC, PROT_READ, PROT_WRITE, PTE_COW, pageDown, pageUp } from './vm.js';

// Auxiliary vector keys (Linux uapi/linux/auxvec.h).
const AT_NULL = 0;
const AT_PHDR = 3;
const AT_PHENT = 4;
const AT_PHNUM = 5;
const AT_PAGESZ = 6;
const AT_BASE = 7;
const AT_FLAGS = 8;
const AT_ENTRY = 9;
const AT_UID = 11;
const AT_EUID = 12;
const AT_GID = 13;
const AT_EGID = 14;
const AT_HWCAP = 16;
const AT_CLKTCK = 17;
const AT_SECURE = 23;
const AT_RANDOM = 25;
const AT_EXECFN = 31;

/** AT_HWCAP for RV32IMAC: one bit per single-letter extension. */
const HWCAP_IMAC = (1 << ('I'.charCodeAt(0) - 65)) | (1 << ('M'.charCodeAt(0) - 65)) | 1 | (1 << 2);

export class ExecError extends Error {}

export interface LoadedProgram {
  addressSpace: AddressSpace;
  entry: number;
  sp: number;
  brkStart: number;
}

export interface ProgramArgs {
  argv: string[];
  envp: string[];
  /** 16 bytes for AT_RANDOM. */
  random: Uint8Array;
}

function protOf(flags: number): number {
  return (flags & PF_R ? PROT_READ : 0) | (flags & PF_W ? PROT_WRITE : 0) | (flags & PF_X ? PROT_EXEC : 0);
}

/**
 * Loads `image` (parsed from `file`) into a new address space with its initial stack. Read-only
 * pages come from (and go into) `sharedPages`, the image cache's map for this file.
 */
export function loadProgram(
  memory: PhysicalMemory,
  frames: FrameAllocator,
  image: ElfImage,
  file: Uint8Array,
  args: ProgramArgs,
  sharedPages?: Map<number, number>,
): LoadedProgram {
  const stack = buildInitialStack(image, file, args);
  const as = AddressSpace.create(memory, frames);
  if (as === undefined) throw new ExecError('out of memory');
  try {
    for (const [start, end, prot] of pageRuns(image)) {
      if (!as.addRegion(start, end, prot, 'image', 'image'))
        throw new ExecError(
          `segment pages [0x${start.toString(16)}, 0x${end.toString(16)}) are not in user space`,
        );
      for (let page = start; page < end; page += 4096) {
        if (!hasFileBytes(image, page)) continue;
        const shared = (prot & PROT_WRITE) === 0 ? sharedPages : undefined;
        let frame = shared?.get(page) ?? -1;
        if (frame >= 0) frames.retain(frame);
        else {
          frame = frames.alloc();
          if (frame < 0) throw new ExecError('out of memory');
          fillPage(memory, frame * 4096, image, page);
          if (shared !== undefined) {
            frames.retain(frame);
            shared.set(page, frame);
          }
        }
        if (!as.mapPage(page, frame, prot, shared !== undefined ? PTE_COW : 0)) {
          frames.release(frame);
          throw new ExecError('out of memory');
        }
      }
    }
    const stackRegion = {
      start: STACK_TOP - STACK_INITIAL,
      end: STACK_TOP,
      prot: PROT_READ | PROT_WRITE,
      name: 'stack',
      kind: 'stack' as const,
      limit: STACK_TOP - STACK_MAX,
    };
    if (!as.insert(stackRegion)) throw new ExecError('the stack collides with the program image');
    if (!mapSigtramp(memory, frames, as)) throw new ExecError('out of memory');
    if (!kernelWrite(as, stack.sp, stack.bytes)) throw new ExecError('out of memory');
    const imageEnd = Math.max(...image.segments.map((s) => s.vaddr + s.memsz));
    return { addressSpace: as, entry: image.entry, sp: stack.sp, brkStart: pageUp(imageEnd) };
  } catch (err) {
    as.destroy();
    throw err;
  }
}

/** True when some segment has file bytes in the page at `page`. */
function hasFileBytes(image: ElfImage, page: number): boolean {
  return image.segments.some((s) => s.filesz > 0 && s.vaddr < page + 4096 && page < s.vaddr + s.filesz);
}

/** Writes the file bytes that fall in the page at `page` into the (zeroed) frame at `frameOff`. */
function fillPage(memory: PhysicalMemory, frameOff: number, image: ElfImage, page: number): void {
  for (const s of image.segments) {
    const from = Math.max(s.vaddr, page);
    const to = Math.min(s.vaddr + s.filesz, page + 4096);
    if (from < to) memory.writeBytes(frameOff + (from - page), s.data.subarray(from - s.vaddr, to - s.vaddr));
  }
}

/** Writes into user pages regardless of their protection (loading only). */
function kernelWrite(as: AddressSpace, vaddr: number, data: Uint8Array): boolean {
  const runs = as.resolveRange(vaddr, data.length, 0);
  if (runs === undefined) return false;
  let done = 0;
  const memory = as.memoryForLoader;
  for (const [off, n] of runs) {
    memory.writeBytes(off, data.subarray(done, done + n));
    done += n;
  }
  return true;
}

/** Page-aligned runs of the image with one protection each; a page shared by two segments gets both. */
function pageRuns(image: ElfImage): [number, number, number][] {
  const pages = new Map<number, number>();
  for (const segment of image.segments) {
    if (segment.memsz === 0) continue;
    const prot = protOf(segment.flags);
    for (let page = pageDown(segment.vaddr); page < segment.vaddr + segment.memsz; page += 4096) {
      pages.set(page, (pages.get(page) ?? 0) | prot);
    }
  }
  const sorted = [...pages.entries()].sort((a, b) => a[0] - b[0]);
  const runs: [number, number, number][] = [];
  for (const [page, prot] of sorted) {
    const last = runs[runs.length - 1];
    if (last !== undefined && last[1] === page && last[2] === prot) last[1] = page + 4096;
    else runs.push([page, page + 4096, prot]);
  }
  return runs;
}

const encoder = new TextEncoder();

/** Lays out the initial stack below STACK_TOP: returns its bytes and the initial sp (16-byte aligned). */
function buildInitialStack(
  image: ElfImage,
  file: Uint8Array,
  args: ProgramArgs,
): { sp: number; bytes: Uint8Array } {
  if (args.argv.length > ARGV_MAX || args.envp.length > ARGV_MAX)
    throw new ExecError('argument list too long');
  const argv = args.argv.map((s) => encoder.encode(`${s}\0`));
  const envp = args.envp.map((s) => encoder.encode(`${s}\0`));
  const execfn = argv[0] ?? encoder.encode('\0');
  const stringBytes = [...argv, ...envp].reduce((n, s) => n + s.length, 0) + execfn.length + 16;
  if (stringBytes > ARG_MAX) throw new ExecError('argument list too long');

  // Strings and AT_RANDOM bytes at the top, then the pointer block, 16-byte aligned.
  let top = STACK_TOP - 16;
  const placed: [number, Uint8Array][] = [];
  const place = (data: Uint8Array): number => {
    top -= data.length;
    placed.push([top, data]);
    return top;
  };
  const execfnAddr = place(execfn);
  const envAddrs = envp.map(place);
  const argAddrs = argv.map(place);
  const randomAddr = place(args.random.subarray(0, 16));

  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const phoff = view.getUint32(28, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  const first = image.segments[0];
  const phdr = first === undefined ? 0 : first.vaddr - first.offset + phoff;
  const auxv: [number, number][] = [
    [AT_PHDR, phdr],
    [AT_PHENT, phentsize],
    [AT_PHNUM, phnum],
    [AT_PAGESZ, 4096],
    [AT_BASE, 0],
    [AT_FLAGS, 0],
    [AT_ENTRY, image.entry],
    [AT_UID, 0],
    [AT_EUID, 0],
    [AT_GID, 0],
    [AT_EGID, 0],
    [AT_HWCAP, HWCAP_IMAC],
    [AT_CLKTCK, 100],
    [AT_SECURE, 0],
    [AT_RANDOM, randomAddr],
    [AT_EXECFN, execfnAddr],
    [AT_NULL, 0],
  ];
  const words = [argv.length, ...argAddrs, 0, ...envAddrs, 0, ...auxv.flat()];
  const sp = (top - words.length * 4) & ~15;
  const bytes = new Uint8Array(STACK_TOP - sp);
  const out = new DataView(bytes.buffer);
  words.forEach((word, i) => {
    out.setUint32(i * 4, word >>> 0, true);
  });
  for (const [addr, data] of placed) bytes.set(data, addr - sp);
  return { sp: sp >>> 0, bytes };
}

/**
 * Maps the signal trampoline page (read + execute, like Linux's vDSO) at SIGTRAMP_ADDR: the return
 * address of every signal handler (signal-frame.ts). False when out of memory or the address is
 * taken (the ELF loader keeps programs below the stack, so only a full node refuses).
 */
export function mapSigtramp(memory: PhysicalMemory, frames: FrameAllocator, as: AddressSpace): boolean {
  if (!as.addRegion(SIGTRAMP_ADDR, SIGTRAMP_ADDR + 4096, PROT_READ | PROT_EXEC, '[sigtramp]', 'image'))
    return false;
  const frame = frames.alloc();
  if (frame < 0) return false;
  memory.writeBytes(frame * 4096, SIGTRAMP_CODE);
  if (!as.mapPage(SIGTRAMP_ADDR, frame, PROT_READ | PROT_EXEC)) {
    frames.release(frame);
    return false;
  }
  return true;
}
