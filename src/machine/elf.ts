// ELF32 little-endian RISC-V loader: validates the header, program headers and symbol table of an
// executable and returns its loadable segments and symbols. Every problem is an ElfError whose
// message names exactly what is wrong; no other exception escapes for any input.

export class ElfError extends Error {}

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

const ET_EXEC = 2;
const ET_DYN = 3;
const EM_RISCV = 243;
const PT_LOAD = 1;
const PT_INTERP = 3;
const SHT_SYMTAB = 2;
const STT_NOTYPE = 0;
const STT_FUNC = 2;

export interface ElfSegment {
  vaddr: number;
  paddr: number;
  memsz: number;
  filesz: number;
  offset: number;
  flags: number;
  data: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  type: number;
}

export interface ElfImage {
  entry: number;
  type: number;
  segments: ElfSegment[];
  symbols: ElfSymbol[];
  hasInterp: boolean;
  symbol(name: string): ElfSymbol | undefined;
  symbolize(addr: number): { name: string; offset: number } | undefined;
}

export interface ElfLimits {
  addressLow?: number;
  addressHigh?: number;
  usePhysical?: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const MACHINES: Record<number, string> = { 3: 'x86', 8: 'MIPS', 40: 'ARM', 62: 'x86-64', 183: 'AArch64' };

export function parseElf(bytes: Uint8Array, limits: ElfLimits = {}): ElfImage {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4 || bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) {
    throw new ElfError('ELF: not an ELF file (bad magic number)');
  }
  if (bytes.length < 52) throw new ElfError(`ELF: truncated: file is ${bytes.length} bytes, header needs 52`);
  if (bytes[4] !== 1) {
    throw new ElfError(
      `ELF: wrong class: ${bytes[4] === 2 ? 'ELFCLASS64' : `class ${bytes[4]}`} (expected ELFCLASS32)`,
    );
  }
  if (bytes[5] !== 1) {
    throw new ElfError(
      `ELF: wrong data encoding: ${bytes[5] === 2 ? 'big-endian' : `encoding ${bytes[5]}`} (expected little-endian)`,
    );
  }
  if (bytes[6] !== 1 || view.getUint32(20, true) !== 1)
    throw new ElfError('ELF: unsupported ELF version (expected 1)');
  const type = view.getUint16(16, true);
  const machine = view.getUint16(18, true);
  if (machine !== EM_RISCV) {
    const name = MACHINES[machine];
    throw new ElfError(`ELF: wrong machine: ${machine}${name ? ` (${name})` : ''}, expected 243 (RISC-V)`);
  }
  const entry = view.getUint32(24, true);
  const phoff = view.getUint32(28, true);
  const shoff = view.getUint32(32, true);
  const phentsize = view.getUint16(42, true);
  const phnum = view.getUint16(44, true);
  const shentsize = view.getUint16(46, true);
  const shnum = view.getUint16(48, true);
  const shstrndx = view.getUint16(50, true);

  if (phnum > 0 && phentsize !== 32)
    throw new ElfError(`ELF: bad program header size ${phentsize} (expected 32)`);
  if (phoff + phnum * 32 > bytes.length) {
    throw new ElfError(
      `ELF: truncated: program header table [${hex(phoff)}, ${hex(phoff + phnum * 32)}) runs past the end of the ${bytes.length}-byte file`,
    );
  }
  const segments: ElfSegment[] = [];
  let hasInterp = false;
  for (let i = 0; i < phnum; i++) {
    const at = phoff + i * 32;
    const ptype = view.getUint32(at, true);
    if (ptype === PT_INTERP) hasInterp = true;
    if (ptype !== PT_LOAD) continue;
    const offset = view.getUint32(at + 4, true);
    const vaddr = view.getUint32(at + 8, true);
    const paddr = view.getUint32(at + 12, true);
    const filesz = view.getUint32(at + 16, true);
    const memsz = view.getUint32(at + 20, true);
    const flags = view.getUint32(at + 24, true);
    if (offset + filesz > bytes.length) {
      throw new ElfError(
        `ELF: truncated: segment ${i} file range [${hex(offset)}, ${hex(offset + filesz)}) runs past the end of the ${bytes.length}-byte file`,
      );
    }
    if (memsz < filesz)
      throw new ElfError(`ELF: segment ${i} has memsz ${hex(memsz)} smaller than filesz ${hex(filesz)}`);
    const addr = limits.usePhysical ? paddr : vaddr;
    if (addr + memsz > 2 ** 32)
      throw new ElfError(
        `ELF: segment ${i} [${hex(addr)}, ${hex(addr + memsz)}) wraps past the 32-bit address space`,
      );
    const low = limits.addressLow ?? 0;
    const high = limits.addressHigh ?? 2 ** 32;
    if (memsz > 0 && (addr < low || addr + memsz > high)) {
      throw new ElfError(
        `ELF: segment ${i} [${hex(addr)}, ${hex(addr + memsz)}) is outside the allowed range [${hex(low)}, ${hex(high)})`,
      );
    }
    segments.push({
      vaddr,
      paddr,
      memsz,
      filesz,
      offset,
      flags,
      data: bytes.subarray(offset, offset + filesz),
    });
  }
  if (type === ET_DYN) {
    throw new ElfError(
      hasInterp
        ? 'ELF: dynamically linked (PT_INTERP present): not supported'
        : 'ELF: position-independent executable (ET_DYN): not supported, link with -static -no-pie',
    );
  }
  if (type !== ET_EXEC) throw new ElfError(`ELF: unsupported type ${type} (expected ET_EXEC, an executable)`);
  if (segments.length === 0) throw new ElfError('ELF: no loadable (PT_LOAD) segment');
  const key = (s: ElfSegment): number => (limits.usePhysical ? s.paddr : s.vaddr);
  segments.sort((a, b) => key(a) - key(b));
  for (let i = 1; i < segments.length; i++) {
    const a = segments[i - 1]!;
    const b = segments[i]!;
    if (key(a) + a.memsz > key(b) && b.memsz > 0) {
      throw new ElfError(
        `ELF: segment [${hex(key(b))}, ${hex(key(b) + b.memsz)}) overlaps segment [${hex(key(a))}, ${hex(key(a) + a.memsz)})`,
      );
    }
  }
  if (!segments.some((s) => (s.flags & PF_X) !== 0 && entry >= s.vaddr && entry < s.vaddr + s.memsz)) {
    throw new ElfError(`ELF: entry point ${hex(entry)} is not inside an executable segment`);
  }
  const symbols = readSymbols(bytes, view, shoff, shentsize, shnum, shstrndx);
  return makeImage(entry, type, segments, symbols, hasInterp);
}

function readSymbols(
  bytes: Uint8Array,
  view: DataView,
  shoff: number,
  shentsize: number,
  shnum: number,
  _shstrndx: number,
): ElfSymbol[] {
  if (shnum === 0 || shoff === 0) return [];
  if (shentsize !== 40) throw new ElfError(`ELF: bad section header size ${shentsize} (expected 40)`);
  if (shoff + shnum * 40 > bytes.length)
    throw new ElfError('ELF: truncated: section header table runs past the end of the file');
  const section = (i: number) => {
    const at = shoff + i * 40;
    return {
      type: view.getUint32(at + 4, true),
      offset: view.getUint32(at + 16, true),
      size: view.getUint32(at + 20, true),
      link: view.getUint32(at + 24, true),
      entsize: view.getUint32(at + 36, true),
    };
  };
  const symbols: ElfSymbol[] = [];
  const decoder = new TextDecoder();
  for (let i = 0; i < shnum; i++) {
    const sh = section(i);
    if (sh.type !== SHT_SYMTAB) continue;
    if (sh.entsize !== 16) throw new ElfError(`ELF: symbol table entry size ${sh.entsize} (expected 16)`);
    if (sh.offset + sh.size > bytes.length)
      throw new ElfError('ELF: truncated: symbol table runs past the end of the file');
    if (sh.link >= shnum)
      throw new ElfError(`ELF: symbol table links to section ${sh.link}, which does not exist`);
    const str = section(sh.link);
    if (str.offset + str.size > bytes.length)
      throw new ElfError('ELF: truncated: string table runs past the end of the file');
    for (let at = sh.offset; at + 16 <= sh.offset + sh.size; at += 16) {
      const nameOff = view.getUint32(at, true);
      if (nameOff >= str.size && str.size > 0)
        throw new ElfError(`ELF: symbol name offset ${nameOff} is outside the string table`);
      let end = str.offset + nameOff;
      while (end < str.offset + str.size && bytes[end] !== 0) end++;
      const name = decoder.decode(bytes.subarray(str.offset + nameOff, end));
      if (name === '' || name.startsWith('$') || name.startsWith('.L')) continue;
      symbols.push({
        name,
        value: view.getUint32(at + 4, true),
        size: view.getUint32(at + 8, true),
        type: (bytes[at + 12] ?? 0) & 0xf,
      });
    }
  }
  symbols.sort((a, b) => a.value - b.value);
  return symbols;
}

function makeImage(
  entry: number,
  type: number,
  segments: ElfSegment[],
  symbols: ElfSymbol[],
  hasInterp: boolean,
): ElfImage {
  const byName = new Map<string, ElfSymbol>();
  for (const s of symbols) if (!byName.has(s.name)) byName.set(s.name, s);
  const code = symbols.filter((s) => s.type === STT_FUNC || s.type === STT_NOTYPE);
  return {
    entry,
    type,
    segments,
    symbols,
    hasInterp,
    symbol: (name) => byName.get(name),
    symbolize: (addr) => {
      let lo = 0;
      let hi = code.length - 1;
      let best: ElfSymbol | undefined;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const s = code[mid]!;
        if (s.value <= addr) {
          best = s;
          lo = mid + 1;
        } else hi = mid - 1;
      }
      if (best === undefined || (best.size > 0 && addr >= best.value + best.size)) return undefined;
      return { name: best.name, offset: addr - best.value };
    },
  };
}
