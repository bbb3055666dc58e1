// `pakaya demo` (the cluster demo) end to end: three daemons form a cluster, every act ends as
// expected, the demo exits 0 — and leaves no daemon running and no home behind. Interrupted with
// SIGINT it stops every daemon it started, removes the homes and ends by that signal.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { pakaya, startPakaya } from './pakaya-process.js';

const ROOT_LINE = /homes in (\/\S+), removed at the end/;

/** OS pids of the processes whose command line mentions `text` (Linux /proc). */
function processesMentioning(text: string): number[] {
  const found: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(text)) found.push(Number(entry));
    } catch {
      // The process ended while we looked.
    }
  }
  return found;
}

/** Waits (bounded) until no process mentions `text`; returns those still there at the deadline. */
async function gone(text: string, ms = 10_000): Promise<number[]> {
  const deadline = Date.now() + ms;
  for (;;) {
    const left = processesMentioning(text);
    if (left.length === 0 || Date.now() > deadline) return left;
    await new Promise((r) => setTimeout(r, 100));
  }
}

test('pakaya demo: three daemons on loopback, every act as expected, nothing left behind', async () => {
  const r = await pakaya(['demo']);
  assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
  const root = ROOT_LINE.exec(r.stdout)?.[1];
  assert.ok(root, r.stdout);
  assert.match(r.stdout, /\$ pakaya cluster init --home n1\n {2}[a-z0-9]+\n/);
  assert.match(r.stdout, /--join 127\.0\.0\.1:\d+ --token "\$TOKEN2" &\n/);
  assert.match(r.stdout, /cluster formed in [\d.]+ s: n1 = [0-9a-f]{8} \(CA\)/);
  const formed = /n\d = ([0-9a-f]{8})(?: \(CA\))? \(leader\)/.exec(r.stdout);
  assert.ok(formed, r.stdout);
  // `pakaya nodes` on the first node lists all three, alive, with the leader marked.
  const table = r.stdout.slice(r.stdout.indexOf('$ pakaya nodes --home n1'));
  assert.equal(
    (table.match(/^ {2}[0-9a-f]{8}\*? +127\.0\.0\.1:\d+ +alive/gm) ?? []).length >= 3,
    true,
    table,
  );
  assert.match(r.stdout, new RegExp(`${formed[1]}\\*? +127\\.0\\.0\\.1:\\d+ +alive +yes`));
  // Programs spawned on every node through the first one print there, tagged with their node.
  for (const n of ['n1', 'n2', 'n3'])
    assert.match(
      r.stdout,
      new RegExp(`\\$ pakaya spawn --home n1 --node [0-9a-f]{8} user/bin/hello\\.elf from ${n}\\n`),
    );
  const hellos = [...r.stdout.matchAll(/^ {2}(n\d) \| \[([0-9a-f]{8}):\d+ hello\] Hello from Pakaya!$/gm)];
  assert.deepEqual(hellos.map((m) => m[1]).sort(), ['n1', 'n2', 'n3'], r.stdout);
  assert.match(
    r.stdout,
    /--- where the processes run \(pakaya ps --all\), [\d.]+ s ---\n {2}NODE +NPID +PID/,
  );
  // A server on one node behind a global name, a client on each other node: every call checked by both.
  const server = /^ {2}(n\d) \| \[([0-9a-f]{8}):\d+ demo_server\] demo_server: svc\/demo registered$/m.exec(
    r.stdout,
  );
  assert.ok(server, r.stdout);
  const clients = [
    ...r.stdout.matchAll(
      /^ {2}(n\d) \| \[[0-9a-f:]+ demo_client\] demo_client \d: \d+ calls to svc\/demo answered in order$/gm,
    ),
  ].map((m) => m[1]);
  assert.deepEqual(
    clients.sort(),
    ['n1', 'n2', 'n3'].filter((n) => n !== server[1]),
    r.stdout,
  );
  assert.match(r.stdout, /\] demo_server: 2 clients x \d+ calls, each once and in order\n/);
  assert.equal((r.stdout.match(/^ {2}ok {3}demo_client /gm) ?? []).length, 2, r.stdout);
  assert.match(r.stdout, /^ {2}ok {3}demo_server /m);
  // The worker moves, live, with progress lines and the summary of pakaya migrate, and ends where it moved.
  const moved = /\$ pakaya migrate --home (n\d) ([0-9a-f]{8}:\d+) ([0-9a-f]{8})\n/.exec(r.stdout);
  assert.ok(moved, r.stdout);
  const [, from, worker, to] = moved;
  assert.match(r.stdout, /^ {2}\[[#.]{24}\] (\w+, )?round \d+ .* sent/m);
  assert.match(
    r.stdout,
    new RegExp(
      `^ {2}migrated ${worker} from [0-9a-f]{8} to ${to} \\(precopy\\)\\n {2}total +[\\d.]+ ms\\n {2}freeze`,
      'm',
    ),
  );
  assert.match(r.stdout, new RegExp(`^ {2}ok {3}migration of ${worker}: ${from} to n1 in \\d+ ms`, 'm'));
  assert.match(r.stdout, /\] demo_worker: \d+ steps over \d+ pages, checksum 0x[0-9a-f]{8} ok\n/);
  assert.match(r.stdout, new RegExp(`^ {2}ok {3}demo_worker ${worker}: exit 0 on n1 \\(${to}\\)`, 'm'));
  // The killed node is declared dead by the survivors, and says so in their table.
  const killed = /node (n\d) \(([0-9a-f]{8})\) declared dead by every survivor/.exec(r.stdout);
  assert.ok(killed, r.stdout);
  assert.match(r.stdout, new RegExp(`${killed[2]} +127\\.0\\.0\\.1:\\d+ +dead +(down|connecting)`));
  // Its worker, spawned with a restart policy and checkpointed into the store, runs again on a
  // survivor with its NPID and ends there with its memory checked (other output may come between
  // a command and its answer).
  const keeper = new RegExp(
    `\\$ pakaya spawn --home n1 --node ${killed[2]} --restart on-failure --checkpoint-every \\d+ms user/bin/demo_worker\\.elf [\\d ]+\\n[^]*?spawned demo_worker on node ${killed[2]}\\n {2}(${killed[2]}:\\d+)\\n`,
  ).exec(r.stdout);
  assert.ok(keeper, r.stdout);
  const npid = keeper[1] as string;
  assert.match(
    r.stdout,
    new RegExp(
      `^ {2}checkpoint of ${npid} on node ${killed[2]}: manifest [0-9a-f]{12}, \\d+ pages .*held by [0-9a-f]{8}(, [0-9a-f]{8})+$`,
      'm',
    ),
  );
  const back = new RegExp(
    `^ {2}${npid} runs again on (n\\d) \\(([0-9a-f]{8})\\), [\\d.]+ s after kill -9`,
    'm',
  ).exec(r.stdout);
  assert.ok(back, r.stdout);
  assert.notEqual(back[1], killed[1]);
  assert.match(r.stdout, new RegExp(`^ {2}ok {3}recovery of ${npid}: running on ${back[1]} `, 'm'));
  assert.match(
    r.stdout,
    new RegExp(
      `^ {2}${back[1]} \\| \\[${npid} demo_worker\\] demo_worker: 40 steps over 32 pages, checksum 0x[0-9a-f]{8} ok$`,
      'm',
    ),
  );
  assert.match(r.stdout, new RegExp(`^ {2}ok {3}demo_worker ${npid}: exit 0 on ${back[1]} `, 'm'));
  assert.match(r.stdout, /=== summary ===\n( {2}ok {3}.*\n)+pakaya demo: done in [\d.]+ s/);
  assert.doesNotMatch(r.stdout, /FAIL/);
  assert.equal(existsSync(root), false, `${root} removed`);
  assert.deepEqual(await gone(root), [], 'no daemon left running');
});

test('pakaya demo interrupted by SIGINT stops its daemons, removes its homes and ends by SIGINT', async () => {
  const s = await startPakaya(['demo'], ROOT_LINE);
  s.child.stdout?.resume();
  const root = ROOT_LINE.exec(s.line)?.[1] as string;
  assert.ok(existsSync(root));
  // Interrupt once the first daemon runs.
  const deadline = Date.now() + 20_000;
  while (processesMentioning(`${root}/n1`).length === 0) {
    assert.ok(Date.now() < deadline, 'the first daemon started');
    await new Promise((r) => setTimeout(r, 50));
  }
  s.child.kill('SIGINT');
  const [code, signal] = await s.exited;
  assert.equal(code, null);
  assert.equal(signal, 'SIGINT');
  assert.equal(existsSync(root), false, `${root} removed`);
  assert.deepEqual(await gone(root), [], 'no daemon left running');
});
