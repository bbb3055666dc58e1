// Soak: a long-running node under a mix of hostile guests — a fork bomb, a thread bomb, a memory
// hog, an endless line with no newline and busy loops — keeps answering `ps` within a bounded time
// throughout, and stops cleanly afterwards.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { AdminClient } from '../../src/node/admin-client.js';
import { writeGuestImage } from './guest-image.js';
import { startPakaya } from './pakaya-process.js';

const SERVING = /^pakaya node [0-9a-f]{8} \(.*\) serving (.*admin\.sock)$/;
/** How long the node is kept under load. */
const SOAK_MS = 10_000;
/** The slowest `ps` answer allowed while it is. */
const PS_BOUND_MS = 1_000;

// The fork bomb goes last: it fills the process table within a second (restores after it get 409).
const GUESTS: [string, string][] = [
  ['threadbomb', 'threadbomb'],
  ['memhog', 'memhog'],
  ['longline', 'longline'],
  ['busy1', 'busy'],
  ['busy2', 'busy'],
  ['forkbomb', 'forkbomb'],
];

test('a node under hostile guests keeps answering ps in bounded time', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pakaya-soak-'));
  const home = join(dir, 'home');
  const node = await startPakaya(['node', 'start', '--home', home, '--memory', '64'], SERVING);
  node.child.stdout!.resume(); // consume guest output as a terminal would
  const client = new AdminClient(home, PS_BOUND_MS * 2);
  try {
    for (const [name, mode] of GUESTS) await client.restore(writeGuestImage(dir, name, 'hostile', [mode]));
    const started = performance.now();
    let answers = 0;
    let slowest = 0;
    let most = 0;
    while (performance.now() - started < SOAK_MS) {
      const asked = performance.now();
      const rows = await client.processes();
      const ms = performance.now() - asked;
      slowest = Math.max(slowest, ms);
      most = Math.max(most, rows.length);
      assert.ok(ms < PS_BOUND_MS, `ps took ${ms.toFixed(0)} ms with ${rows.length} processes`);
      answers++;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    assert.ok(answers >= SOAK_MS / 1000, `ps answered ${answers} times`);
    assert.ok(most > GUESTS.length, `the fork bomb forked (${most} processes at most)`);
    process.stderr.write(
      `soak: ${answers} ps answers, slowest ${slowest.toFixed(0)} ms, up to ${most} processes\n`,
    );
  } finally {
    node.child.kill('SIGTERM');
    const [code] = await node.exited;
    assert.equal(code, 0, 'the node stopped cleanly');
  }
});
