// Runs every bare-metal conformance test (tests/conformance/bin/*.elf) through
// `pakaya machine run`; each must write 1 to tohost (exit 0).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN = `${ROOT}tests/conformance/bin/`;
const elfs = readdirSync(BIN).filter((f) => f.endsWith('.elf'));

test('the conformance suite is present', () => {
  assert.ok(elfs.length >= 5, `found ${elfs.length} conformance ELFs`);
});

for (const elf of elfs) {
  test(`conformance ${elf} passes under pakaya machine run`, async () => {
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(
        process.execPath,
        [`${ROOT}bin/pakaya.js`, 'machine', 'run', '--max-instructions', '50000000', `${BIN}${elf}`],
        (err, stdout, stderr) => resolve({ code: err ? Number(err.code) : 0, out: stdout + stderr }),
      );
    });
    assert.equal(result.code, 0, result.out);
  });
}
