// `pakaya demo --single` runs the example programs on one node at different priorities, shows the process
// table, reports the crashing program while the others go on, checkpoints one program, kills it and
// restores it — and the restored program's output equals an uninterrupted run's (qemu's checksum).
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const PAKAYA = fileURLToPath(new URL('../../../bin/pakaya.js', import.meta.url));

test('pakaya demo --single runs the example programs, checkpoints and restores one, and exits 0', async () => {
  const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
    execFile(process.execPath, [PAKAYA, 'demo', '--single'], (err, out) =>
      resolve({ code: err ? Number(err.code) : 0, stdout: out }),
    );
  });
  assert.equal(code, 0, stdout);
  assert.match(stdout, /\[[0-9a-f]{8}:1 hello\] Hello from Pakaya!/);
  assert.match(stdout, /killed by SIGSEGV/);
  assert.match(
    stdout,
    /--- process table at \d+M instructions ---\n {2}NPID +STATE +NICE +CPU +PAGES +NAME\n/,
  );
  const restored =
    /--- sha256 ([0-9a-f]{8}:\d+) checkpointed at \d+ instructions \(\d+ byte image\), killed, and restored as ([0-9a-f]{8}:\d+) ---/.exec(
      stdout,
    );
  assert.ok(restored, stdout);
  // The restored process prints the checksum qemu-riscv32 prints for `sha256 200000`.
  assert.ok(stdout.includes(`[${restored[2]} sha256] sha256: n=200000 checksum=0x93b7674a`), stdout);
  const endings = stdout.split('\n').filter((line) => /^ {2}[0-9a-f]{8}:\d+ \S+ nice -?\d+: exit/.test(line));
  assert.equal(endings.length, 13);
  for (const line of endings) assert.match(line, /as expected/);
  // The IPC examples report their results through IPC and the console server.
  assert.match(stdout, /ipc_pingpong\] ipc_pingpong: 1000 round trips, counter 1000/);
  assert.match(stdout, /\[[0-9a-f]{8}:\d+ names\] names: a line through the console server/);
  assert.match(stdout, /\(restored\): exit 0\n/);
});
