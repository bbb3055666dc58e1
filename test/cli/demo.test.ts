// `pakaya demo` runs every example program on one node and exits 0 when each ended as expected.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const PAKAYA = fileURLToPath(new URL('../../../bin/pakaya.js', import.meta.url));

test('pakaya demo runs the example programs and exits 0', async () => {
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [PAKAYA, 'demo'], (err, out) =>
      resolve({ code: err ? Number(err.code) : 0, stdout: out }),
    );
  });
  assert.equal(code, 0, stdout);
  assert.match(stdout, /\[1 hello\] Hello from Pakaya!/);
  assert.match(stdout, /killed by SIGSEGV/);
  const endings = stdout.split('\n').filter((line) => /^ {2}pid \d+ /.test(line));
  assert.equal(endings.length, 8);
  for (const line of endings) assert.match(line, /as expected$/);
});
