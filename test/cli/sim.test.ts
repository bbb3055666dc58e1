// `pakaya sim`: a run prints one summary line ending with the trace hash and writes the history and
// trace files; the same seed prints the same hash; bad flags exit 2 with one line; --members runs
// the membership scale measurement.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { checkHistoryText } from '../../src/sim/linearizability.js';
import { pakaya } from './pakaya-process.js';

const dir = mkdtempSync(join(tmpdir(), 'pakaya-sim-'));
after(() => rmSync(dir, { recursive: true, force: true }));

test('pakaya sim prints a summary ending with the hash, writes history and trace, and is repeatable', async () => {
  const history = join(dir, 'h.jsonl');
  const trace = join(dir, 't.txt');
  const a = await pakaya(['sim', '--seed', '11', '--steps', '2000', '--history', history, '--trace', trace]);
  assert.equal(a.code, 0, a.stderr);
  assert.match(a.stdout, /^sim seed=11 nodes=5 steps=2000 ok .* hash=[0-9a-f]{64}\n$/);
  assert.equal(checkHistoryText(readFileSync(history, 'utf8')).status, 'ok');
  assert.ok(readFileSync(trace, 'utf8').split('\n').length > 100);
  const b = await pakaya(['sim', '--seed', '11', '--steps', '2000', '--json']);
  assert.equal(b.code, 0, b.stderr);
  const json = JSON.parse(b.stdout) as { hash: string; replay: string; violation: unknown };
  assert.equal(json.hash, a.stdout.trim().split('hash=')[1]);
  assert.equal(json.violation, null);
  assert.equal(json.replay, 'pakaya sim --seed 11 --steps 2000');
});

test('bad sim flags: one line, exit 2', async () => {
  for (const args of [
    ['sim'],
    ['sim', '--seed', 'abc'],
    ['sim', '--seed', '1', '--nodes', '0'],
    ['sim', '--seed', '1', '--steps', '-5'],
    ['sim', '--seed', '1', '--faults', 'crash,meteor'],
    ['sim', '--seed', '1', '--mode', 'planets'],
    ['sim', '--seed', '1', '--mode', 'nodes', '--nodes', '9'],
    ['sim', '--seed', '1', '--mode', 'nodes', '--scenario', 'nope'],
    ['sim', '--seed', '1', '--mode', 'nodes', '--scenario', 'recovery', '--nodes', '2'],
    ['sim', '--seed', '1', '--scenario', 'checkpoint-restore'],
  ]) {
    const r = await pakaya(args);
    assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    assert.match(r.stderr, /^pakaya: /);
  }
});

test('pakaya sim --mode nodes runs a whole-node scenario: JSON summary with the hash and replay, trace', async () => {
  const trace = join(dir, 'nodes.txt');
  const args = [
    'sim',
    '--mode',
    'nodes',
    '--seed',
    '4',
    '--steps',
    '600',
    '--faults',
    'crash,restart,partition',
  ];
  const a = await pakaya([...args, '--trace', trace, '--json']);
  assert.equal(a.code, 0, a.stderr);
  const json = JSON.parse(a.stdout) as { hash: string; replay: string; violation: unknown; scenario: string };
  assert.match(json.hash, /^[0-9a-f]{64}$/);
  assert.equal(json.violation, null);
  assert.equal(json.scenario, 'checkpoint-restore');
  assert.equal(
    json.replay,
    'pakaya sim --mode nodes --scenario checkpoint-restore --seed 4 --faults crash,restart,partition --steps 600',
  );
  assert.ok(readFileSync(trace, 'utf8').includes('checkpoint 0000'));
});

test('pakaya sim --members measures how long a membership change takes to reach every member', async () => {
  const r = await pakaya(['sim', '--seed', '2', '--members', '40']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(
    r.stdout,
    /^sim members=40 seed=2 converged=\d+ms join-reached-all=\d+ms crash-dead-everywhere=\d+ms /,
  );
});
