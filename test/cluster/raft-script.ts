// A tiny interpreter for Raft scenario scripts (as etcd/raft's testdata): each block is a command
// line, a `----` line and the expected output, blocks separated by blank lines; `#` lines are
// comments. run() returns the script with the actual output, so a test compares it with the file
// (or rewrites the file when REWRITE=1).

import type { ConfChange } from '../../src/cluster/raft/types.js';
import type { NodeId } from '../../src/net/node-id.js';
import { bytes, formatEntry, type NodeOptions, RaftCluster } from './raft-harness.js';

interface Command {
  name: string;
  args: string[];
  kv: Map<string, string>;
}

function parseCommand(line: string): Command {
  const words = line.trim().split(/\s+/);
  const kv = new Map<string, string>();
  const args: string[] = [];
  for (const w of words.slice(1)) {
    const eq = w.indexOf('=');
    if (eq > 0) kv.set(w.slice(0, eq), w.slice(eq + 1));
    else args.push(w);
  }
  return { name: words[0] ?? '', args, kv };
}

function idList(s: string | undefined): number[] {
  if (!s) return [];
  return s
    .replace(/[()]/g, '')
    .split(',')
    .filter((x) => x !== '')
    .map(Number);
}

function num(s: string | undefined, what: string): number {
  const n = Number(s);
  if (s === undefined || !Number.isInteger(n)) throw new Error(`${what}: expected a number, got ${s}`);
  return n;
}

export class ScriptRunner {
  readonly cluster = new RaftCluster(1);
  private options: NodeOptions = {
    preVote: false,
    checkQuorum: false,
    readOnly: 'safe',
    electionTicks: 10,
    heartbeatTicks: 1,
  };

  /** Runs one command and returns its output lines. */
  exec(cmd: Command): string[] {
    const c = this.cluster;
    c.output = [];
    const id = (i = 0) => num(cmd.args[i], cmd.name);
    const result = (r: { ok: boolean; error?: { code: string; message: string } }) => {
      c.output.push(r.ok ? 'ok' : `refused: ${r.error?.code}: ${r.error?.message}`);
    };
    switch (cmd.name) {
      case 'add-nodes': {
        const n = id();
        const voters = idList(cmd.kv.get('voters'));
        this.options = {
          preVote: cmd.kv.get('pre-vote') === 'true',
          checkQuorum: cmd.kv.get('check-quorum') === 'true',
          readOnly: cmd.kv.get('read-only') === 'lease' ? 'lease' : 'safe',
          electionTicks: Number(cmd.kv.get('election') ?? 10),
          heartbeatTicks: Number(cmd.kv.get('heartbeat') ?? 1),
          ...(cmd.kv.has('max-inflight') ? { maxInflightAppends: Number(cmd.kv.get('max-inflight')) } : {}),
          ...(cmd.kv.has('max-entries') ? { maxAppendEntries: Number(cmd.kv.get('max-entries')) } : {}),
        };
        const first = c.ids().length + 1;
        for (let i = first; i < first + n; i++) {
          const start = voters.includes(i)
            ? ({ kind: 'bootstrap', voters: voters as NodeId[] } as const)
            : ({ kind: 'join' } as const);
          c.add(i, start, this.options);
        }
        c.output.push('ok');
        break;
      }
      case 'log-level': {
        const level = cmd.args[0];
        if (level !== 'none' && level !== 'info' && level !== 'debug') throw new Error(`bad level ${level}`);
        c.level = level;
        c.output.push('ok');
        break;
      }
      case 'campaign':
        c.member(id()).node.campaign();
        c.output.push('ok');
        break;
      case 'propose':
        result(c.member(id()).node.propose(bytes(cmd.args[1] ?? '')));
        break;
      case 'propose-conf-change': {
        const [k, v] = [...cmd.kv.entries()][0] ?? ['', ''];
        if (k !== 'add-learner' && k !== 'add-voter' && k !== 'remove')
          throw new Error(`bad conf change ${k}`);
        const change = { type: k, node: Number(v) as NodeId } as ConfChange;
        result(c.member(id()).node.proposeConfChange(change));
        break;
      }
      case 'transfer-leader':
        c.member(id()).node.transferLeader(id(1) as NodeId);
        c.output.push('ok');
        break;
      case 'read-index':
        result(c.member(id()).node.readIndex(bytes(cmd.args[1] ?? '')));
        break;
      case 'tick-election':
      case 'tick-heartbeat': {
        const m = c.member(id());
        const per = cmd.name === 'tick-election' ? 2 * m.config.electionTicks : m.config.heartbeatTicks;
        const times = per * Number(cmd.args[1] ?? 1);
        for (let i = 0; i < times; i++) m.node.tick();
        c.output.push('ok');
        break;
      }
      case 'tick': {
        const m = c.member(id());
        for (let i = 0; i < num(cmd.args[1], 'tick count'); i++) m.node.tick();
        c.output.push('ok');
        break;
      }
      case 'stabilize':
        c.stabilize();
        break;
      case 'process-ready':
        for (const i of cmd.args.map(Number)) c.processReady(i);
        break;
      case 'deliver-msgs': {
        const dropped = cmd.kv.get('drop') === 'true';
        if (dropped) {
          const n = c.queue.filter(
            (m) => cmd.args.length === 0 || cmd.args.map(Number).includes(m.to),
          ).length;
          c.queue = c.queue.filter((m) => !(cmd.args.length === 0 || cmd.args.map(Number).includes(m.to)));
          c.output.push(`dropped ${n}`);
        } else if (cmd.args.length === 0) c.output.push(`delivered ${c.deliver()}`);
        else {
          let n = 0;
          for (const i of cmd.args.map(Number)) n += c.deliver(i);
          c.output.push(`delivered ${n}`);
        }
        break;
      }
      case 'partition': {
        const groups = cmd.args
          .join(' ')
          .split('/')
          .map((g) => g.trim().split(/\s+/).filter(Boolean).map(Number));
        c.partition(groups);
        c.output.push('ok');
        break;
      }
      case 'heal':
        c.heal();
        c.output.push('ok');
        break;
      case 'compact': {
        const m = c.member(id());
        const snap = m.node.createSnapshot(c.snapshotData(id()));
        m.persister.saveSnapshot(snap);
        c.output.push(`snapshot ${snap.term}/${snap.index} voters=(${snap.conf.voters.join(',')})`);
        break;
      }
      case 'restart':
        c.restart(id());
        c.output.push('ok');
        break;
      case 'status': {
        const s = c.member(id()).node.status();
        c.output.push(
          `${s.id}: ${s.role} term=${s.term} vote=${s.vote} leader=${s.leader} commit=${s.commit} applied=${s.applied} log=${s.firstIndex}..${s.lastIndex} voters=(${s.voters.join(',')}) learners=(${s.learners.join(',')})`,
        );
        for (const [p, pr] of [...s.progress].sort((a, b) => a[0] - b[0])) {
          c.output.push(
            `  ${p}: ${pr.state} match=${pr.match} next=${pr.next}${pr.learner ? ' learner' : ''}`,
          );
        }
        break;
      }
      case 'applied': {
        const m = c.member(id());
        c.output.push(m.applied.map((a) => `${a.term}/${a.index} ${a.text}`).join('; ') || '(nothing)');
        break;
      }
      case 'raft-log': {
        const m = c.member(id());
        const s = m.node.status();
        const entries: string[] = [];
        for (const e of m.persister.load().entries) entries.push(formatEntry(e));
        c.output.push(`first=${s.firstIndex} last=${s.lastIndex}: ${entries.join('; ') || '(empty)'}`);
        break;
      }
      default:
        throw new Error(`unknown command ${cmd.name}`);
    }
    return c.output.length > 0 ? c.output : ['ok'];
  }

  /** Runs a whole script; returns it with actual outputs in place of the expected ones. */
  run(script: string): string {
    const lines = script.split('\n');
    const out: string[] = [];
    let i = 0;
    while (i < lines.length) {
      const line = lines[i] as string;
      if (line.trim() === '' || line.startsWith('#')) {
        out.push(line);
        i++;
        continue;
      }
      const cmdLine = line;
      i++;
      if (lines[i] !== '----') throw new Error(`line ${i + 1}: expected ---- after "${cmdLine}"`);
      i++;
      while (i < lines.length && (lines[i] as string).trim() !== '') i++;
      out.push(cmdLine, '----');
      let actual: string[];
      try {
        actual = this.exec(parseCommand(cmdLine));
      } catch (err) {
        actual = [`error: ${(err as Error).message}`];
      }
      out.push(...actual);
    }
    return out.join('\n');
  }
}
