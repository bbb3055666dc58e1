// The tagged console: bounded per process and fd (a long line is cut at the limit and flushed),
// linear in the bytes written (a guest writing one endless line cannot hold the event loop), a
// UTF-8 character split across writes comes out intact, the last line is flushed when the process
// ends, and control characters in guest text are escaped. Also `ps` escapes guest-chosen names.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatTable } from '../../src/cli/ps.js';
import type { Process } from '../../src/kernel/proc.js';
import type { ProcessInfo } from '../../src/node/node-kernel.js';
import { printable } from '../../src/node/printable.js';
import { TaggedConsole } from '../../src/node/tagged-console.js';

function capture(lineMax?: number) {
  const out: string[] = [];
  const tagged = new TaggedConsole(
    (p) => `${p.pid} ${p.name}`,
    (_fd, text) => {
      out.push(text);
      return true;
    },
    lineMax,
  );
  return { out, tagged, text: () => out.join('') };
}

const proc = (pid: number, name = 'p'): Process => ({ pid, name }) as Process;
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

test('complete lines are tagged; a partial line waits for its newline', () => {
  const { tagged, text } = capture();
  tagged.write(1, bytes('one\ntw'), proc(1));
  assert.equal(text(), '[1 p] one\n');
  tagged.write(1, bytes('o\n'), proc(1));
  assert.equal(text(), '[1 p] one\n[1 p] two\n');
});

test('a UTF-8 character split across two writes is intact', () => {
  const { tagged, text } = capture();
  const euro = bytes('€\n'); // e2 82 ac 0a
  tagged.write(1, euro.subarray(0, 1), proc(1));
  tagged.write(1, euro.subarray(1), proc(1));
  assert.equal(text(), '[1 p] €\n');
});

test('the last line without a newline is flushed when the process ends', () => {
  const { tagged, text } = capture();
  tagged.write(1, bytes('done'), proc(2));
  tagged.write(2, bytes('oops'), proc(2));
  assert.equal(text(), '');
  tagged.end(proc(2));
  assert.equal(text(), '[2 p] done\n[2 p] oops\n');
  assert.equal(tagged.heldBytes, 0);
});

test('a line longer than the limit is cut at the limit (on a character boundary) and flushed', () => {
  const { tagged, out } = capture(8);
  tagged.write(1, bytes('abcdefg€xyz\n'), proc(3)); // the € would straddle the 8-byte limit
  assert.deepEqual(out.join('').split('\n'), ['[3 p] abcdefg', '[3 p] €xyz', '']);
  assert.ok(tagged.heldBytes <= 8);
});

test('an endless line is bounded and linear: 64 MiB in 4 KiB writes in well under a second per 8 MiB', () => {
  const { tagged, out } = capture();
  const chunk = new Uint8Array(4096).fill(0x78);
  const started = performance.now();
  for (let i = 0; i < 16 * 1024; i++) {
    tagged.write(1, chunk, proc(4));
    assert.ok(tagged.heldBytes <= 4096);
  }
  const ms = performance.now() - started;
  assert.equal(out.length, 16 * 1024, 'one full line flushed per 4 KiB');
  assert.ok(ms < 8000, `64 MiB took ${ms.toFixed(0)} ms`);
});

test('control characters in guest output and tags are escaped', () => {
  const { tagged, text } = capture();
  tagged.write(1, bytes('\x1b]0;pwned\x07red\x1b[31m\ttab\n'), proc(5, 'evil\x1b[2J'));
  assert.equal(text(), '[5 evil\\x1b[2J] \\x1b]0;pwned\\x07red\\x1b[31m\ttab\n');
});

test('ps escapes control characters in process names', () => {
  const row: ProcessInfo = {
    pid: 7,
    npid: '00000001:7',
    ppid: 0,
    name: 'x\x1b[2J\x1b]0;t\x07\u009b1m',
    state: 'ready',
    priority: 0,
    threads: 1,
    cpuInstructions: 0,
    memoryPages: 1,
  };
  const table = formatTable([row]);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: checking none get through
  assert.doesNotMatch(table, /[\x00-\x09\x0b-\x1f\x7f-\x9f]/);
  assert.match(table, /x\\x1b\[2J\\x1b\]0;t\\x07\\u\{9b\}1m\n$/);
  assert.equal(printable('a\nb'), 'a\\x0ab');
});
