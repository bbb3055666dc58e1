// Runs Pakaya's own bare-metal conformance suite (tests/conformance/bin/*.elf, described in
// tests/conformance/README.md) through `pakaya machine run`, with each engine (JIT and interpreter). Each test reports through the HTIF
// `tohost` word: it passes when the command exits 0. A failing test writes (N << 1) | 1, where N is
// the number of the failed check, listed at the top of tests/conformance/src/<name>.S.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

// Compiled to dist/test/conformance.test.js: the repository root is two directories up.
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BIN_DIR = 'tests/conformance/bin';
const MAX_INSTRUCTIONS = '50000000';

const elfs = readdirSync(join(ROOT, BIN_DIR))
  .filter((name) => name.endsWith('.elf'))
  .sort();

interface RunResult {
  code: number | string;
  stdout: string;
  stderr: string;
}

interface ExecFailure {
  code?: number | string | null;
  signal?: string | null;
  stdout?: string;
  stderr?: string;
}

async function machineRun(elf: string, engine: string): Promise<RunResult> {
  const args = [
    'bin/pakaya.js',
    'machine',
    'run',
    `${BIN_DIR}/${elf}`,
    '--max-instructions',
    MAX_INSTRUCTIONS,
    '--engine',
    engine,
  ];
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, args, {
      cwd: ROOT,
      maxBuffer: 64 * 1024 * 1024,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failure = error as ExecFailure;
    return {
      code: failure.code ?? failure.signal ?? 'unknown',
      stdout: failure.stdout ?? '',
      stderr: failure.stderr ?? String(error),
    };
  }
}

test('the conformance suite is present', () => {
  assert.ok(elfs.length >= 20, `expected the conformance ELFs in ${BIN_DIR}, found ${elfs.length}`);
});

for (const elf of elfs) {
  for (const engine of ['jit', 'interp']) testConformance(elf, engine);
}

function testConformance(elf: string, engine: string): void {
  test(`conformance ${elf} (${engine})`, async () => {
    const result = await machineRun(elf, engine);
    const source = `tests/conformance/src/${elf.replace(/\.elf$/, '.S')}`;
    assert.equal(
      result.code,
      0,
      `pakaya machine run ${BIN_DIR}/${elf} --engine ${engine} exited with ${result.code} ` +
        `(a failed check N is numbered in ${source})\n` +
        `--- stdout ---\n${result.stdout}\n--- stderr ---\n${result.stderr}`,
    );
  });
}
