// Broken and hostile outputs and inputs at the command line: `run prog | head` exits 141 with no
// trace (the guest gets SIGPIPE on its write, as under qemu); `ps` into a closed pipe exits 141 and
// into /dev/full says ENOSPC, neither with a stack trace; the daemon survives a closed stdout (and
// logs it) and stops cleanly on SIGHUP; `run /dev/zero` and `run` of a FIFO are refused at once.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AdminClient } from '../../src/node/admin-client.js';
import { writeGuestImage } from './guest-image.js';
import { PAKAYA, pakaya, ROOT, startPakaya } from './pakaya-process.js';

const SERVING = /^pakaya node [0-9a-f]{8} \(.*\) serving (.*admin\.sock)$/;
const HOSTILE = join(ROOT, 'user/bin/hostile.elf');
const fresh = (): string => mkdtempSync(join(tmpdir(), 'pakaya-out-'));
const noTrace = (stderr: string): void => assert.doesNotMatch(stderr, /\n\s+at |Error:|EPIPE/, stderr);

async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

test('run prog | head: exit 141, no trace', async () => {
  const env = { ...process.env, PAKAYA_HOME: join(fresh(), 'node') };
  const child = spawn(process.execPath, [PAKAYA, 'run', HOSTILE, 'yes'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = once(child, 'exit');
  await once(child.stdout, 'data'); // it runs and writes
  child.stdout.destroy(); // the reader goes away, as head does
  const [code] = (await exited) as [number];
  assert.equal(code, 141);
  assert.equal(stderr, '');
});

test('ps into a closed pipe exits 141, into /dev/full says ENOSPC; neither traces', async () => {
  const home = join(fresh(), 'home');
  const node = await startPakaya(['node', 'start', '--home', home], SERVING);
  try {
    const ps = spawn(process.execPath, [PAKAYA, 'ps', '--json', '--home', home], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    ps.stdout.destroy(); // closed before ps writes
    let stderr = '';
    ps.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const [code] = (await once(ps, 'exit')) as [number];
    assert.equal(code, 141);
    noTrace(stderr);

    const full = openSync('/dev/full', 'w');
    try {
      const toFull = spawn(process.execPath, [PAKAYA, 'ps', '--home', home], {
        stdio: ['ignore', full, 'pipe'],
      });
      let err = '';
      toFull.stderr!.on('data', (d: Buffer) => {
        err += d.toString();
      });
      const [fullCode] = (await once(toFull, 'exit')) as [number];
      assert.equal(fullCode, 1);
      assert.equal(err, 'pakaya: cannot write output: ENOSPC\n');
    } finally {
      closeSync(full);
    }
  } finally {
    node.child.kill('SIGTERM');
    await node.exited;
  }
});

test('the daemon survives a closed stdout while a guest prints, logs it, and stops on SIGHUP', async () => {
  const dir = fresh();
  const home = join(dir, 'home');
  const node = await startPakaya(['node', 'start', '--home', home], SERVING);
  node.child.stdout!.destroy();
  const client = new AdminClient(home);
  const image = writeGuestImage(dir, 'printer', 'hostile', ['yes']);
  const { pid } = await client.restore(image);
  await until(
    () => /stdout closed \(EPIPE\)/.test(readFileSync(join(home, 'node.log'), 'utf8')),
    10_000,
    'the log line',
  );
  const rows = await client.processes();
  assert.ok(
    rows.some((p) => p.pid === pid && p.state !== 'zombie'),
    'the guest still runs',
  );
  node.child.kill('SIGHUP');
  const [code] = await node.exited;
  assert.equal(code, 0);
  assert.equal(existsSync(join(home, 'node.lock')), false, 'lock removed');
  assert.equal(existsSync(join(home, 'admin.sock')), false, 'socket removed');
});

test('run of a device or a FIFO is refused at once', async () => {
  const env = { ...process.env, PAKAYA_HOME: join(fresh(), 'node') };
  const zero = await pakaya(['run', '/dev/zero'], env);
  assert.equal(zero.code, 2);
  assert.equal(zero.stderr, "pakaya: cannot read '/dev/zero': not a regular file\n");
  const fifo = join(fresh(), 'fifo');
  execFileSync('mkfifo', [fifo]);
  const fromFifo = await pakaya(['run', fifo], env);
  assert.equal(fromFifo.code, 2);
  assert.match(fromFifo.stderr, /not a regular file/);
});
