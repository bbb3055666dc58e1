// The admin API against hostile files and clients: checkpoints never replace a device, FIFO or the
// home's own files; restore opens only regular files (a FIFO cannot hang it), answers 422 for an
// unreadable file and 409 when the node is full; a restore the client gave up on never creates a
// process later; stale partial images are swept; idle connections cannot lock the API out.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { KernelError } from '../../src/kernel/kernel.js';
import { type Harness, startHarness } from './admin-harness.js';

/** Short, so the idle-connection test is quick; long enough that a request on a loaded machine is served. */
const REQUEST_DEADLINE_MS = 1500;
let h: Harness;
const files = mkdtempSync(join(tmpdir(), 'pakaya-hostile-'));
before(async () => {
  h = await startHarness({ requestTimeoutMs: REQUEST_DEADLINE_MS, idleTimeoutMs: REQUEST_DEADLINE_MS });
});
after(async () => {
  await h.close();
});

async function post(path: string, body: unknown) {
  const answer = await h.client.send('POST', path, JSON.stringify(body));
  return { ...answer, json: JSON.parse(answer.text) as { error?: { code: string; message: string } } };
}

/** Polls `check` until it holds or `ms` pass. */
async function until(check: () => boolean, ms: number, what: string): Promise<void> {
  const deadline = performance.now() + ms;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('a checkpoint onto a device, a FIFO or a directory is refused and leaves it alone', async () => {
  const pid = h.kernel.add('victim');
  const fifo = join(files, 'a-fifo');
  execFileSync('mkfifo', [fifo]);
  for (const path of ['/dev/null', fifo, files]) {
    const answer = await post(`/v1/processes/${pid}/checkpoint`, { path });
    assert.equal(answer.status, 400, path);
    assert.match(answer.json.error!.message, /not a regular file/);
  }
  assert.ok(statSync('/dev/null').isCharacterDevice());
  assert.ok(statSync(fifo).isFIFO());
  assert.ok(!h.kernel.calls.includes(`checkpoint ${pid}`), 'the kernel was not asked');
});

test("a checkpoint onto the home's own files is refused; the lock survives", async () => {
  const pid = h.kernel.add('locksmith');
  const lock = readFileSync(h.home.paths.lock, 'utf8');
  for (const path of [h.home.paths.lock, h.home.paths.counter, join(h.home.dir, 'new.img')]) {
    const answer = await post(`/v1/processes/${pid}/checkpoint`, { path });
    assert.equal(answer.status, 400, path);
    assert.match(answer.json.error!.message, /inside the node's home/);
  }
  assert.equal(readFileSync(h.home.paths.lock, 'utf8'), lock);
});

test('partial images left by a killed checkpoint are swept by the next one to that path', async () => {
  const pid = h.kernel.add('sweeper');
  const path = join(files, 'swept.img');
  const dead = join(files, '.swept.img.tmp-999999999-0badf00d'); // no such OS pid
  const other = join(files, '.other.img.tmp-999999999-0badf00d');
  writeFileSync(dead, 'partial');
  writeFileSync(other, 'partial');
  const answer = await post(`/v1/processes/${pid}/checkpoint`, { path });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(existsSync(dead), false, 'the stale temporary file is gone');
  assert.equal(existsSync(other), true, "another path's temporary file is left alone");
});

test('a restore from a FIFO is refused at once (no hang)', async () => {
  const fifo = join(files, 'restore-fifo');
  execFileSync('mkfifo', [fifo]);
  const answer = await post('/v1/restore', { path: fifo });
  assert.equal(answer.status, 400);
  assert.match(answer.json.error!.message, /not a regular file/);
});

test('a restore from an unreadable file is a 422, not a 500', async () => {
  const answer = await post('/v1/restore', { path: '/proc/self/mem' });
  assert.equal(answer.status, 422, answer.text);
  assert.equal(answer.json.error!.code, 'io_error');
});

test('a restore on a full node is a 409', async () => {
  const pid = h.kernel.add('many');
  const path = join(files, 'many.img');
  assert.equal((await post(`/v1/processes/${pid}/checkpoint`, { path })).status, 200);
  h.kernel.restoreRefusal = new KernelError('too many processes (limit 1024)');
  try {
    const answer = await post('/v1/restore', { path });
    assert.equal(answer.status, 409);
    assert.match(answer.json.error!.message, /too many processes/);
  } finally {
    h.kernel.restoreRefusal = undefined;
  }
});

test('a restore the client gave up on does not create a process later', async () => {
  const pid = h.kernel.add('abandoned');
  const path = join(files, 'abandoned.img');
  assert.equal((await post(`/v1/processes/${pid}/checkpoint`, { path })).status, 200);
  const body = JSON.stringify({ path });
  const socket = connect(h.home.paths.socket);
  await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
  // The client goes away while the node reads the image.
  h.kernel.onImageHeader = () => socket.destroy();
  const restoresBefore = h.kernel.calls.filter((c) => c === 'restore').length;
  socket.write(
    `POST /v1/restore HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
  );
  try {
    await until(() => /"status":499/.test(readFileSync(h.home.paths.log, 'utf8')), 3000, 'the 499 log line');
  } finally {
    h.kernel.onImageHeader = undefined;
  }
  assert.equal(h.kernel.calls.filter((c) => c === 'restore').length, restoresBefore, 'nothing restored');
});

test('idle connections cannot lock the admin API out', async () => {
  const idle: Socket[] = [];
  for (let i = 0; i < 64; i++) {
    const s = connect(h.home.paths.socket);
    s.on('error', () => {});
    idle.push(s);
  }
  try {
    let closed = 0;
    for (const s of idle) s.once('close', () => closed++);
    // The node closes each silent connection at its deadline (REQUEST_DEADLINE_MS here), not after Node's
    // default 30 s connection check, so the slots free up at once.
    await until(
      () => closed === idle.length,
      REQUEST_DEADLINE_MS + 5000,
      'the node to close the idle connections',
    );
    const node = await h.client.node();
    assert.equal(node.id, h.home.identity.id);
  } finally {
    for (const s of idle) s.destroy();
  }
});
