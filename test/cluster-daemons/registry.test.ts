// The replicated registry with real daemons on loopback (issue 15's daemon "Done when"): five nodes
// elect a leader and agree on membership (cluster status on each names the same leader and voters;
// `nodes` marks it); node ACLs are enforced on forwarded requests and on process-control requests
// (ps --all, spawn); kill -9 of the leader elects a new one (the failover time is printed), a
// registry write commits, SWIM's verdict reaches the registry as dead, and the old leader rejoins as a follower when restarted; `net block` partitions two
// nodes: the minority cannot commit while the majority can, and the cluster heals without a new
// term (pre-vote); kill -9 of two voters: the leader removes them from the voters, the three
// survivors still commit, and a returning node rejoins as a learner and is promoted again. Ports are
// OS-chosen, every wait has a deadline, after() kills what is running.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import { join } from 'node:path';
import { test } from 'node:test';
import * as tls from 'node:tls';
import { pakaya, ROOT } from '../cli/pakaya-process.js';
import { type Daemon, DaemonSet } from './daemon-set.js';
import { waitFor } from './wait-for.js';

const daemons = new DaemonSet('pkr-');
const root = daemons.root;
const start = (name: string, extra: string[] = []): Promise<Daemon> =>
  daemons.start(name, { memory: 8, extra });

interface Status {
  node: string;
  role: string;
  term: number;
  leader: string | null;
  commit_index: number;
  applied_index: number;
  voters: string[];
  learners: string[];
}

/** GET on a node's admin socket (fast enough to time a failover); undefined if it does not answer. */
function get<T>(d: Daemon, path: string): Promise<T | undefined> {
  return new Promise((resolve) => {
    const req = http.get({ socketPath: join(d.home, 'admin.sock'), path, timeout: 2000 }, (res) => {
      let body = '';
      res.on('data', (c) => {
        body += c;
      });
      res.on('end', () => {
        try {
          resolve(res.statusCode === 200 ? (JSON.parse(body) as T) : undefined);
        } catch {
          resolve(undefined);
        }
      });
    });
    req.on('error', () => resolve(undefined));
    req.on('timeout', () => req.destroy());
  });
}

const status = (d: Daemon) => get<Status>(d, '/v1/cluster');

/** Every daemon names the same leader, one of them, and the same voters `voters`. */
async function agreed(ds: readonly Daemon[], voters: readonly string[]): Promise<Status[] | undefined> {
  const all = await Promise.all(ds.map(status));
  const first = all[0];
  if (!first?.leader || !ds.some((d) => d.id === first.leader)) return undefined;
  const want = [...voters].sort().join(',');
  for (const s of all)
    if (!s || s.leader !== first.leader || s.voters.join(',') !== want || s.learners.length > 0)
      return undefined;
  return all as Status[];
}

const acl = (d: Daemon, verb: 'grant' | 'revoke', principal: string, right: string) =>
  pakaya(['cluster', 'acl', verb, principal, right, '--home', d.home]);

test('five daemons: a leader, membership, ACLs, kill -9 of the leader, restart, partition, dead voters', async (t) => {
  const init = await pakaya(['cluster', 'init', '--home', join(root, 'n0')]);
  assert.equal(init.code, 0, init.stderr);
  const first = await start('n0');
  const tokens: string[] = [];
  for (let i = 0; i < 4; i++) {
    const r = await pakaya(['cluster', 'token', '--home', first.home]);
    assert.equal(r.code, 0, r.stderr);
    tokens.push(r.stdout.trim());
  }
  const joined = await Promise.all(
    tokens.map((tok, i) => start(`n${i + 1}`, ['--join', `127.0.0.1:${first.port}`, '--token', tok])),
  );
  const ds: Daemon[] = [first, ...joined];
  const ids = ds.map((d) => d.id);
  const byId = (id: string) => ds.find((d) => d.id === id) as Daemon;
  let leaderId = '';

  await t.test('they elect one leader and agree on the voters; nodes marks the leader', async () => {
    await waitFor('five nodes agreeing on a leader and five voters', async () => {
      const all = await agreed(ds, ids);
      if (!all) return false;
      leaderId = all[0]?.leader as string;
      return true;
    });
    const r = await pakaya(['cluster', 'status', '--home', byId(ids[2] as string).home, '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).leader, leaderId);
    const text = await pakaya(['cluster', 'status', '--home', first.home]);
    assert.match(text.stdout, new RegExp(`^leader +${leaderId}$`, 'm'));
    await waitFor('every node registered alive in the registry', async () => {
      const m = await get<{ members: { id: string; state: string; addresses: string[] }[] }>(
        first,
        '/v1/cluster/members',
      );
      return m?.members.length === 5 && m.members.every((x) => x.state === 'alive' && ids.includes(x.id));
    });
    const rows = JSON.parse((await pakaya(['nodes', '--home', first.home, '--json'])).stdout) as {
      id: string;
      leader: boolean;
      state: string;
    }[];
    assert.deepEqual(
      rows.filter((x) => x.leader).map((x) => x.id),
      [leaderId],
    );
  });

  await t.test('forwarded requests need the right in the registry ACLs', async () => {
    const [x, y] = ds.filter((d) => d.id !== leaderId) as [Daemon, Daemon];
    const ps = () => pakaya(['ps', '--home', x.home, '--node', y.id, '--json']);
    await waitFor('a forwarded ps with the default node ACL', async () => (await ps()).code === 0);
    const revoked = await acl(first, 'revoke', `node:${x.id}`, 'metrics');
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, new RegExp(`^node:${x.id}: join spawn kill migrate$`, 'm'));
    await waitFor('the revoke to reach the target', async () => {
      const r = await ps();
      return r.code !== 0 && /not a registered member holding the metrics right/.test(r.stderr);
    });
    // The process-control requests between nodes are checked too: y refuses x's list request.
    const all = await pakaya(['ps', '--all', '--home', x.home]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(
      all.stderr,
      new RegExp(`node ${y.id} did not answer \\(.*does not hold the metrics right\\)`),
    );
    assert.equal((await acl(first, 'grant', `node:${x.id}`, 'metrics')).code, 0);
    await waitFor('the grant to reach the target', async () => (await ps()).code === 0);
    // A node without the spawn right cannot start a process on another node.
    const spawn = () => pakaya(['spawn', '--home', x.home, '--node', y.id, join(ROOT, 'user/bin/true.elf')]);
    assert.equal((await acl(first, 'revoke', `node:${x.id}`, 'spawn')).code, 0);
    await waitFor('a refused spawn', async () => {
      const r = await spawn();
      return r.code !== 0 && /does not hold the spawn right/.test(r.stderr);
    });
    assert.equal((await acl(first, 'grant', `node:${x.id}`, 'spawn')).code, 0);
    await waitFor('a spawn with the right back', async () => (await spawn()).code === 0);
    // An admin client credential: a client certificate of our CA, no rights until granted; it is
    // not a node certificate, so a node link refuses it (the admin API is on the unix socket only).
    const out = join(root, 'bob');
    const cred = await pakaya(['cluster', 'credential', 'bob', '--home', first.home, '--out', out]);
    assert.equal(cred.code, 0, cred.stderr);
    assert.match(cred.stdout, /^client:bob: .*client-bob\.crt .*client-bob\.key/);
    assert.match(readFileSync(join(out, 'client-bob.crt'), 'utf8'), /BEGIN CERTIFICATE/);
    const again = await pakaya(['cluster', 'credential', 'bob', '--home', first.home, '--out', out]);
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /exists/);
    const notCa = await pakaya(['cluster', 'credential', 'eve', '--home', x.home, '--out', out]);
    assert.notEqual(notCa.code, 0);
    assert.match(notCa.stderr, /not the cluster CA node/);
    const socket = tls.connect({
      host: '127.0.0.1',
      port: first.port,
      key: readFileSync(join(out, 'client-bob.key')),
      cert: readFileSync(join(out, 'client-bob.crt')),
      ca: readFileSync(join(out, 'ca.crt')),
      rejectUnauthorized: false,
    });
    socket.on('error', () => {});
    await new Promise((r) => socket.once('close', r));
    await waitFor(
      'the refusal of the client certificate in node.log',
      async () =>
        /refused inbound connection from 127\.0\.0\.1:\d+/.test(
          readFileSync(join(first.home, 'node.log'), 'utf8'),
        ),
      5000,
    );
    const bad = await acl(first, 'grant', 'client:bob', 'fly');
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /right must be one of/);
  });

  await t.test('kill -9 of the leader: a new leader, a write commits, the old one rejoins', async () => {
    const old = byId(leaderId);
    const rest = ds.filter((d) => d !== old);
    const killedAt = performance.now();
    old.child.kill('SIGKILL');
    let newLeader = '';
    await waitFor(
      'a new leader',
      async () => {
        const all = await Promise.all(rest.map(status));
        const l = all.find((s) => s?.role === 'leader' && s.leader === s.node);
        if (!l) return false;
        newLeader = l.node;
        return true;
      },
      15_000,
      25,
    );
    const failoverMs = performance.now() - killedAt;
    console.log(`leader failover after kill -9: ${failoverMs.toFixed(0)} ms (${leaderId} -> ${newLeader})`);
    assert.notEqual(newLeader, leaderId);
    await waitFor('a registry write after failover', async () => {
      const r = await acl(rest[0] as Daemon, 'grant', 'client:bob', 'spawn');
      return r.code === 0 && /^client:bob: spawn$/m.test(r.stdout);
    });
    await waitFor('the registry marking the old leader dead', async () => {
      const m = await get<{ members: { id: string; state: string }[] }>(
        byId(newLeader),
        '/v1/cluster/members',
      );
      return m?.members.find((x) => x.id === leaderId)?.state === 'dead';
    });
    const restarted = await start(`n${ds.indexOf(old)}`);
    assert.equal(restarted.id, leaderId);
    ds[ds.indexOf(old)] = restarted;
    await waitFor('the old leader back as a follower that caught up', async () => {
      const [s, l] = await Promise.all([status(restarted), status(byId(newLeader))]);
      return (
        s?.role === 'follower' &&
        s.leader === newLeader &&
        l !== undefined &&
        s.applied_index >= l.commit_index
      );
    });
    await waitFor('the registry marking it alive again', async () => {
      const m = await get<{ members: { id: string; state: string }[] }>(restarted, '/v1/cluster/members');
      return m?.members.find((x) => x.id === leaderId)?.state === 'alive';
    });
    leaderId = newLeader;
  });

  await t.test('a partition: the minority cannot commit, the majority can, then it heals', async () => {
    const leader = byId(leaderId);
    const [m1, m2] = ds.filter((d) => d.id !== leaderId) as [Daemon, Daemon];
    const majority = ds.filter((d) => d !== m1 && d !== m2).map((d) => d.id);
    for (const [d, other] of [
      [m1, m2],
      [m2, m1],
    ] as const) {
      const r = await pakaya(['net', 'block', ...majority, '--home', d.home]);
      assert.equal(r.code, 0, r.stderr);
      assert.ok(r.stdout.includes(majority[0] as string) && !r.stdout.includes(other.id), r.stdout);
    }
    const before = (await status(leader)) as Status;
    const minority = await acl(m1, 'grant', 'client:carol', 'spawn');
    assert.notEqual(minority.code, 0, `the minority committed: ${minority.stdout}`);
    assert.match(minority.stderr, /registry write failed/);
    const write = await acl(leader, 'grant', 'client:dave', 'spawn');
    assert.equal(write.code, 0, write.stderr);
    for (const d of [m1, m2])
      assert.equal((await pakaya(['net', 'unblock', ...majority, '--home', d.home])).code, 0);
    await waitFor('the minority to catch up with the same leader and term', async () => {
      const [a, b, l] = await Promise.all([status(m1), status(m2), status(leader)]);
      return (
        l !== undefined &&
        [a, b].every((s) => s?.leader === leaderId && s.applied_index >= l.commit_index && s.term === l.term)
      );
    });
    const healed = (await status(leader)) as Status;
    assert.equal(healed.leader, leaderId);
    assert.equal(healed.term, before.term, 'pre-vote: the healed minority did not disrupt the leader');
    // If SWIM declared the minority dead during the partition, the leader removed them from the
    // voters; back alive, they rejoin as learners and are promoted again.
    await waitFor(
      'all five agreeing on five voters again',
      async () => (await agreed(ds, ids)) !== undefined,
    );
    const after = (await status(leader)) as Status;
    assert.equal(after.term, before.term, 'rejoining did not disrupt the leader either');
  });

  await t.test(
    'kill -9 of two voters: they leave the voters, the survivors commit, one rejoins',
    async () => {
      const [v1, v2] = ds.filter((d) => d.id !== leaderId) as [Daemon, Daemon];
      const survivors = ds.filter((d) => d !== v1 && d !== v2);
      v1.child.kill('SIGKILL');
      v2.child.kill('SIGKILL');
      const killedAt = performance.now();
      const three = survivors.map((d) => d.id);
      await waitFor('the leader to remove both dead voters', async () => {
        const all = await Promise.all(survivors.map(status));
        return all.every(
          (s) =>
            s !== undefined && s.voters.join(',') === [...three].sort().join(',') && s.learners.length === 0,
        );
      });
      console.log(`two dead voters removed after kill -9: ${(performance.now() - killedAt).toFixed(0)} ms`);
      // With 3 voters, 2 make a quorum: a write commits on the survivors.
      const w = await acl(survivors[1] as Daemon, 'grant', 'client:erin', 'metrics');
      assert.equal(w.code, 0, w.stderr);
      assert.match(w.stdout, /^client:erin: metrics$/m);
      const back = await start(`n${ds.indexOf(v1)}`);
      assert.equal(back.id, v1.id);
      ds[ds.indexOf(v1)] = back;
      const four = [...three, back.id];
      await waitFor('the returning node promoted to voter again', async () => {
        const all = await agreed([...survivors, back], four);
        return all?.every((s) => s.applied_index >= (all[0] as Status).commit_index - 1) === true;
      });
      const leaderNow = (await status(survivors[0] as Daemon))?.leader;
      assert.ok(leaderNow && three.includes(leaderNow), 'the leader stayed among the survivors');
    },
  );

  for (const d of ds) d.child.kill('SIGTERM');
});
