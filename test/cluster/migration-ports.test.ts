// Live migration of a process in a cross-node conversation (issue 13 §2–§3): svc_server answers
// numbered calls of svc_client, which runs on another node and reaches it by its global name. The
// server moves pre-copy to a third node and back post-copy while the calls go on; its remote-port
// state (dedup and in-flight messages) and the ways back of the calls it holds travel with it. Both
// programs check every call themselves (no loss, no duplicate, no reordering) and exit 0.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RIGHT_RECEIVE } from '../../src/kernel/ipc/limits.js';
import { Port } from '../../src/kernel/ipc/objects.js';
import {
  drive,
  driveUntil,
  owner,
  processOn,
  type SimMigrationNode,
  simWorld,
  startProgram,
} from './migration-harness.js';

const CALLS = 120;
const SIGCONT = 18;
const SIGSTOP = 19;

/** Messages waiting in the ports `npid` receives on at node `n`. */
function queued(n: SimMigrationNode, npid: string): number {
  let count = 0;
  for (const c of processOn(n, npid)?.caps.values() ?? [])
    if (c.object instanceof Port && c.has(RIGHT_RECEIVE)) count += c.object.queue.length;
  return count;
}

test('a server in a conversation with another node migrates pre-copy and back post-copy: no call lost or doubled', async () => {
  const w = await simWorld(21, 3, {}, 16, true);
  const [a, b, c] = w.nodes as [SimMigrationNode, SimMigrationNode, SimMigrationNode];
  const server = await startProgram(w, a, ['svc_server', 'svc/echo', '3']);
  // A process's output on a node, by the pid it had there last (the host keeps it after the end).
  const pids = new Map<string, number>();
  const stdout = (n: SimMigrationNode, npid: string): string => {
    const live = processOn(n, npid);
    if (live !== undefined) pids.set(`${n.id}/${npid}`, live.pid);
    const pid = pids.get(`${n.id}/${npid}`);
    return pid === undefined ? '' : n.host.stdout(pid);
  };
  await driveUntil(w, () => stdout(a, server).includes('ready'), 40_000, 'the server to register');
  // Two clients on b and one on c (the node the server visits): a call is nearly always on its way
  // or queued at the server, whose image then holds remote callers' replies.
  const clients: [SimMigrationNode, string][] = [];
  for (const [i, n] of [b, b, c].entries()) {
    const npid = await startProgram(w, n, ['svc_client', 'svc/echo', String(i), String(CALLS)]);
    stdout(n, npid);
    clients.push([n, npid]);
  }
  const answers = () => b.router!.stats.messagesOut;
  await driveUntil(w, () => answers() >= 20, 200_000, 'the first calls');

  const there = await drive(w, a.service.migrate(server, c.id, 'precopy'), 400_000);
  assert.ok(there.ok, there.ok ? '' : there.error.message);
  assert.equal(processOn(a, server), undefined, 'the source dropped its copy');
  assert.ok(processOn(c, server) !== undefined, 'the server runs at the target');
  const before = answers();
  await driveUntil(w, () => answers() >= before + 20, 400_000, 'calls to reach the moved server');

  // Stopped, the server lets calls queue up in its port: they move in the image, and the ways back
  // of their callers (reply tokens of c's router) are carried and given tokens of a's router.
  c.kernel.kill(processOn(c, server)!.pid, SIGSTOP);
  await driveUntil(w, () => queued(c, server) >= 2, 400_000, 'calls to queue at the stopped server');
  const back = await drive(w, c.service.migrate(server, a.id, 'postcopy'), 400_000);
  assert.ok(back.ok, back.ok ? '' : back.error.message);
  assert.ok(queued(a, server) >= 2, 'the queued calls moved with the server');
  a.kernel.kill(processOn(a, server)!.pid, SIGCONT);
  stdout(a, server);
  await driveUntil(
    w,
    () => a.exits.has(server) && clients.every(([n, npid]) => n.exits.has(npid)),
    1_000_000,
    'the conversation to end',
  );

  for (const [n, npid] of clients) {
    assert.equal(n.exits.get(npid), 0, stdout(n, npid));
    assert.match(stdout(n, npid), new RegExp(`${CALLS} calls ok`));
  }
  assert.equal(a.exits.get(server), 0, stdout(a, server));
  assert.match(stdout(a, server), new RegExp(`${3 * (CALLS + 1)} calls from 3 clients ok`));
  assert.equal(c.exits.has(server), false, 'the copy that moved away did not exit at c');
  assert.deepEqual((await owner(w, server)).node, a.id);
  assert.equal(a.router!.stats.failedRoutes + b.router!.stats.failedRoutes, 0, 'no route failed');
});
