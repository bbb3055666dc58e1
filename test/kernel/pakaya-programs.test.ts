// Programs that use Pakaya's own calls (no qemu reference): spawn, getnpid and execve by program
// name; shared memory created, mapped by a fork child, granted and inherited by a spawned peer; a
// producer and a consumer process on a shared ring with process-shared semaphores, mutex and condvar.
// Each checks its own results (a failed check prints FAIL and exits non-zero).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { runLocal } from '../../src/node/local-run.js';
import { ROOT } from './helpers.js';
import { CapturingSink } from './programs.test.js';

for (const [program, expected] of [
  ['spawn', /fork \+ execve hello: exited 0\n/],
  ['shm', /spawned shm_peer: exited 0, answered "peer: got hello peer"\n/],
  [
    'prodcons',
    /prodcons_peer: received 10000 items, out of sequence: 0, checksum 0x0cbedce8\nprodcons: consumer reports 10000 items in sequence, checksum matches: yes\nprodcons: consumer exited 0\nprodcons ok\n$/,
  ],
] as const) {
  test(`${program}: Pakaya-only calls behave as documented`, async () => {
    const file = new Uint8Array(readFileSync(`${ROOT}user/bin/${program}.elf`));
    const sink = new CapturingSink();
    const [proc] = await runLocal([{ file, argv: [program], envp: [] }], {
      ramSize: 64 * 1024 * 1024,
      sink,
      reports: () => {},
    });
    assert.doesNotMatch(sink.stdout, /FAIL/);
    assert.match(sink.stdout, expected);
    assert.equal(proc?.exitCode, 0, sink.stdout);
  });
}

// The syscall fuzzer with Pakaya's own calls added ("all" mode; its linux mode is a golden case
// against qemu): every seed runs to its summary and exits 0, with no crash report and no kernel
// exception (an exception would reject runLocal and fail the test).
for (const seed of [1, 2, 3, 4]) {
  test(`fuzz ${seed} all: 2000 random calls, the process survives and the kernel too`, async () => {
    const file = new Uint8Array(readFileSync(`${ROOT}user/bin/fuzz.elf`));
    const sink = new CapturingSink();
    const reports: string[] = [];
    const [proc] = await runLocal([{ file, argv: ['fuzz', String(seed), '2000', 'all'], envp: [] }], {
      ramSize: 64 * 1024 * 1024,
      sink,
      reports: (text) => reports.push(text),
    });
    assert.match(sink.stdout, new RegExp(`fuzz: seed=${seed} count=2000 mode=all checksum=0x[0-9a-f]{8}\\n`));
    assert.match(sink.stdout, /fuzz: ok \d+, ESRCH\(3\) \d+, EBADF\(9\) \d+/);
    assert.deepEqual(reports, []);
    assert.equal(proc?.exitCode, 0, sink.stdout);
  });
}
