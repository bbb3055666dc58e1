// Shared set-ups for the membership tests: a cluster of n members over SwimNet, all joined through
// member 1, run until converged; and queries over the observed events.
import assert from 'node:assert/strict';
import type { MemberState } from '../../src/cluster/membership/messages.js';
import type { NodeId } from '../../src/net/node-id.js';
import { SwimNet, type SwimNetOptions } from '../../src/sim/swim-net.js';

export function id(n: number): NodeId {
  return n as NodeId;
}

/** n members (ids 1..n), members 2..n joined through member 1, run until converged (asserted). */
export function startCluster(n: number, options: SwimNetOptions): SwimNet {
  const net = new SwimNet(options);
  for (let i = 1; i <= n; i++) net.add(id(i));
  for (let i = 2; i <= n; i++) net.join(id(i), [id(1)]);
  const at = net.runUntil(() => net.converged(), 30_000, 50);
  assert.ok(at !== undefined, `${n} members converge within 30 s of virtual time`);
  return net;
}

/** Member events that set `node` to `state`, as seen by anyone (optionally after `since`). */
export function stateEvents(net: SwimNet, node: NodeId, state: MemberState, since = 0) {
  return net.events.filter(
    (e) => e.time >= since && e.event.type === 'member' && e.event.node === node && e.event.state === state,
  );
}

/** Every 'dead' verdict about a member that is still running (a false positive). */
export function falseDeaths(net: SwimNet) {
  const running = new Set(net.running());
  return net.events.filter(
    (e) => e.event.type === 'member' && e.event.state === 'dead' && running.has(e.event.node),
  );
}
