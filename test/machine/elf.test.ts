import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import {
  ElfError,
  type ElfImage,
  type ElfLimits,
  ET_EXEC,
  PF_R,
  PF_W,
  PF_X,
  parseElf,
  STT_FUNC,
  STT_NOTYPE,
  STT_OBJECT,
} from '../../src/machine/elf.js';

// ---- a small ELF32 builder -------------------------------------------------------------------------

const PT_LOAD = 1;
const PT_INTERP = 3;
const PT_NOTE = 4;
const STB_LOCAL = 0;
const STB_GLOBAL = 1;
const STT_SECTION = 3;
const STT_FILE = 4;
const SHN_UNDEF = 0;
const SHN_ABS = 0xfff1;

interface Seg {
  type?: number;
  vaddr: number;
  paddr?: number;
  memsz?: number;
  flags?: number;
  data?: number[];
}

interface Sym {
  name: string;
  value: number;
  size?: number;
  type?: number;
  bind?: number;
  shndx?: number;
}

interface Spec {
  cls?: number;
  encoding?: number;
  identVersion?: number;
  type?: number;
  machine?: number;
  version?: number;
  entry?: number;
  phentsize?: number;
  shentsize?: number;
  segments?: Seg[];
  /** null: no section headers at all. */
  symbols?: Sym[] | null;
}

/** Where the builder put things, so a test can corrupt one field. */
interface Layout {
  phoff: number;
  shoff: number;
  /** Section header indices: 1 .symtab, 2 .strtab, 3 .shstrtab. */
  shdr: (index: number) => number;
  symtabOff: number;
  strtabOff: number;
}

const TEXT = [0x13, 0x05, 0x15, 0x00, 0x73, 0x00, 0x00, 0x00, 0x6f, 0x00, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00];

const DEFAULT_SEGMENTS: Seg[] = [
  { vaddr: 0x11000, memsz: 0x100, flags: PF_R | PF_W, data: [1, 2, 3, 4, 5, 6, 7, 8] },
  { vaddr: 0x10000, flags: PF_R | PF_X, data: TEXT },
];

const DEFAULT_SYMBOLS: Sym[] = [
  { name: '_start', value: 0x10000, size: 8, type: STT_FUNC, bind: STB_GLOBAL },
  { name: 'inner', value: 0x10004, type: STT_NOTYPE },
  { name: 'helper', value: 0x10008, size: 4, type: STT_FUNC },
  { name: 'table', value: 0x11000, size: 8, type: STT_OBJECT, bind: STB_GLOBAL },
  { name: 'dup', value: 0x1000c, size: 2, type: STT_FUNC, bind: STB_LOCAL },
  { name: 'dup', value: 0x1000e, size: 2, type: STT_FUNC, bind: STB_GLOBAL },
  { name: '', value: 0x10000, type: STT_SECTION },
  { name: 'prog.c', value: 0, type: STT_FILE, shndx: SHN_ABS },
  { name: 'missing', value: 0, type: STT_NOTYPE, shndx: SHN_UNDEF, bind: STB_GLOBAL },
  { name: '$x', value: 0x10000, type: STT_NOTYPE },
  { name: '.L42', value: 0x10004, type: STT_NOTYPE },
];

function buildElf(spec: Spec = {}): { bytes: Uint8Array; layout: Layout } {
  const segments = spec.segments ?? DEFAULT_SEGMENTS;
  const symbols = spec.symbols === undefined ? DEFAULT_SYMBOLS : spec.symbols;
  const out: number[] = [];
  const u8 = (at: number, v: number): void => {
    out[at] = v & 0xff;
  };
  const u16 = (at: number, v: number): void => {
    u8(at, v);
    u8(at + 1, v >>> 8);
  };
  const u32 = (at: number, v: number): void => {
    u16(at, v);
    u16(at + 2, v >>> 16);
  };
  const align = (): void => {
    while (out.length % 4 !== 0) out.push(0);
  };
  for (let i = 0; i < 52; i++) out.push(0);
  const phoff = out.length;
  for (let i = 0; i < segments.length * 32; i++) out.push(0);
  segments.forEach((seg, i) => {
    align();
    const data = seg.data ?? [];
    const offset = out.length;
    out.push(...data);
    const at = phoff + i * 32;
    u32(at, seg.type ?? PT_LOAD);
    u32(at + 4, offset);
    u32(at + 8, seg.vaddr);
    u32(at + 12, seg.paddr ?? seg.vaddr);
    u32(at + 16, data.length);
    u32(at + 20, seg.memsz ?? data.length);
    u32(at + 24, seg.flags ?? PF_R);
    u32(at + 28, 0x1000);
  });
  let shoff = 0;
  let symtabOff = 0;
  let strtabOff = 0;
  if (symbols !== null) {
    const strtab: number[] = [0];
    const nameOf = (name: string): number => {
      if (name === '') return 0;
      const at = strtab.length;
      strtab.push(...new TextEncoder().encode(name), 0);
      return at;
    };
    align();
    symtabOff = out.length;
    for (let i = 0; i < 16; i++) out.push(0); // symbol 0
    for (const s of symbols) {
      const at = out.length;
      for (let i = 0; i < 16; i++) out.push(0);
      u32(at, nameOf(s.name));
      u32(at + 4, s.value);
      u32(at + 8, s.size ?? 0);
      u8(at + 12, ((s.bind ?? STB_LOCAL) << 4) | (s.type ?? STT_NOTYPE));
      u16(at + 14, s.shndx ?? 1);
    }
    const symtabSize = out.length - symtabOff;
    strtabOff = out.length;
    out.push(...strtab);
    const shstrOff = out.length;
    const shstr = [0, ...new TextEncoder().encode('.symtab\0.strtab\0.shstrtab\0')];
    out.push(...shstr);
    align();
    shoff = out.length;
    for (let i = 0; i < 4 * 40; i++) out.push(0);
    const section = (
      i: number,
      name: number,
      type: number,
      off: number,
      size: number,
      link: number,
      ent: number,
    ) => {
      const at = shoff + i * 40;
      u32(at, name);
      u32(at + 4, type);
      u32(at + 16, off);
      u32(at + 20, size);
      u32(at + 24, link);
      u32(at + 36, ent);
    };
    section(1, 1, 2, symtabOff, symtabSize, 2, 16);
    section(2, 9, 3, strtabOff, strtab.length, 0, 0);
    section(3, 17, 3, shstrOff, shstr.length, 0, 0);
  }
  out.splice(0, 4, 0x7f, 0x45, 0x4c, 0x46);
  u8(4, spec.cls ?? 1);
  u8(5, spec.encoding ?? 1);
  u8(6, spec.identVersion ?? 1);
  u16(16, spec.type ?? ET_EXEC);
  u16(18, spec.machine ?? 243);
  u32(20, spec.version ?? 1);
  u32(24, spec.entry ?? 0x10000);
  u32(28, segments.length > 0 ? phoff : 0);
  u32(32, shoff);
  u16(40, 52);
  u16(42, spec.phentsize ?? 32);
  u16(44, segments.length);
  u16(46, spec.shentsize ?? 40);
  u16(48, symbols === null ? 0 : 4);
  u16(50, symbols === null ? 0 : 3);
  const layout: Layout = { phoff, shoff, shdr: (i) => shoff + i * 40, symtabOff, strtabOff };
  return { bytes: Uint8Array.from(out), layout };
}

/** A copy of `bytes` with a little-endian 32-bit (or 16-bit) value written at `at`. */
function patch(bytes: Uint8Array, at: number, value: number, size: 2 | 4 = 4): Uint8Array {
  const copy = bytes.slice();
  const view = new DataView(copy.buffer);
  if (size === 4) view.setUint32(at, value >>> 0, true);
  else view.setUint16(at, value, true);
  return copy;
}

function rejects(bytes: Uint8Array, message: string | RegExp, limits?: ElfLimits): void {
  assert.throws(
    () => parseElf(bytes, limits),
    (err: unknown) => {
      assert.ok(err instanceof ElfError, `expected an ElfError, got ${String(err)}`);
      if (typeof message === 'string') assert.equal(err.message, message);
      else assert.match(err.message, message);
      return true;
    },
  );
}

const hex = (n: number): string => `0x${n.toString(16)}`;

// ---- a well-formed executable ------------------------------------------------------------------------

test('parses a static executable: entry, segments sorted by vaddr with their bytes', () => {
  const { bytes } = buildElf();
  const image = parseElf(bytes);
  assert.equal(image.entry, 0x10000);
  assert.equal(image.type, ET_EXEC);
  assert.equal(image.hasInterp, false);
  assert.deepEqual(
    image.segments.map((s) => [hex(s.vaddr), hex(s.paddr), s.filesz, s.memsz, s.flags]),
    [
      ['0x10000', '0x10000', 16, 16, PF_R | PF_X],
      ['0x11000', '0x11000', 8, 0x100, PF_R | PF_W],
    ],
  );
  const [text, data] = image.segments;
  assert.deepEqual([...(text?.data ?? [])], TEXT);
  assert.deepEqual([...(data?.data ?? [])], [1, 2, 3, 4, 5, 6, 7, 8]);
  assert.equal(data?.data.buffer, bytes.buffer, 'segment data is a view of the file, not a copy');
  assert.equal(bytes.subarray(data?.offset ?? 0, (data?.offset ?? 0) + 8).join(), data?.data.join());
});

test('symbols: named ones from .symtab, sorted by value; no section, file, undefined or mapping symbols', () => {
  const image = parseElf(buildElf().bytes);
  assert.deepEqual(
    image.symbols.map((s) => `${s.name}@${hex(s.value)}`),
    ['_start@0x10000', 'inner@0x10004', 'helper@0x10008', 'dup@0x1000c', 'dup@0x1000e', 'table@0x11000'],
  );
  assert.deepEqual(image.symbol('table'), { name: 'table', value: 0x11000, size: 8, type: STT_OBJECT });
  assert.deepEqual(image.symbol('_start'), { name: '_start', value: 0x10000, size: 8, type: STT_FUNC });
  assert.equal(image.symbol('dup')?.value, 0x1000e, 'a global symbol wins over a local one of the same name');
  assert.equal(image.symbol('missing'), undefined);
  assert.equal(image.symbol('prog.c'), undefined);
  assert.equal(image.symbol('$x'), undefined);
});

test('symbolize: nearest function or label at or below the address, within its size', () => {
  const image = parseElf(buildElf().bytes);
  assert.deepEqual(image.symbolize(0x10000), { name: '_start', offset: 0 });
  assert.deepEqual(image.symbolize(0x10002), { name: '_start', offset: 2 });
  assert.deepEqual(image.symbolize(0x10006), { name: 'inner', offset: 2 }); // unsized label: no limit
  assert.deepEqual(image.symbolize(0x1000a), { name: 'helper', offset: 2 });
  assert.deepEqual(image.symbolize(0x1000f), { name: 'dup', offset: 1 });
  assert.equal(image.symbolize(0x10010), undefined, 'past the end of a sized function');
  assert.equal(image.symbolize(0x11000), undefined, 'objects are not code');
  assert.equal(image.symbolize(0xfff), undefined, 'below every symbol');
  assert.equal(image.symbolize(-1), undefined, 'addresses are taken unsigned');
});

test('symbolize prefers a function to a label at the same address and handles high addresses', () => {
  const { bytes } = buildElf({
    segments: [{ vaddr: 0xfffff000, memsz: 0x1000, flags: PF_R | PF_X, data: TEXT }],
    entry: 0xfffff000,
    symbols: [
      { name: 'label', value: 0xfffff000, type: STT_NOTYPE },
      { name: 'func', value: 0xfffff000, size: 0x10, type: STT_FUNC },
      { name: 'last', value: 0xfffffff0, type: STT_NOTYPE },
    ],
  });
  const image = parseElf(bytes);
  assert.deepEqual(image.symbolize(0xfffff004), { name: 'func', offset: 4 });
  assert.deepEqual(image.symbolize(0xfffff020), { name: 'label', offset: 0x20 });
  assert.deepEqual(image.symbolize(0xffffffff), { name: 'last', offset: 15 });
  assert.deepEqual(image.symbolize(-1 | 0), { name: 'last', offset: 15 });
});

test('section headers are optional: none, or a table past the end of the file, give no symbols', () => {
  const none = parseElf(buildElf({ symbols: null }).bytes);
  assert.deepEqual(none.symbols, []);
  assert.equal(none.symbolize(0x10000), undefined);
  const { bytes, layout } = buildElf();
  const cut = parseElf(bytes.subarray(0, layout.shoff + 40));
  assert.deepEqual(cut.symbols, []);
  assert.equal(cut.segments.length, 2);
});

test('an executable with PT_INTERP parses and says so; a PT_NOTE is ignored', () => {
  const { bytes } = buildElf({
    segments: [
      ...DEFAULT_SEGMENTS,
      { type: PT_INTERP, vaddr: 0, data: [0x2f, 0] },
      { type: PT_NOTE, vaddr: 0 },
    ],
  });
  const image = parseElf(bytes);
  assert.equal(image.hasInterp, true);
  assert.equal(image.segments.length, 2);
});

test('limits: segments inside [addressLow, addressHigh) pass; addressHigh may be 2**32', () => {
  const { bytes } = buildElf();
  assert.doesNotThrow(() => parseElf(bytes, { addressLow: 0x10000, addressHigh: 0x11100 }));
  assert.doesNotThrow(() => parseElf(bytes, { addressLow: 0, addressHigh: 2 ** 32 }));
  const top = buildElf({ segments: [{ vaddr: 0xfffff000, memsz: 0x1000, flags: PF_X }], entry: 0xfffff000 });
  assert.equal(parseElf(top.bytes, { addressHigh: 2 ** 32 }).segments[0]?.vaddr, 0xfffff000);
});

test('usePhysical checks paddr against the limits; vaddr is still what entry must fall in', () => {
  const { bytes } = buildElf({
    segments: [{ vaddr: 0x1000, paddr: 0x80000000, flags: PF_R | PF_X, data: TEXT }],
    entry: 0x1004,
  });
  const limits = { addressLow: 0x80000000, addressHigh: 0x80010000 };
  assert.equal(parseElf(bytes, { ...limits, usePhysical: true }).entry, 0x1004);
  rejects(
    bytes,
    'ELF: segment 0 [0x1000, 0x1010) is outside the allowed range [0x80000000, 0x80010000)',
    limits,
  );
});

test('segments on one page whose bytes do not overlap are fine; so are adjacent and empty ones', () => {
  const { bytes } = buildElf({
    segments: [
      { vaddr: 0x10000, flags: PF_R | PF_X, data: TEXT },
      { vaddr: 0x10010, memsz: 0x10, flags: PF_R | PF_W, data: [1] },
      { vaddr: 0x10020, memsz: 0xfe0, flags: PF_R },
      { vaddr: 0x10008, memsz: 0, flags: PF_R },
    ],
  });
  assert.deepEqual(
    parseElf(bytes).segments.map((s) => s.vaddr),
    [0x10000, 0x10008, 0x10010, 0x10020],
  );
});

// ---- every error --------------------------------------------------------------------------------------

test('not an ELF file', () => {
  rejects(new Uint8Array(0), 'ELF: not an ELF file: the file is empty');
  rejects(new TextEncoder().encode('#!/bin/sh\necho hi\n'), /^ELF: not an ELF file \(bad magic number/);
  rejects(Uint8Array.of(0x7f, 0x45, 0x4c, 0x47), /^ELF: not an ELF file/);
  rejects(Uint8Array.of(0x4d, 0x5a), /^ELF: not an ELF file/);
});

test('truncated header', () => {
  const { bytes } = buildElf();
  rejects(bytes.subarray(0, 20), 'ELF: truncated: file is 20 bytes, header needs 52');
  rejects(bytes.subarray(0, 3), 'ELF: truncated: file is 3 bytes, header needs 52');
  rejects(bytes.subarray(0, 51), 'ELF: truncated: file is 51 bytes, header needs 52');
});

test('wrong class, data encoding and version', () => {
  rejects(buildElf({ cls: 2 }).bytes, 'ELF: wrong class: ELFCLASS64 (expected ELFCLASS32)');
  rejects(buildElf({ cls: 0 }).bytes, 'ELF: wrong class: ELFCLASSNONE (expected ELFCLASS32)');
  rejects(buildElf({ cls: 9 }).bytes, 'ELF: wrong class: class 9 (expected ELFCLASS32)');
  rejects(buildElf({ encoding: 2 }).bytes, 'ELF: wrong data encoding: big-endian (expected little-endian)');
  rejects(buildElf({ encoding: 7 }).bytes, 'ELF: wrong data encoding: encoding 7 (expected little-endian)');
  rejects(buildElf({ identVersion: 0 }).bytes, 'ELF: wrong version: EI_VERSION is 0, expected 1');
  rejects(buildElf({ version: 2 }).bytes, 'ELF: wrong version: e_version is 2, expected 1');
});

test('wrong machine', () => {
  rejects(buildElf({ machine: 62 }).bytes, 'ELF: wrong machine: 62 (x86-64), expected 243 (RISC-V)');
  rejects(buildElf({ machine: 183 }).bytes, 'ELF: wrong machine: 183 (AArch64), expected 243 (RISC-V)');
  rejects(buildElf({ machine: 9999 }).bytes, 'ELF: wrong machine: 9999, expected 243 (RISC-V)');
});

test('unsupported types: only ET_EXEC loads; PT_INTERP means dynamically linked', () => {
  rejects(
    buildElf({ type: 3 }).bytes,
    /^ELF: unsupported type ET_DYN .*position-independent.*-static -no-pie/,
  );
  const dynamic = buildElf({
    type: 3,
    segments: [...DEFAULT_SEGMENTS, { type: PT_INTERP, vaddr: 0, data: [0] }],
  });
  rejects(dynamic.bytes, /^ELF: unsupported type ET_DYN with PT_INTERP: the program is dynamically linked/);
  rejects(
    buildElf({ type: 1 }).bytes,
    'ELF: unsupported type ET_REL (a relocatable object file), expected ET_EXEC (an executable)',
  );
  rejects(buildElf({ type: 4 }).bytes, /^ELF: unsupported type ET_CORE/);
  rejects(buildElf({ type: 0 }).bytes, /^ELF: unsupported type ET_NONE/);
  rejects(buildElf({ type: 0xfe00 }).bytes, /^ELF: unsupported type 65024, expected ET_EXEC/);
});

test('program header table: bad entry size, or out of the file', () => {
  rejects(
    buildElf({ phentsize: 56 }).bytes,
    'ELF: bad program header entry size e_phentsize=56, expected 32',
  );
  const { bytes, layout } = buildElf();
  rejects(
    patch(bytes, 28, 0xfffffff0),
    /^ELF: truncated: program header table \(2 entries\) \[0xfffffff0, 0x100000030\) runs past the end of the \d+-byte file$/,
  );
  rejects(patch(bytes, 44, 0xffff, 2), /^ELF: truncated: program header table \(65535 entries\)/);
  rejects(bytes.subarray(0, layout.phoff + 40), /^ELF: truncated: program header table/);
  rejects(patch(bytes, 28, 0), 'ELF: e_phnum is 2 but e_phoff is 0');
});

test('segment file range past the end of the file', () => {
  const { bytes, layout } = buildElf();
  rejects(
    patch(bytes, layout.phoff + 4, bytes.length - 4),
    new RegExp(
      `^ELF: truncated: segment 0 file range \\[${hex(bytes.length - 4)}, ${hex(bytes.length + 4)}\\) runs past the end of the ${bytes.length}-byte file$`,
    ),
  );
  const big = patch(patch(bytes, layout.phoff + 32 + 16, 0xffffffff), layout.phoff + 32 + 20, 0xffffffff);
  rejects(big, /^ELF: truncated: segment 1 file range/);
});

test('memsz smaller than filesz', () => {
  const { bytes, layout } = buildElf();
  rejects(patch(bytes, layout.phoff + 20, 4), 'ELF: segment 0 has memsz 0x4 smaller than filesz 0x8');
});

test('a segment that wraps past 2**32', () => {
  const wraps = buildElf({
    segments: [{ vaddr: 0xfffff000, memsz: 0x2000, flags: PF_X }],
    entry: 0xfffff000,
  });
  rejects(
    wraps.bytes,
    'ELF: segment 0 virtual range [0xfffff000, 0x100001000) wraps past the end of the 32-bit address space',
  );
  const physical = buildElf({
    segments: [{ vaddr: 0x1000, paddr: 0xffffff00, memsz: 0x200, flags: PF_X }],
    entry: 0x1000,
  });
  assert.doesNotThrow(() => parseElf(physical.bytes));
  rejects(physical.bytes, /^ELF: segment 0 physical range \[0xffffff00, 0x100000100\) wraps/, {
    usePhysical: true,
  });
});

test('a segment outside the allowed range', () => {
  const { bytes } = buildElf({
    segments: [
      { vaddr: 0x10000, flags: PF_R | PF_X, data: TEXT },
      { vaddr: 0x11000, memsz: 0x100, flags: PF_R | PF_W },
      { vaddr: 0x20000, memsz: 0x2000, flags: PF_R | PF_W },
    ],
  });
  rejects(bytes, 'ELF: segment 2 [0x20000, 0x22000) is outside the allowed range [0x10000, 0x21000)', {
    addressLow: 0x10000,
    addressHigh: 0x21000,
  });
  rejects(bytes, /^ELF: segment 0 \[0x10000, 0x10010\) is outside the allowed range \[0x10004, /, {
    addressLow: 0x10004,
  });
});

test('overlapping PT_LOAD segments (by bytes, not pages)', () => {
  const overlap = buildElf({
    segments: [
      { vaddr: 0x10000, memsz: 0x1000, flags: PF_R | PF_X, data: TEXT },
      { vaddr: 0x10000, memsz: 0x2000, flags: PF_R | PF_W },
    ],
  });
  rejects(overlap.bytes, 'ELF: segment 1 [0x10000, 0x12000) overlaps segment 0 [0x10000, 0x11000)');
  const oneByte = buildElf({
    segments: [
      { vaddr: 0x10010, memsz: 0x10, flags: PF_R | PF_W },
      { vaddr: 0x10000, memsz: 0x11, flags: PF_R | PF_X, data: TEXT },
    ],
  });
  rejects(oneByte.bytes, 'ELF: segment 1 [0x10000, 0x10011) overlaps segment 0 [0x10010, 0x10020)');
  const physical = buildElf({
    segments: [
      { vaddr: 0x10000, paddr: 0x80000000, memsz: 0x100, flags: PF_R | PF_X, data: TEXT },
      { vaddr: 0x20000, paddr: 0x80000080, memsz: 0x100, flags: PF_R | PF_W },
    ],
  });
  assert.doesNotThrow(() => parseElf(physical.bytes));
  rejects(physical.bytes, /^ELF: segment 1 \[0x80000080, 0x80000180\) overlaps segment 0/, {
    usePhysical: true,
  });
});

test('no PT_LOAD segment at all', () => {
  rejects(buildElf({ segments: [] }).bytes, 'ELF: no loadable (PT_LOAD) segment: nothing to load');
  rejects(
    buildElf({ segments: [{ type: PT_NOTE, vaddr: 0, data: [1, 2, 3, 4] }] }).bytes,
    /^ELF: no loadable/,
  );
});

test('entry point not inside an executable segment', () => {
  rejects(buildElf({ entry: 0x11000 }).bytes, 'ELF: entry point 0x11000 is not inside an executable segment');
  rejects(buildElf({ entry: 0x10010 }).bytes, 'ELF: entry point 0x10010 is not inside an executable segment');
  rejects(
    buildElf({ entry: 0xffffffff }).bytes,
    'ELF: entry point 0xffffffff is not inside an executable segment',
  );
  assert.equal(parseElf(buildElf({ entry: 0x1000f }).bytes).entry, 0x1000f);
});

test('malformed section headers and symbol tables', () => {
  const { bytes, layout } = buildElf();
  rejects(
    buildElf({ shentsize: 64 }).bytes,
    'ELF: bad section header entry size e_shentsize=64, expected 40',
  );
  const sym = layout.shdr(1);
  rejects(
    patch(bytes, sym + 16, bytes.length - 8),
    /^ELF: truncated: symbol table \(section 1\) \[.*\) runs past the end of the \d+-byte file$/,
  );
  rejects(patch(bytes, sym + 20, 0xfffffff0), /^ELF: truncated: symbol table \(section 1\)/);
  rejects(patch(bytes, sym + 36, 24), 'ELF: symbol table (section 1) has entry size 24, expected 16');
  rejects(
    patch(bytes, sym + 20, 20),
    'ELF: symbol table (section 1) size 20 is not a multiple of the entry size 16',
  );
  rejects(
    patch(bytes, sym + 24, 9),
    'ELF: symbol table (section 1) links to string table section 9, which does not exist',
  );
  rejects(patch(bytes, sym + 24, 0), /links to string table section 0, which does not exist/);
  rejects(
    patch(bytes, sym + 24, 1),
    'ELF: symbol table (section 1) links to section 1, which is not a string table (type 2)',
  );
  const str = layout.shdr(2);
  rejects(patch(bytes, str + 16, bytes.length), /^ELF: truncated: string table \(section 2\)/);
  rejects(
    patch(bytes, layout.symtabOff + 16, 0x7fff),
    /^ELF: symbol 1 name offset 32767 is outside its string table \(\d+ bytes\)$/,
  );
});

test('a symbol name that runs to the end of its string table is cut there, not past it', () => {
  const { bytes, layout } = buildElf({ symbols: [{ name: 'abc', value: 0x10000, type: STT_FUNC }] });
  // Shrink .strtab to "\0ab": the name loses its last byte and its terminator.
  const image = parseElf(patch(bytes, layout.shdr(2) + 20, 3));
  assert.deepEqual(
    image.symbols.map((s) => s.name),
    ['ab'],
  );
});

// ---- real programs -------------------------------------------------------------------------------------

const HELLO = new URL('../../../user/bin/hello.elf', import.meta.url);

test('user/bin/hello.elf (when built) parses under the hosted limits', () => {
  if (!existsSync(HELLO)) return; // the builder-based tests above are the main ones
  const image: ElfImage = parseElf(readFileSync(HELLO), { addressLow: 0x10000, addressHigh: 0x80000000 });
  assert.equal(image.type, ET_EXEC);
  assert.equal(image.hasInterp, false);
  assert.ok(image.segments.length >= 1);
  assert.ok(image.segments.some((s) => (s.flags & PF_X) !== 0));
  const start = image.symbol('_start');
  assert.ok(start !== undefined, '_start is in the symbol table');
  assert.equal(image.symbolize(image.entry)?.name, '_start');
  assert.ok(image.symbol('main') !== undefined);
  for (let i = 1; i < image.symbols.length; i++) {
    assert.ok(image.symbols[i - 1]!.value <= image.symbols[i]!.value, 'symbols sorted by value');
  }
});

// ---- only ElfError, for any input --------------------------------------------------------------------

function fuzz(base: Uint8Array, rounds: number, seed: number): { ok: number; errors: number } {
  let state = seed >>> 0 || 1;
  const next = (n: number): number => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
  const INTERESTING = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xffffffff, base.length];
  let ok = 0;
  let errors = 0;
  for (let round = 0; round < rounds; round++) {
    let bytes = base.slice();
    const mutations = 1 + next(6);
    for (let m = 0; m < mutations; m++) {
      const kind = next(4);
      if (kind === 0) bytes[next(bytes.length)] = next(256);
      else if (kind === 1) bytes[next(bytes.length)]! ^= 1 << next(8);
      else if (kind === 2 && bytes.length >= 4) {
        const at = next(bytes.length - 3);
        new DataView(bytes.buffer).setUint32(at, INTERESTING[next(INTERESTING.length)]! >>> 0, true);
      } else bytes = bytes.slice(0, next(bytes.length + 1));
      if (bytes.length === 0) break;
    }
    const limits: ElfLimits | undefined =
      next(3) === 0 ? { addressLow: 0x10000, addressHigh: 2 ** 32, usePhysical: next(2) === 0 } : undefined;
    try {
      const image = parseElf(bytes, limits);
      ok++;
      for (const s of image.segments) assert.equal(s.data.length, s.filesz);
      image.symbolize(next(2 ** 31) * 2);
      image.symbol('_start');
    } catch (err) {
      if (!(err instanceof ElfError)) throw new Error(`round ${round}: ${String(err)}`, { cause: err });
      assert.match(err.message, /^ELF: /);
      errors++;
    }
  }
  return { ok, errors };
}

test('fuzzed files (byte flips, field overwrites, truncations) only ever raise ElfError', () => {
  const { bytes } = buildElf();
  const result = fuzz(bytes, 20_000, 0x9e3779b9);
  assert.ok(result.ok > 100 && result.errors > 100, JSON.stringify(result));
  if (existsSync(HELLO)) fuzz(readFileSync(HELLO), 2_000, 12345);
});
