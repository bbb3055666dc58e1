// `npm run bench:membership`: SWIM membership at scale on the virtual network (src/sim/swim-net.ts).
// N members (default 1,000) join through one seed; prints virtual times for convergence, a join
// reaching every member, and a crash declared dead by every member, plus messages and wall time.
// `-- --members N`, `-- --seed S`, `-- --loss P`, `-- --json`.
import type { NodeId } from '../src/net/node-id.js';
import { SwimNet } from '../src/sim/swim-net.js';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  const v = i >= 0 ? Number(process.argv[i + 1]) : fallback;
  if (!Number.isFinite(v)) throw new Error(`--${name}: a number expected`);
  return v;
}

const members = option('members', 1_000);
const seed = option('seed', 1);
const loss = option('loss', 0);
const json = process.argv.includes('--json');
const id = (n: number): NodeId => n as NodeId;

const wall = performance.now();
const net = new SwimNet({ seed, loss, keepEvents: false, checkInvariants: false });
for (let i = 1; i <= members; i++) net.add(id(i));
for (let i = 2; i <= members; i++) net.join(id(i), [id(1)]);
const converged = net.runUntil(() => net.converged(), 120_000, 100);
if (converged === undefined) throw new Error('no convergence within 120 s of virtual time');
net.run(net.now + 2_000);

const newcomer = id(members + 1);
net.add(newcomer);
const joinAt = net.now;
net.join(newcomer, [id(2)]);
const joined = net.runUntil(
  () => net.running().every((o) => net.view(o, newcomer) === 'alive'),
  joinAt + 30_000,
  10,
);

const victim = id(Math.max(2, Math.floor(members / 2)));
const killedAt = net.now;
net.crash(victim);
const dead = net.runUntil(
  () => net.running().every((o) => net.view(o, victim) === 'dead'),
  killedAt + 30_000,
  10,
);

const result = {
  members,
  seed,
  loss,
  convergedMs: converged,
  joinReachesAllMs: joined === undefined ? null : joined - joinAt,
  crashDeadEverywhereMs: dead === undefined ? null : dead - killedAt,
  messages: net.counts.sent,
  wallSeconds: Number(((performance.now() - wall) / 1000).toFixed(1)),
  traceHash: net.traceHash().slice(0, 16),
};
if (json) console.log(JSON.stringify(result));
else {
  console.log(`membership, ${members} simulated members (seed ${seed}, loss ${loss * 100}%):`);
  console.log(`  converged (all see all alive)      ${result.convergedMs} ms virtual`);
  console.log(`  a join known by every member       ${result.joinReachesAllMs ?? 'never'} ms virtual`);
  console.log(`  a crash dead on every member       ${result.crashDeadEverywhereMs ?? 'never'} ms virtual`);
  console.log(`  messages ${result.messages}, wall ${result.wallSeconds} s, trace ${result.traceHash}`);
}
