// The admin API's group checkpoint and restore over the real kernel (with the node's servers, so
// the group's name server and console capabilities are re-pointed at the new node's): ipc_rpc's
// server and clients are checkpointed mid-run with {"group": true}, restored on a second node, and
// finish with the same output as an uninterrupted run.
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Kernel } from '../../src/kernel/kernel.js';
import { AdminClient } from '../../src/node/admin-client.js';
import type { AdminContext } from '../../src/node/admin-routes.js';
import { AdminServer } from '../../src/node/admin-server.js';
import { openHome } from '../../src/node/home.js';
import { openNodeLog } from '../../src/node/logger.js';
import { NodeMetrics } from '../../src/node/metrics.js';
import { formatNodeId } from '../../src/node/node-kernel.js';
import { startServers } from '../../src/servers/boot.js';
import { newKernel, program, runFor, runToEnd } from '../kernel/helpers.js';

async function serve(kernel: Kernel): Promise<{ client: AdminClient; dir: string; close(): Promise<void> }> {
  const home = openHome(mkdtempSync(join(tmpdir(), 'pakaya-group-')));
  const nodeLog = openNodeLog(home.paths.log, formatNodeId(home.identity.id));
  const ctx: AdminContext = {
    kernel,
    identity: home.identity,
    home: home.dir,
    startedAt: performance.now(),
    metrics: new NodeMetrics(kernel, { node: String(home.identity.id) }),
    log: nodeLog.log,
    changed: () => {},
  };
  const server = await AdminServer.listen(home.paths.socket, ctx);
  return {
    client: new AdminClient(home.dir),
    dir: home.dir,
    close: async () => {
      await server.close();
      nodeLog.close();
      home.close();
    },
  };
}

test('checkpoint {"group": true} and restore carry ipc_rpc across nodes', async () => {
  const whole = newKernel(64);
  startServers(whole.kernel);
  const w = whole.kernel.spawn({ file: program('ipc_rpc'), argv: ['ipc_rpc'], envp: [] });
  runToEnd(whole.kernel);
  const expected = whole.host.stdout(w.pid);
  assert.match(expected, /client 3 \(badge 3\): 10 calls, total 165, ok/);

  const a = newKernel(64);
  startServers(a.kernel);
  const root = a.kernel.spawn({ file: program('ipc_rpc'), argv: ['ipc_rpc'], envp: [] });
  runFor(a.kernel, 9_000);
  const nodeA = await serve(a.kernel);
  const b = newKernel(64, 2);
  startServers(b.kernel);
  const nodeB = await serve(b.kernel);
  try {
    // Images go outside every home (a node refuses to write into its own home).
    const path = join(mkdtempSync(join(tmpdir(), 'pakaya-group-images-')), 'rpc.img');
    // Alone, the server cannot be checkpointed: its clients hold its port.
    await assert.rejects(nodeA.client.checkpoint(root.pid, path, false), /checkpoint the group/);
    const saved = await nodeA.client.checkpoint(root.pid, path, false, true);
    assert.equal(saved.members?.length, a.kernel.groupOf(root.pid).length);
    assert.ok((saved.members?.length ?? 0) > 1, 'the clients are in the group');
    assert.equal(saved.stopped, false);
    assert.ok(root.alive && !root.stopped, 'nothing was stopped');

    const restored = await nodeB.client.restore(path);
    assert.equal(restored.pid, root.pid);
    assert.equal(restored.npid, root.npid, 'the NPID is kept');
    assert.deepEqual(
      restored.members?.map((m) => m.npid),
      saved.members?.map((m) => m.npid),
    );
    const server = b.kernel.findProcess(restored.pid);
    runToEnd(b.kernel);
    assert.equal(a.host.stdout(root.pid) + b.host.stdout(root.pid), expected);
    assert.equal(server?.exitCode, 0);
  } finally {
    await nodeA.close();
    await nodeB.close();
  }
});
