// ELF32 little-endian RISC-V loader: validates the file header, the program headers and the symbol
// table of a static executable and returns its loadable segments and symbols. Works on bytes only.
// Every problem is an ElfError whose message names exactly what is wrong; no other exception
// escapes for any input.

export class ElfError extends Error {
  override name = 'ElfError';
}

export const PF_X = 1;
export const PF_W = 2;
export const PF_R = 4;

export const ET_EXEC = 2;
export const ET_DYN = 3;
export const STT_NOTYPE = 0;
export const STT_OBJECT = 1;
export const STT_FUNC = 2;
export const STT_SECTION = 3;
export const STT_FILE = 4;

const EM_RISCV = 243;
const PT_LOAD = 1;
const PT_INTERP = 3;
const SHT_SYMTAB = 2;
const SHT_STRTAB = 3;
const SHN_UNDEF = 0;
const STB_LOCAL = 0;
const EHDR_SIZE = 52;
const PHDR_SIZE = 32;
const SHDR_SIZE = 40;
const SYM_SIZE = 16;
const SPACE = 2 ** 32;

export interface ElfSegment {
  vaddr: number;
  paddr: number;
  memsz: number;
  filesz: number;
  offset: number;
  flags: number;
  /** The segment's file bytes: a subarray of the input, `filesz` long. */
  data: Uint8Array;
}

export interface ElfSymbol {
  name: string;
  value: number;
  size: number;
  /** STT_* */
  type: number;
}

export interface ElfImage {
  entry: number;
  /** ET_* (always ET_EXEC for an image parseElf returns) */
  type: number;
  /** PT_LOAD segments only, sorted by vaddr. */
  segments: ElfSegment[];
  /** Named symbols from .symtab (no section, file, undefined or mapping symbols), sorted by value. */
  symbols: ElfSymbol[];
  symbol(name: string): ElfSymbol | undefined;
  /** The nearest FUNC/NOTYPE symbol at or below addr (and within its size when it has one). */
  symbolize(addr: number): { name: string; offset: number } | undefined;
  /** A PT_INTERP header is present: the program wants a dynamic linker. */
  hasInterp: boolean;
}

export interface ElfLimits {
  addressLow?: number;
  /** Exclusive; may be 2**32. */
  addressHigh?: number;
  /** Check (and test for overlap) the physical addresses instead of the virtual ones. */
  usePhysical?: boolean;
}

const hex = (n: number): string => `0x${n.toString(16)}`;
const range = (start: number, end: number): string => `[${hex(start)}, ${hex(end)})`;

const CLASSES: Record<number, string> = { 0: 'ELFCLASSNONE', 1: 'ELFCLASS32', 2: 'ELFCLASS64' };
const ENCODINGS: Record<number, string> = { 0: 'ELFDATANONE', 1: 'little-endian', 2: 'big-endian' };
const TYPES: Record<number, string> = {
  0: 'ET_NONE',
  1: 'ET_REL (a relocatable object file)',
  2: 'ET_EXEC',
  3: 'ET_DYN',
  4: 'ET_CORE (a core dump)',
};
const MACHINES: Record<number, string> = {
  0: 'none',
  3: 'x86',
  8: 'MIPS',
  20: 'PowerPC',
  21: 'PowerPC64',
  22: 'S/390',
  40: 'ARM',
  50: 'IA-64',
  62: 'x86-64',
  183: 'AArch64',
  243: 'RISC-V',
  258: 'LoongArch',
};

/** Bounds-checked little-endian reads over the file; a read past the end is an ElfError. */
class Reader {
  private readonly view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  get length(): number {
    return this.bytes.length;
  }
  /** Throws unless [start, start + size) lies inside the file. */
  need(start: number, size: number, what: string): void {
    if (start + size > this.length) {
      throw new ElfError(
        `ELF: truncated: ${what} ${range(start, start + size)} runs past the end of the ${this.length}-byte file`,
      );
    }
  }
  u8(at: number, what: string): number {
    this.need(at, 1, what);
    return this.view.getUint8(at);
  }
  u16(at: number, what: string): number {
    this.need(at, 2, what);
    return this.view.getUint16(at, true);
  }
  u32(at: number, what: string): number {
    this.need(at, 4, what);
    return this.view.getUint32(at, true);
  }
}

interface Header {
  type: number;
  entry: number;
  phoff: number;
  phentsize: number;
  phnum: number;
  shoff: number;
  shentsize: number;
  shnum: number;
}

interface ProgramHeader extends ElfSegment {
  index: number;
  ptype: number;
}

export function parseElf(bytes: Uint8Array, limits: ElfLimits = {}): ElfImage {
  const file = new Reader(bytes);
  const header = readHeader(file);
  const phdrs = readProgramHeaders(file, header);
  const hasInterp = phdrs.some((p) => p.ptype === PT_INTERP);
  checkType(header.type, hasInterp);
  const loads = phdrs.filter((p) => p.ptype === PT_LOAD);
  if (loads.length === 0) throw new ElfError('ELF: no loadable (PT_LOAD) segment: nothing to load');
  for (const seg of loads) checkSegment(file, seg, limits);
  checkOverlaps(loads, limits.usePhysical === true);
  const entry = header.entry;
  if (!loads.some((s) => (s.flags & PF_X) !== 0 && entry >= s.vaddr && entry < s.vaddr + s.memsz)) {
    throw new ElfError(`ELF: entry point ${hex(entry)} is not inside an executable segment`);
  }
  const segments = loads
    .sort((a, b) => a.vaddr - b.vaddr)
    .map(({ vaddr, paddr, memsz, filesz, offset, flags }) => ({
      vaddr,
      paddr,
      memsz,
      filesz,
      offset,
      flags,
      data: bytes.subarray(offset, offset + filesz),
    }));
  const symbols = readSymbols(file, header);
  return makeImage(entry, header.type, segments, symbols, hasInterp);
}

function readHeader(file: Reader): Header {
  const b = file.bytes;
  if (b.length === 0) throw new ElfError('ELF: not an ELF file: the file is empty');
  const magic = [0x7f, 0x45, 0x4c, 0x46];
  for (let i = 0; i < Math.min(4, b.length); i++) {
    if (b[i] !== magic[i])
      throw new ElfError('ELF: not an ELF file (bad magic number, expected 7f 45 4c 46)');
  }
  if (b.length < EHDR_SIZE) {
    throw new ElfError(`ELF: truncated: file is ${b.length} bytes, header needs ${EHDR_SIZE}`);
  }
  const cls = file.u8(4, 'EI_CLASS');
  if (cls !== 1) {
    throw new ElfError(`ELF: wrong class: ${CLASSES[cls] ?? `class ${cls}`} (expected ELFCLASS32)`);
  }
  const data = file.u8(5, 'EI_DATA');
  if (data !== 1) {
    throw new ElfError(
      `ELF: wrong data encoding: ${ENCODINGS[data] ?? `encoding ${data}`} (expected little-endian)`,
    );
  }
  const identVersion = file.u8(6, 'EI_VERSION');
  if (identVersion !== 1) throw new ElfError(`ELF: wrong version: EI_VERSION is ${identVersion}, expected 1`);
  const machine = file.u16(18, 'e_machine');
  if (machine !== EM_RISCV) {
    const name = MACHINES[machine];
    throw new ElfError(`ELF: wrong machine: ${machine}${name ? ` (${name})` : ''}, expected 243 (RISC-V)`);
  }
  const version = file.u32(20, 'e_version');
  if (version !== 1) throw new ElfError(`ELF: wrong version: e_version is ${version}, expected 1`);
  return {
    type: file.u16(16, 'e_type'),
    entry: file.u32(24, 'e_entry'),
    phoff: file.u32(28, 'e_phoff'),
    shoff: file.u32(32, 'e_shoff'),
    phentsize: file.u16(42, 'e_phentsize'),
    phnum: file.u16(44, 'e_phnum'),
    shentsize: file.u16(46, 'e_shentsize'),
    shnum: file.u16(48, 'e_shnum'),
  };
}

function checkType(type: number, hasInterp: boolean): void {
  if (type === ET_EXEC) return;
  if (type === ET_DYN) {
    throw new ElfError(
      hasInterp
        ? 'ELF: unsupported type ET_DYN with PT_INTERP: the program is dynamically linked, which is not supported (link with -static)'
        : 'ELF: unsupported type ET_DYN (a position-independent executable or shared object): link with -static -no-pie',
    );
  }
  throw new ElfError(`ELF: unsupported type ${TYPES[type] ?? type}, expected ET_EXEC (an executable)`);
}

function readProgramHeaders(file: Reader, h: Header): ProgramHeader[] {
  if (h.phnum === 0) return [];
  if (h.phentsize !== PHDR_SIZE) {
    throw new ElfError(
      `ELF: bad program header entry size e_phentsize=${h.phentsize}, expected ${PHDR_SIZE}`,
    );
  }
  if (h.phoff === 0) throw new ElfError(`ELF: e_phnum is ${h.phnum} but e_phoff is 0`);
  file.need(h.phoff, h.phnum * PHDR_SIZE, `program header table (${h.phnum} entries)`);
  const out: ProgramHeader[] = [];
  for (let i = 0; i < h.phnum; i++) {
    const at = h.phoff + i * PHDR_SIZE;
    const what = `program header ${i}`;
    const offset = file.u32(at + 4, what);
    const filesz = file.u32(at + 16, what);
    out.push({
      index: i,
      ptype: file.u32(at, what),
      offset,
      vaddr: file.u32(at + 8, what),
      paddr: file.u32(at + 12, what),
      filesz,
      memsz: file.u32(at + 20, what),
      flags: file.u32(at + 24, what),
      data: new Uint8Array(0),
    });
  }
  return out;
}

function checkSegment(file: Reader, seg: ProgramHeader, limits: ElfLimits): void {
  const i = seg.index;
  if (seg.offset + seg.filesz > file.length) {
    throw new ElfError(
      `ELF: truncated: segment ${i} file range ${range(seg.offset, seg.offset + seg.filesz)} runs past the end of the ${file.length}-byte file`,
    );
  }
  if (seg.memsz < seg.filesz) {
    throw new ElfError(
      `ELF: segment ${i} has memsz ${hex(seg.memsz)} smaller than filesz ${hex(seg.filesz)}`,
    );
  }
  checkWrap(i, 'virtual', seg.vaddr, seg.memsz);
  if (limits.usePhysical) checkWrap(i, 'physical', seg.paddr, seg.memsz);
  const addr = limits.usePhysical ? seg.paddr : seg.vaddr;
  const low = limits.addressLow ?? 0;
  const high = limits.addressHigh ?? SPACE;
  if (seg.memsz > 0 && (addr < low || addr + seg.memsz > high)) {
    throw new ElfError(
      `ELF: segment ${i} ${range(addr, addr + seg.memsz)} is outside the allowed range ${range(low, high)}`,
    );
  }
}

function checkWrap(index: number, kind: string, start: number, size: number): void {
  if (start + size > SPACE) {
    throw new ElfError(
      `ELF: segment ${index} ${kind} range ${range(start, start + size)} wraps past the end of the 32-bit address space`,
    );
  }
}

/** Byte ranges of PT_LOAD segments (in the address space being loaded) must not overlap. */
function checkOverlaps(loads: ProgramHeader[], physical: boolean): void {
  const key = (s: ProgramHeader): number => (physical ? s.paddr : s.vaddr);
  const sized = loads.filter((s) => s.memsz > 0).sort((a, b) => key(a) - key(b) || a.index - b.index);
  for (let i = 1; i < sized.length; i++) {
    const a = sized[i - 1]!;
    const b = sized[i]!;
    if (key(a) + a.memsz > key(b)) {
      const [first, second] = a.index < b.index ? [a, b] : [b, a];
      throw new ElfError(
        `ELF: segment ${second.index} ${range(key(second), key(second) + second.memsz)} overlaps segment ${first.index} ${range(key(first), key(first) + first.memsz)}`,
      );
    }
  }
}

interface Section {
  index: number;
  type: number;
  offset: number;
  size: number;
  link: number;
  entsize: number;
}

function readSection(file: Reader, h: Header, index: number): Section {
  const at = h.shoff + index * SHDR_SIZE;
  const what = `section header ${index}`;
  return {
    index,
    type: file.u32(at + 4, what),
    offset: file.u32(at + 16, what),
    size: file.u32(at + 20, what),
    link: file.u32(at + 24, what),
    entsize: file.u32(at + 36, what),
  };
}

interface RawSymbol extends ElfSymbol {
  global: boolean;
}

/** Symbols from the SHT_SYMTAB section. A section header table that is absent or lies outside the
 * file (stripped or cut short after the loadable part) gives no symbols; a malformed one is an error. */
function readSymbols(file: Reader, h: Header): RawSymbol[] {
  if (h.shoff === 0 || h.shnum === 0) return [];
  if (h.shentsize !== SHDR_SIZE) {
    throw new ElfError(
      `ELF: bad section header entry size e_shentsize=${h.shentsize}, expected ${SHDR_SIZE}`,
    );
  }
  if (h.shoff + h.shnum * SHDR_SIZE > file.length) return [];
  const symbols: RawSymbol[] = [];
  for (let i = 0; i < h.shnum; i++) {
    const sh = readSection(file, h, i);
    if (sh.type === SHT_SYMTAB) symbols.push(...readSymtab(file, h, sh));
  }
  return symbols;
}

function readSymtab(file: Reader, h: Header, sh: Section): RawSymbol[] {
  const name = `symbol table (section ${sh.index})`;
  if (sh.entsize !== SYM_SIZE)
    throw new ElfError(`ELF: ${name} has entry size ${sh.entsize}, expected ${SYM_SIZE}`);
  if (sh.size % SYM_SIZE !== 0) {
    throw new ElfError(`ELF: ${name} size ${sh.size} is not a multiple of the entry size ${SYM_SIZE}`);
  }
  file.need(sh.offset, sh.size, name);
  if (sh.link === 0 || sh.link >= h.shnum) {
    throw new ElfError(`ELF: ${name} links to string table section ${sh.link}, which does not exist`);
  }
  const str = readSection(file, h, sh.link);
  if (str.type !== SHT_STRTAB) {
    throw new ElfError(
      `ELF: ${name} links to section ${sh.link}, which is not a string table (type ${str.type})`,
    );
  }
  file.need(str.offset, str.size, `string table (section ${str.index})`);
  const decoder = new TextDecoder();
  const out: RawSymbol[] = [];
  for (let at = sh.offset + SYM_SIZE; at < sh.offset + sh.size; at += SYM_SIZE) {
    const nameOff = file.u32(at, name);
    if (nameOff !== 0 && nameOff >= str.size) {
      throw new ElfError(
        `ELF: symbol ${(at - sh.offset) / SYM_SIZE} name offset ${nameOff} is outside its string table (${str.size} bytes)`,
      );
    }
    const info = file.u8(at + 12, name);
    const type = info & 0xf;
    const shndx = file.u16(at + 14, name);
    if (nameOff === 0 || shndx === SHN_UNDEF || type === STT_SECTION || type === STT_FILE) continue;
    const start = str.offset + nameOff;
    let end = start;
    while (end < str.offset + str.size && file.bytes[end] !== 0) end++;
    const symName = decoder.decode(file.bytes.subarray(start, end));
    // `$x`/`$d` mark code and data; `.L` labels are assembler-local.
    if (symName === '' || symName.startsWith('$') || symName.startsWith('.L')) continue;
    out.push({
      name: symName,
      value: file.u32(at + 4, name),
      size: file.u32(at + 8, name),
      type,
      global: info >>> 4 !== STB_LOCAL,
    });
  }
  return out;
}

/** Order for equal addresses: functions first, then sized symbols, then by name. */
function compareSymbols(a: ElfSymbol, b: ElfSymbol): number {
  const rank = (s: ElfSymbol): number => (s.type === STT_FUNC ? 0 : 1);
  return (
    a.value - b.value ||
    rank(a) - rank(b) ||
    Number(b.size > 0) - Number(a.size > 0) ||
    (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)
  );
}

function makeImage(
  entry: number,
  type: number,
  segments: ElfSegment[],
  raw: RawSymbol[],
  hasInterp: boolean,
): ElfImage {
  raw.sort(compareSymbols);
  const byName = new Map<string, RawSymbol>();
  for (const s of raw) {
    const seen = byName.get(s.name);
    if (seen === undefined || (s.global && !seen.global)) byName.set(s.name, s);
  }
  const strip = (s: ElfSymbol): ElfSymbol => ({ name: s.name, value: s.value, size: s.size, type: s.type });
  const symbols = raw.map(strip);
  const code = symbols.filter((s) => s.type === STT_FUNC || s.type === STT_NOTYPE);
  const lookup = (name: string): ElfSymbol | undefined => {
    const s = byName.get(name);
    return s === undefined ? undefined : strip(s);
  };
  return {
    entry,
    type,
    segments,
    symbols,
    hasInterp,
    symbol: lookup,
    symbolize: (addr) => symbolize(code, addr >>> 0),
  };
}

function symbolize(code: ElfSymbol[], addr: number): { name: string; offset: number } | undefined {
  // Binary search for the last symbol at or below addr.
  let lo = 0;
  let hi = code.length - 1;
  let last = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (code[mid]!.value <= addr) {
      last = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (last < 0) return undefined;
  const value = code[last]!.value;
  let first = last;
  while (first > 0 && code[first - 1]!.value === value) first--;
  for (let i = first; i <= last; i++) {
    const s = code[i]!;
    if (s.size === 0 || addr < s.value + s.size) return { name: s.name, offset: addr - s.value };
  }
  return undefined;
}

/** A symbolize function over `symbols` (for images rebuilt without their ELF file). */
export function symbolizer(
  symbols: ElfSymbol[],
): (addr: number) => { name: string; offset: number } | undefined {
  const code = symbols
    .filter((s) => s.type === STT_FUNC || s.type === STT_NOTYPE)
    .sort((a, b) => a.value - b.value);
  return (addr) => symbolize(code, addr >>> 0);
}
