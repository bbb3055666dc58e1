// Programs that use Pakaya's own calls (no qemu reference): spawn, getnpid and execve by program
// name; shared memory created, mapped by a fork child, granted and inherited by a spawned peer; a
// producer and a consumer process on a shared ring with process-shared semaphores, mutex and condvar;
// IPC (capabilities, ports, port sets, notifications, call/reply, what IPC refuses) and the IPC
// examples (ping-pong, an RPC server with badged clients, a four-process pipeline).
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
    'names',
    /register demo\/echo: ok\nlookup demo\/echo: ok\nmessage through the looked-up right: 42\nanother process registers demo\/echo: EEXIST\nanother process unregisters demo\/echo: EPERM\nregister sys\/clock: EPERM\nregister a bad name: EINVAL\nlookup a missing name: ENOENT\nunregister demo\/echo: ok\nlookup demo\/echo again: ENOENT\nnames: a line through the console server\nnames ok\n$/,
  ],
  [
    'prodcons',
    /prodcons_peer: received 10000 items, out of sequence: 0, checksum 0x0cbedce8\nprodcons: consumer reports 10000 items in sequence, checksum matches: yes\nprodcons: consumer exited 0\nprodcons ok\n$/,
  ],
  [
    'ipc_caps',
    /^ipc_caps: derive, rights and badges checked\nipc_caps: revoke deletes derived copies\nipc_caps: child after revoke: exited 0\nipc_caps: reply capability checked, caller exited 0\nipc_caps: slots 0, -1, 9999 and a freed slot are EBADF\nipc_caps: wrong kinds are EINVAL\nipc_caps ok\n$/,
  ],
  [
    'ipc_ports',
    /^ipc_ports: bytes and capabilities \(copied and moved\) travel\nipc_ports: full queue: EAGAIN, ETIMEDOUT, then a blocked send completes \(17 drained\)\nipc_ports: empty port: EAGAIN and ETIMEDOUT; small buffer: EMSGSIZE\nipc_ports: a port set receives from both ports\nipc_ports: dead port: EPIPE, dead-port notification 0x10\nipc_ports: notifications: signals OR together, a wait takes and clears them\nipc_ports: a blocked notify_wait is woken by a thread \(0x100\) and a process \(0x200\)\nipc_ports ok\n$/,
  ],
  [
    'ipc_security',
    /^ipc_security: child spawned without capabilities: slots 3..300 EBADF, exited 0\nipc_security: child spawned with a send right: "hello from the spawned child" \(badge 77\), exited 0\nipc_security: quota: one sender queued 16 then EAGAIN; a second sender got in: 1\nipc_security: 4097 bytes EMSGSIZE, 5 caps EINVAL, bad pointers EFAULT\nipc_security: caps without GRANT EPERM, copying a receive right EPERM\nipc_security: forged reply slots EBADF\/EINVAL, a second reply EBADF\nipc_security ok\n$/,
  ],
  ['ipc_pingpong', /^ipc_pingpong: 1000 round trips, counter 1000\n$/],
  [
    'ipc_rpc',
    /^ipc_rpc: client 1 \(badge 1\): 10 calls, total 55, ok\nipc_rpc: client 2 \(badge 2\): 10 calls, total 110, ok\nipc_rpc: client 3 \(badge 3\): 10 calls, total 165, ok\n$/,
  ],
  [
    'ipc_pipeline',
    /^ipc_pipeline: 4 processes, 200 messages of 64 bytes, checksum 0x3ada9c45, expected 0x3ada9c45\n$/,
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
