// Test helper: a node home with an admin server over the FakeKernel test double, for admin API tests.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AdminClient } from '../../src/node/admin-client.js';
import type { AdminContext } from '../../src/node/admin-routes.js';
import { AdminServer, type AdminServerOptions } from '../../src/node/admin-server.js';
import { type NodeHome, openHome } from '../../src/node/home.js';
import { openNodeLog } from '../../src/node/logger.js';
import { NodeMetrics } from '../../src/node/metrics.js';
import { formatNodeId } from '../../src/node/node-kernel.js';
import { FakeKernel } from './fake-kernel.js';

export interface Harness {
  home: NodeHome;
  kernel: FakeKernel;
  server: AdminServer;
  client: AdminClient;
  changes: number;
  close(): Promise<void>;
}

export async function startHarness(options: AdminServerOptions = {}): Promise<Harness> {
  const home = openHome(mkdtempSync(join(tmpdir(), 'pakaya-admin-')));
  const kernel = new FakeKernel(home.pids);
  const nodeLog = openNodeLog(home.paths.log, formatNodeId(home.identity.id));
  const harness = { changes: 0 } as Harness;
  const ctx: AdminContext = {
    kernel,
    identity: home.identity,
    home: home.dir,
    startedAt: performance.now(),
    metrics: new NodeMetrics(kernel, { node: String(home.identity.id) }),
    log: nodeLog.log,
    changed: () => {
      harness.changes++;
    },
  };
  const server = await AdminServer.listen(home.paths.socket, ctx, options);
  return Object.assign(harness, {
    home,
    kernel,
    server,
    client: new AdminClient(home.dir),
    close: async () => {
      await server.close();
      nodeLog.close();
      home.close();
    },
  });
}
