// `pakaya cluster init|token|revoke` run as the built CLI: what each prints, the files it leaves,
// and one clear line with exit 2 (bad flag or argument) or 1 (the home refuses) on bad input.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseToken } from '../../src/cluster/identity/index.js';
import { type Outcome, pakaya } from './pakaya-process.js';

const LOCK_HELPER = fileURLToPath(new URL('../node/lock-helper.js', import.meta.url));
const fresh = (): string => join(mkdtempSync(join(tmpdir(), 'pakaya-cluster-')), 'home');

function assertOneLine(outcome: Outcome, code: number, message: RegExp): void {
  assert.equal(outcome.code, code, outcome.stderr);
  assert.match(outcome.stderr, message);
  assert.equal(outcome.stderr.trim().split('\n').length, 1, `one line: ${outcome.stderr}`);
  assert.doesNotMatch(outcome.stderr, /^\s+at /m, 'no stack trace');
}

let shared: Promise<{ home: string; clusterId: string }> | undefined;
/** One home with `cluster init` done, shared by the tests that only read it or add to it. */
function initialisedHome(): Promise<{ home: string; clusterId: string }> {
  shared ??= (async () => {
    const home = fresh();
    const outcome = await pakaya(['cluster', 'init', '--home', home]);
    assert.equal(outcome.code, 0, outcome.stderr);
    return { home, clusterId: outcome.stdout.trim() };
  })();
  return shared;
}

test('cluster init prints the cluster id, makes the identity files, and refuses a second time', async () => {
  const { home, clusterId } = await initialisedHome();
  assert.match(clusterId, /^[a-z2-7]{16}$/);
  const info = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8'));
  const node = JSON.parse(readFileSync(join(home, 'node.json'), 'utf8'));
  assert.equal(info.clusterId, clusterId);
  assert.equal(
    info.nodeId,
    node.id.toString(16).padStart(8, '0'),
    'the home’s node id is the cluster node id',
  );
  for (const key of ['ca.key', 'node.key', 'cluster.key']) {
    assert.equal(statSync(join(home, key)).mode & 0o777, 0o600, key);
  }
  assertOneLine(
    await pakaya(['cluster', 'init', '--home', home]),
    1,
    /already initialised \(cluster [a-z2-7]{16}\)/,
  );
});

test('cluster init refuses while a node holds the home', async () => {
  const home = fresh();
  const holder = spawn(process.execPath, [LOCK_HELPER, home, '0'], { stdio: ['ignore', 'pipe', 'inherit'] });
  try {
    for await (const line of createInterface({ input: holder.stdout! })) if (line === 'ready') break;
    assertOneLine(
      await pakaya(['cluster', 'init', '--home', home]),
      1,
      new RegExp(`in use by process ${holder.pid}.*stop that node before pakaya cluster init`),
    );
  } finally {
    const exited = once(holder, 'exit');
    holder.kill('SIGKILL');
    await exited;
  }
});

test('cluster token prints one token line naming the CA, valid for --ttl, recorded as a hash', async () => {
  const { home } = await initialisedHome();
  const before = Date.now();
  const outcome = await pakaya(['cluster', 'token', '--home', home, '--ttl', '30s']);
  assert.equal(outcome.code, 0, outcome.stderr);
  assert.equal(outcome.stdout.split('\n').length, 2, 'one line');
  const token = parseToken(outcome.stdout);
  const info = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8'));
  assert.equal(token.caFingerprint, info.caFingerprint);
  assert.ok(
    token.expiresAt >= before + 30_000 && token.expiresAt <= Date.now() + 30_000,
    String(token.expiresAt),
  );
  const book = readFileSync(join(home, 'tokens.json'), 'utf8');
  assert.match(book, new RegExp(`"id": "${token.id}"`));
  assert.ok(!book.includes(outcome.stdout.trim().split('.')[3] ?? 'no secret'), 'the secret is not stored');
  // The default lifetime is one hour.
  const hour = parseToken((await pakaya(['cluster', 'token', '--home', home])).stdout);
  assert.ok(Math.abs(hour.expiresAt - Date.now() - 3_600_000) < 60_000);
});

test('cluster token refuses bad --ttl values (exit 2) and homes that are not a CA (exit 1)', async () => {
  const { home } = await initialisedHome();
  for (const ttl of ['8d', 'abc', '0s', '10', '-1h', '1.5h']) {
    assertOneLine(await pakaya(['cluster', 'token', '--home', home, '--ttl', ttl]), 2, /--ttl.*is invalid/);
  }
  assertOneLine(
    await pakaya(['cluster', 'token', '--home', fresh()]),
    1,
    /has no cluster identity; run pakaya cluster init/,
  );
});

test('cluster revoke adds the node to revoked.json once, and refuses bad ids and this node', async () => {
  const { home } = await initialisedHome();
  const first = await pakaya(['cluster', 'revoke', '0000abcd', '--home', home]);
  assert.equal(first.code, 0, first.stderr);
  assert.equal(first.stdout, 'revoked node 0000abcd\n');
  const again = await pakaya(['cluster', 'revoke', '0000ABCD', '--home', home]);
  assert.equal(again.stdout, 'node 0000abcd was already revoked\n');
  assert.deepEqual(JSON.parse(readFileSync(join(home, 'revoked.json'), 'utf8')).nodes, ['0000abcd']);
  assertOneLine(
    await pakaya(['cluster', 'revoke', 'xyz', '--home', home]),
    2,
    /expected a node id \(8 hex digits\)/,
  );
  assertOneLine(await pakaya(['cluster', 'revoke', '00000000', '--home', home]), 2, /expected a node id/);
  const self = JSON.parse(readFileSync(join(home, 'cluster.json'), 'utf8')).nodeId;
  assertOneLine(await pakaya(['cluster', 'revoke', self, '--home', home]), 2, /is this node/);
  assertOneLine(
    await pakaya(['cluster', 'revoke', '0000abcd', '--home', fresh()]),
    1,
    /has no cluster identity/,
  );
});
