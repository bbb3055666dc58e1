// Bad input to the CLI — missing files, malformed ELFs, bad flag values — ends with a clear one-line
// message and a non-zero exit, never a stack trace.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const PAKAYA = join(ROOT, 'bin/pakaya.js');
const HELLO = join(ROOT, 'user/bin/hello.elf');
const dir = mkdtempSync(join(tmpdir(), 'pakaya-bad-'));

function pakaya(args: string[]): Promise<{ code: number; stderr: string; stdout: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [PAKAYA, ...args], (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : -1;
      resolve({ code, stderr, stdout });
    });
  });
}

function variant(name: string, edit: (bytes: Uint8Array) => Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, edit(new Uint8Array(readFileSync(HELLO))));
  return path;
}

const setU8 = (b: Uint8Array, at: number, v: number): Uint8Array => {
  b[at] = v;
  return b;
};
const setU16 = (b: Uint8Array, at: number, v: number): Uint8Array => {
  new DataView(b.buffer, b.byteOffset).setUint16(at, v, true);
  return b;
};
const setU32 = (b: Uint8Array, at: number, v: number): Uint8Array => {
  new DataView(b.buffer, b.byteOffset).setUint32(at, v, true);
  return b;
};

const CASES: [string, () => string, RegExp][] = [
  ['a missing file', () => join(dir, 'nope.elf'), /cannot read .*nope\.elf.*no such file/],
  ['a directory', () => dir, /is a directory/],
  [
    'a text file',
    () => variant('text', () => new TextEncoder().encode('#!/bin/sh\necho hi\n')),
    /not an ELF file/,
  ],
  ['a truncated header', () => variant('trunc', (b) => b.subarray(0, 30)), /truncated/],
  ['a 64-bit ELF', () => variant('class64', (b) => setU8(b, 4, 2)), /wrong class: ELFCLASS64/],
  ['a big-endian ELF', () => variant('be', (b) => setU8(b, 5, 2)), /big-endian/],
  ['an x86-64 ELF', () => variant('x86', (b) => setU16(b, 18, 62)), /wrong machine: 62/],
  [
    'a file cut inside its segments',
    () => variant('cut', (b) => b.subarray(0, 200)),
    /truncated|past the end/,
  ],
  [
    'an entry point outside the code',
    () => variant('entry', (b) => setU32(b, 24, 0x7000_0000)),
    /entry point 0x70000000/,
  ],
  ['a shared object', () => variant('dyn', (b) => setU16(b, 16, 3)), /ET_DYN|not supported/],
];

for (const [what, path, message] of CASES) {
  for (const command of [['run'], ['machine', 'run']]) {
    test(`pakaya ${command.join(' ')} on ${what} fails with a clear message`, async () => {
      const { code, stderr } = await pakaya([...command, path()]);
      assert.notEqual(code, 0);
      // A Linux program's segments lie outside a bare machine's RAM; either message names the problem.
      const expected =
        command.length === 2 ? new RegExp(`${message.source}|outside the allowed range`) : message;
      assert.match(stderr, expected);
      assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');
      assert.equal(stderr.trim().split('\n').length, 1, `one line: ${stderr}`);
    });
  }
}

test('pakaya machine run refuses a Linux program (no tohost) with a clear message', async () => {
  const { code, stderr } = await pakaya(['machine', 'run', HELLO]);
  assert.notEqual(code, 0);
  assert.match(stderr, /outside the allowed range|no `tohost` symbol/);
});

for (const [flags, message] of [
  [['machine', 'run', '--max-instructions', 'lots', HELLO], /expected a whole number/],
  [['run', '--memory', '0', HELLO], /between 1 and 2048/],
  [['run', '--memory', 'big', HELLO], /between 1 and 2048/],
] as const) {
  test(`pakaya ${flags.slice(0, -1).join(' ')} is rejected`, async () => {
    const { code, stderr } = await pakaya([...flags]);
    assert.notEqual(code, 0);
    assert.match(stderr, message);
  });
}
