// The admin API over its unix socket, against the FakeKernel test double: every route with good
// input, and every kind of bad input answered with a clear 4xx while the node keeps serving.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { AdminError } from '../../src/node/admin-client.js';
import { type Harness, startHarness } from './admin-harness.js';

let h: Harness;
/** Where images are written: not the node's home, whose files a checkpoint may not touch. */
const files = mkdtempSync(join(tmpdir(), 'pakaya-images-'));
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h.close();
});

async function post(path: string, body: string, headers: Record<string, string> = {}) {
  const answer = await h.client.send('POST', path, body, headers);
  return { ...answer, json: JSON.parse(answer.text) as { error?: { code: string; message: string } } };
}

test('the socket is mode 0600', () => {
  assert.equal(statSync(h.home.paths.socket).mode & 0o777, 0o600);
});

test('GET /v1/node describes the node', async () => {
  h.kernel.add('idle-one');
  h.kernel.instructions = 1234;
  const node = await h.client.node();
  assert.equal(node.id, h.home.identity.id);
  assert.equal(node.name, h.home.identity.name);
  assert.equal(node.home, h.home.dir);
  assert.equal(node.instructions, 1234);
  assert.equal(node.hostPid, process.pid);
  assert.ok(node.uptimeSeconds >= 0);
  assert.equal(node.processes.total, h.kernel.table.size);
  assert.equal(node.npidPrefix, h.home.identity.id.toString(16).padStart(8, '0'));
});

test('GET /v1/processes returns the process table', async () => {
  const pid = h.kernel.add('lister', { priority: 5, threads: 3 });
  const rows = await h.client.processes();
  const row = rows.find((p) => p.pid === pid);
  assert.ok(row);
  assert.equal(row.name, 'lister');
  assert.equal(row.priority, 5);
  assert.equal(row.threads, 3);
  assert.match(row.npid, /^[0-9a-f]{8}:\d+$/);
});

test('POST kill delivers the signal and wakes the driver', async () => {
  const pid = h.kernel.add('victim');
  const changes = h.changes;
  assert.deepEqual(await h.client.kill(pid, 15), { pid, signal: 15 });
  assert.equal(h.kernel.table.get(pid)?.state, 'zombie');
  assert.equal(h.kernel.table.get(pid)?.exitCode, 143);
  assert.equal(h.changes, changes + 1);
});

test('POST kill on an unknown pid is 404', async () => {
  await assert.rejects(h.client.kill(999_999, 9), (err: unknown) => {
    assert.ok(err instanceof AdminError);
    assert.equal(err.status, 404);
    assert.match(err.message, /no process with pid 999999/);
    return true;
  });
});

const BAD_PIDS = ['abc', '0', '-1', '01', '1.5', '2147483648', '99999999999', '%20', ' 1'];
for (const pid of BAD_PIDS) {
  test(`a pid of '${pid}' is a 400`, async () => {
    const answer = await post(`/v1/processes/${encodeURIComponent(pid)}/kill`, '{"signal":9}');
    assert.equal(answer.status, 400);
    assert.match(answer.json.error!.message, /pid must be a positive integer/);
  });
}

const BAD_KILL_BODIES: [string, string, RegExp][] = [
  ['bad JSON', '{"signal": 9', /not valid JSON/],
  ['an empty body', '', /empty/],
  ['an array', '[9]', /must be a JSON object/],
  ['null', 'null', /must be a JSON object/],
  ['an unknown field', '{"signal": 9, "force": true}', /unknown field 'force'/],
  ['a string signal', '{"signal": "KILL"}', /'signal' must be an integer/],
  ['a fractional signal', '{"signal": 1.5}', /'signal' must be an integer/],
  ['signal 0', '{"signal": 0}', /between 1 and 64/],
  ['signal 65', '{"signal": 65}', /between 1 and 64/],
  ['a missing signal', '{}', /missing field 'signal'/],
];
for (const [what, body, message] of BAD_KILL_BODIES) {
  test(`POST kill with ${what} is a 400 and changes nothing`, async () => {
    const pid = h.kernel.add('bystander');
    const answer = await post(`/v1/processes/${pid}/kill`, body);
    assert.equal(answer.status, 400);
    assert.equal(answer.json.error!.code, 'bad_request');
    assert.match(answer.json.error!.message, message);
    assert.equal(h.kernel.table.get(pid)?.state, 'blocked');
  });
}

test('a body over the limit is a 413', async () => {
  const pid = h.kernel.add('big');
  const answer = await post(`/v1/processes/${pid}/kill`, `{"signal": 9, "pad": "${'x'.repeat(70_000)}"}`);
  assert.equal(answer.status, 413);
  assert.equal(h.kernel.table.get(pid)?.state, 'blocked');
});

test('a body that is not JSON by Content-Type is a 415', async () => {
  const answer = await post('/v1/restore', '{"path":"/x"}', { 'Content-Type': 'text/plain' });
  assert.equal(answer.status, 415);
});

test('an unknown route is a 404 and a wrong method is a 405', async () => {
  assert.equal((await h.client.send('GET', '/v1/nope')).status, 404);
  assert.equal((await h.client.send('GET', '/v2/node')).status, 404);
  const wrong = await h.client.send('GET', '/v1/processes/1/kill');
  assert.equal(wrong.status, 405);
  assert.match(wrong.text, /allowed POST/);
  assert.equal((await h.client.send('DELETE', '/v1/node')).status, 405);
});

test('POST checkpoint writes the image file atomically', async () => {
  const pid = h.kernel.add('saver');
  const path = join(files, 'saver.img');
  const answer = await h.client.checkpoint(pid, path, false);
  assert.equal(answer.pid, pid);
  assert.equal(answer.stopped, false);
  const image = readFileSync(path);
  assert.equal(answer.bytes, image.length);
  assert.deepEqual(new Uint8Array(image), h.kernel.checkpoint(pid));
  assert.equal(h.kernel.table.get(pid)?.state, 'blocked', 'still running');
});

test('POST checkpoint with stop leaves the process suspended', async () => {
  const pid = h.kernel.add('mover');
  const answer = await h.client.checkpoint(pid, join(files, 'mover.img'), true);
  assert.equal(answer.stopped, true);
  assert.equal(h.kernel.table.get(pid)?.state, 'suspended');
});

test('POST checkpoint that cannot write resumes a process it stopped', async () => {
  const pid = h.kernel.add('unlucky');
  const answer = await post(
    `/v1/processes/${pid}/checkpoint`,
    JSON.stringify({ path: '/nonexistent/dir/x.img', stop: true }),
  );
  assert.equal(answer.status, 422);
  assert.match(answer.json.error!.message, /cannot write image to \/nonexistent\/dir\/x\.img: ENOENT/);
  assert.notEqual(h.kernel.table.get(pid)?.state, 'suspended');
});

test('POST checkpoint of an exited process is a 409; of an unknown pid a 404', async () => {
  const pid = h.kernel.add('gone', { state: 'zombie', exitCode: 0 });
  const path = join(files, 'gone.img');
  assert.equal((await post(`/v1/processes/${pid}/checkpoint`, JSON.stringify({ path }))).status, 409);
  assert.equal((await post('/v1/processes/777777/checkpoint', JSON.stringify({ path }))).status, 404);
});

const BAD_CHECKPOINT_BODIES: [string, string, RegExp][] = [
  ['no path', '{}', /missing field 'path'/],
  ['a relative path', '{"path": "x.img"}', /must be absolute/],
  ['an empty path', '{"path": ""}', /must not be empty/],
  ['a numeric path', '{"path": 7}', /'path' must be a string/],
  ['a non-boolean stop', '{"path": "/tmp/x", "stop": "yes"}', /'stop' must be a boolean/],
  ['a NUL in the path', '{"path": "/tmp/x\\u0000y"}', /NUL/],
];
for (const [what, body, message] of BAD_CHECKPOINT_BODIES) {
  test(`POST checkpoint with ${what} is a 400`, async () => {
    const pid = h.kernel.add('still');
    const answer = await post(`/v1/processes/${pid}/checkpoint`, body);
    assert.equal(answer.status, 400);
    assert.match(answer.json.error!.message, message);
    assert.ok(!h.kernel.calls.includes(`checkpoint ${pid}`), 'the kernel was not asked');
  });
}

test('POST restore brings an image back as a new process with a new NPID', async () => {
  const pid = h.kernel.add('phoenix');
  const path = join(files, 'phoenix.img');
  await h.client.checkpoint(pid, path, false);
  const changes = h.changes;
  const restored = await h.client.restore(path);
  assert.notEqual(restored.pid, pid);
  assert.equal(h.kernel.table.get(restored.pid)?.name, 'phoenix');
  assert.notEqual(restored.npid, h.kernel.table.get(pid)?.npid);
  assert.equal(h.changes, changes + 1);
});

const BAD_IMAGES: [string, (image: Buffer) => Buffer, RegExp][] = [
  ['a truncated image', (b) => b.subarray(0, 20), /truncated/],
  ['a corrupt image', (b) => Buffer.from(b.map((x, i) => (i === b.length - 2 ? x ^ 1 : x))), /checksum/],
  ['a text file', () => Buffer.from('hello'), /truncated|magic/],
];
for (const [what, edit, message] of BAD_IMAGES) {
  test(`POST restore of ${what} is a 422 and nothing runs`, async () => {
    const pid = h.kernel.add('source');
    const good = join(files, `good-${pid}.img`);
    await h.client.checkpoint(pid, good, false);
    const bad = join(files, `bad-${pid}.img`);
    writeFileSync(bad, edit(readFileSync(good)));
    const count = h.kernel.table.size;
    const answer = await post('/v1/restore', JSON.stringify({ path: bad }));
    assert.equal(answer.status, 422);
    assert.equal(answer.json.error!.code, 'bad_image');
    assert.match(answer.json.error!.message, message);
    assert.equal(h.kernel.table.size, count);
  });
}

test('POST restore of a missing file or a directory is a 400', async () => {
  const missing = await post('/v1/restore', JSON.stringify({ path: join(h.home.dir, 'none.img') }));
  assert.equal(missing.status, 400);
  assert.match(missing.json.error!.message, /no image file/);
  const dir = join(h.home.dir, 'a-dir');
  mkdirSync(dir);
  const directory = await post('/v1/restore', JSON.stringify({ path: dir }));
  assert.equal(directory.status, 400);
  assert.match(directory.json.error!.message, /not a regular file/);
  assert.equal((await post('/v1/restore', '{"path": "rel.img"}')).status, 400);
  assert.equal((await post('/v1/restore', '{"path": "/x", "pid": 3}')).status, 400);
});

test('GET /metrics is Prometheus text with the kernel counters', async () => {
  h.kernel.add('counted', { state: 'suspended' });
  h.kernel.instructions = 5000;
  h.kernel.counters.syscalls = 42;
  const first = await h.client.send('GET', '/metrics');
  assert.equal(first.status, 200);
  assert.match(first.contentType, /^text\/plain/);
  assert.match(first.text, /pakaya_processes\{state="suspended",node="\d+"\} [1-9]/);
  assert.match(first.text, /pakaya_instructions_retired_total\{node="\d+"\} 5000/);
  assert.match(first.text, /pakaya_syscalls_total\{node="\d+"\} 42/);
  assert.match(first.text, /pakaya_page_faults_total/);
  assert.match(first.text, /pakaya_context_switches_total/);
  h.kernel.instructions = 7500;
  const second = await h.client.send('GET', '/metrics');
  assert.match(second.text, /pakaya_instructions_retired_total\{node="\d+"\} 7500/);
  assert.match(second.text, /pakaya_admin_requests_total\{route="kill",status="400",node="\d+"\} [1-9]/);
});

test('a kernel bug in a handler is a 500 and the node keeps serving', async () => {
  const real = h.kernel.listProcesses;
  h.kernel.listProcesses = () => {
    throw new TypeError('boom');
  };
  try {
    const answer = await h.client.send('GET', '/v1/processes');
    assert.equal(answer.status, 500);
    assert.match(answer.text, /internal error: boom/);
  } finally {
    h.kernel.listProcesses = real;
  }
  assert.equal((await h.client.send('GET', '/v1/node')).status, 200);
});

test('requests are logged to node.log as JSON lines', () => {
  const lines = readFileSync(h.home.paths.log, 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.ok(lines.some((l) => l.msg === 'admin request' && l.status === 404));
  assert.ok(lines.some((l) => l.msg === 'admin request failed'));
});
