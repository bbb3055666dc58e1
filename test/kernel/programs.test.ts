// Runs every case of test/golden/cases.txt through the kernel and compares stdout and exit status
// with the golden output recorded from qemu-riscv32 (scripts/update-golden.sh).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { Process } from '../../src/kernel/proc.js';
import type { ConsoleSink } from '../../src/node/host-io.js';
import { runLocal } from '../../src/node/local-run.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export class CapturingSink implements ConsoleSink {
  readonly chunks: Buffer[] = [];
  readonly errChunks: Buffer[] = [];
  write(fd: 1 | 2, data: Uint8Array, _p: Process): boolean {
    (fd === 1 ? this.chunks : this.errChunks).push(Buffer.from(data));
    return true;
  }
  get stdout(): string {
    return Buffer.concat(this.chunks).toString('latin1');
  }
}

const cases = readFileSync(`${ROOT}test/golden/cases.txt`, 'utf8')
  .split('\n')
  .filter((line) => line.trim() !== '' && !line.startsWith('#'))
  .map((line) => line.trim().split(/\s+/));

for (const [name, program, ...args] of cases) {
  test(`pakaya run ${program} ${args.join(' ')} matches qemu-riscv32`, async () => {
    const golden = readFileSync(`${ROOT}test/golden/${name}.out`, 'latin1');
    const file = new Uint8Array(readFileSync(`${ROOT}user/bin/${program}.elf`));
    const sink = new CapturingSink();
    const reports: string[] = [];
    const [proc] = await runLocal(
      [{ file, argv: [`user/bin/${program}.elf`, ...args], envp: ['PAKAYA_GOLDEN=1'] }],
      { ramSize: 64 * 1024 * 1024, sink, reports: (m) => reports.push(m) },
    );
    assert.equal(`${sink.stdout}exit=${proc?.exitCode}\n`, golden);
    if ((proc?.exitCode ?? 0) >= 128) {
      assert.match(reports.join(''), /killed by SIG(SEGV|ILL)/, 'a fatal fault comes with a crash report');
    } else {
      // Children may crash on purpose (their reports are expected); the program itself may not.
      const own = reports.filter((r) => r.startsWith(`pakaya: process ${proc?.pid} `));
      assert.deepEqual(own, []);
    }
  });
}
