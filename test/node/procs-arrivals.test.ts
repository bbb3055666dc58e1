// Arrivals (src/node/procs-arrivals.ts) over a real kernel and a LocalRegistry: a local process the
// registry names this node's (running or stopped) — a migration's target, a store restore, recovery
// — is adopted with the record's fencing token and its output kept; one named another node's, one
// still migrating, one the registry does not know, or one already exited is left alone; a process
// the guard already holds (adopted by its mover) gets its output kept; a second pass changes nothing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OwnerGuard } from '../../src/cluster/procs/owner-guard.js';
import { LocalRegistry, npids } from '../../src/cluster/registry/index.js';
import type { ProcessState } from '../../src/cluster/registry/schema.js';
import type { NodeId } from '../../src/net/node-id.js';
import { silentLog } from '../../src/node/logger.js';
import { adoptArrivals } from '../../src/node/procs-arrivals.js';
import { KernelProcs } from '../../src/node/procs-local.js';
import { newKernel, program, runFor } from '../kernel/helpers.js';

const A = 0x01 as NodeId;
const B = 0x02 as NodeId;

test('arrivals: processes the registry names this node the owner of are adopted and their output kept', async () => {
  const { kernel } = newKernel(32, A);
  const reg = new LocalRegistry(3);
  const guard = new OwnerGuard(A, reg);
  await guard.start();
  const local = new KernelProcs(kernel, () => {});
  const start = () => kernel.spawn({ file: program('linger'), argv: ['linger', 'x'], envp: [] });
  const write = async (npid: string, node: NodeId, state: ProcessState) => {
    const r = await reg.compareAndSet(npids.key(npid), { modRevision: 0 }, npids.encode({ node, state }), {
      fence: true,
    });
    assert.ok(r.succeeded && r.kv);
    return r.kv.fence;
  };
  const [restored, stopped, elsewhere, migrating, unknown, heldAlready, exited] = Array.from(
    { length: 7 },
    start,
  );
  const restoredToken = await write(restored!.npid, A, 'running');
  const stoppedToken = await write(stopped!.npid, A, 'stopped');
  await write(elsewhere!.npid, B, 'running');
  await write(migrating!.npid, A, 'migrating');
  await write(exited!.npid, A, 'exited');
  guard.adopt(heldAlready!.npid, await write(heldAlready!.npid, A, 'running'));
  const log = silentLog();
  const arrivals = { self: A, kernel, registry: reg.stateMachine, guard, local, log };

  const adopted = adoptArrivals(arrivals);
  assert.deepEqual(adopted.sort(), [restored!.npid, stopped!.npid].sort());
  assert.deepEqual(guard.held(restored!.npid), restoredToken);
  assert.deepEqual(guard.held(stopped!.npid), stoppedToken);
  for (const p of [elsewhere, migrating, unknown, exited]) {
    assert.equal(guard.held(p!.npid), undefined, p!.npid);
    assert.equal(local.keeps(p!.npid), false, p!.npid);
  }
  assert.ok(local.keeps(restored!.npid) && local.keeps(stopped!.npid) && local.keeps(heldAlready!.npid));
  assert.deepEqual(adoptArrivals(arrivals), []);
  // The kept output is readable by NPID (what `pakaya logs` asks the owner for).
  runFor(kernel, 3_000_000);
  assert.match(Buffer.from(local.logs(restored!.npid, 0, 0)?.out ?? []).toString(), /^linger: up x\n/);
  assert.equal(local.logs(unknown!.npid, 0, 0), undefined);
  // A dead process is never adopted, whatever its record says.
  const late = start();
  kernel.kill(late.pid, 9);
  runFor(kernel, 100_000);
  await write(late.npid, A, 'running');
  assert.deepEqual(adoptArrivals(arrivals), []);
  guard.stop();
});
