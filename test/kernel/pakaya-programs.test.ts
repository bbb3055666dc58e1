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
