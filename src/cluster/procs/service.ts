// Process control across the cluster (issue 13 §1), the pure core: spawn on a named node or where
// placement puts it (the program travels content-addressed: the target says need_program when it
// lacks the bytes, which then go once over the bulk lane into its cache), the npids/<npid> record
// written with a fence by the node that runs the process, the cluster-wide process table (a
// bounded fan-out that names silent nodes instead of waiting for them), and kill, logs and wait by
// NPID from any node (the owner comes from the registry). It takes its links, registry, clock and
// the local kernel (LocalProcs) as parameters: the daemon and the simulator hand in real or
// simulated ones.
import { create, type MessageInitShape } from '@bufbuild/protobuf';
import type { ProcessInfo } from '../../kernel/process-info.js';
import type { Clock, Timer } from '../../net/clock.js';
import {
  KillResultSchema,
  type LogChunk,
  LogChunkSchema,
  NodeStatsSchema,
  ProcListSchema,
  type ProcRow,
  ProcRowSchema,
  type ProcsReply,
  ProcsReplySchema,
  type ProcsRequest,
  ProcsRequestSchema,
  ProgramBytesSchema,
  type SpawnOp,
  SpawnOpSchema,
  SpawnResultSchema,
} from '../../net/gen/pakaya/cluster/v1/procs_pb.js';
import { formatNodeId, type NodeId } from '../../net/node-id.js';
import type { PeerLinks } from '../links.js';
import type { RegistryClient } from '../registry/client.js';
import type { Right } from '../registry/schema.js';
import {
  type NpidRecord,
  npidRecord,
  npids,
  RESTART_POLICIES,
  type RestartPolicy,
} from '../registry/schema.js';
import { isProcsErrorCode, ProcsError } from './errors.js';
import {
  FANOUT_NODES_MAX,
  LIST_ROWS_MAX,
  LIST_TIMEOUT_MS,
  PROGRAM_MAX_BYTES,
  PROGRAM_SEND_TIMEOUT_MS,
  REQUEST_TIMEOUT_MS,
  REQUESTS_PENDING_MAX,
  SERVE_IN_FLIGHT_MAX,
  SPAWN_ARG_MAX_BYTES,
  SPAWN_ARGS_MAX,
  STATS_TIMEOUT_MS,
  WAIT_MAX_MS,
} from './limits.js';
import type { LogChunkView } from './log-ring.js';
import type { OwnerGuard } from './owner-guard.js';
import { type Candidate, place } from './placement.js';
import { isSha256Hex, type ProgramCache, sha256Hex } from './program-cache.js';
import { decodeOrUndefined, encodeMessage, ProcsType } from './wire.js';

/** The local kernel as process control sees it (the node adapter implements it over the Kernel). */
export interface LocalProcs {
  /** Creates the process stopped (it runs once start() is called). Throws ProcsError('refused'). */
  spawn(request: { elf: Uint8Array; name: string; args: readonly string[] }): { npid: string; pid: number };
  /** Lets a process made by spawn() run. */
  start(npid: string): void;
  /** Kills a local copy without any registry write (a failed spawn, a lost ownership). */
  discard(npid: string): void;
  list(): ProcessInfo[];
  /** Sends a signal: 0, or a negative errno (-3 no such process, -22 bad signal, -1 forbidden). */
  kill(npid: string, signal: number): number;
  logs(npid: string, outFrom: number, errFrom: number): LogChunkView | undefined;
  stats(): { freeBytes: number; load: number; processes: number };
}

export interface ProcsLog {
  info(fields: Record<string, unknown>, message: string): void;
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface ProcsServiceOptions {
  readonly links: PeerLinks;
  readonly registry: RegistryClient;
  readonly clock: Clock;
  readonly local: LocalProcs;
  readonly programs: ProgramCache;
  readonly guard: OwnerGuard;
  readonly log: ProcsLog;
  /** The other live members (alive or suspect in the registry): whom ps --all and placement ask. */
  members(): readonly NodeId[];
  /**
   * Whether `peer` holds `right` in the registry ACLs (its principal is node:<id>); every request
   * from another node is checked before it runs (issue 15 §6), a refusal answers 'forbidden'.
   */
  allowed(peer: NodeId, right: Right): boolean;
}

/** The right another node needs for each request it sends (docs/security.md). */
export const REQUEST_RIGHTS: Readonly<Record<NonNullable<ProcsRequest['op']['case']>, Right>> = {
  spawn: 'spawn',
  kill: 'kill',
  list: 'metrics',
  logs: 'metrics',
  stats: 'metrics',
};

export interface SpawnRequest {
  readonly elf: Uint8Array;
  readonly name?: string | undefined;
  readonly args: readonly string[];
  readonly restart?: RestartPolicy | undefined;
  readonly checkpointEveryMs?: number | undefined;
  /** Where to run it; placement decides when absent. */
  readonly node?: NodeId | undefined;
}

export interface Spawned {
  readonly npid: string;
  readonly pid: number;
  readonly node: NodeId;
}

/** A row of the cluster-wide process table. */
export type ClusterRow = ProcessInfo & { node: string };

export interface ClusterTable {
  readonly rows: ClusterRow[];
  /** Nodes that did not answer (named in a warning), with why. */
  readonly missing: { node: string; why: string }[];
}

interface Pending {
  readonly peer: NodeId;
  readonly resolve: (r: ProcsReply) => void;
  readonly reject: (e: ProcsError) => void;
  readonly timer: Timer;
}

const STATE_BASE = new Set(['new', 'ready', 'running', 'blocked', 'suspended', 'migrating', 'zombie']);

function toRow(p: ProcessInfo): ProcRow {
  return create(ProcRowSchema, {
    npid: p.npid,
    pid: p.pid,
    ppid: p.ppid,
    name: p.name,
    state: p.state,
    blockedOn: p.blockedOn ?? '',
    priority: p.priority,
    threads: p.threads,
    cpuInstructions: BigInt(p.cpuInstructions),
    memoryPages: BigInt(p.memoryPages),
    ...(p.exitCode === undefined ? {} : { exitCode: p.exitCode }),
  });
}

function fromRow(r: ProcRow, node: string): ClusterRow | undefined {
  if (!STATE_BASE.has(r.state)) return undefined;
  const row: ClusterRow = {
    pid: r.pid,
    npid: r.npid.slice(0, 32),
    ppid: r.ppid,
    name: r.name.slice(0, 256),
    state: r.state as ProcessInfo['state'],
    priority: r.priority,
    threads: r.threads,
    cpuInstructions: Number(r.cpuInstructions),
    memoryPages: Number(r.memoryPages),
    node,
  };
  if (r.blockedOn !== '') row.blockedOn = r.blockedOn.slice(0, 32);
  if (r.exitCode !== undefined) row.exitCode = r.exitCode;
  return row;
}

/** Checks spawn input the same way on every node; throws ProcsError('bad_request'). */
export function checkSpawnArgs(args: readonly string[]): void {
  if (args.length > SPAWN_ARGS_MAX)
    throw new ProcsError('bad_request', `at most ${SPAWN_ARGS_MAX} arguments`);
  for (const a of args)
    if (new TextEncoder().encode(a).length > SPAWN_ARG_MAX_BYTES)
      throw new ProcsError('bad_request', `an argument is longer than ${SPAWN_ARG_MAX_BYTES} bytes`);
}

function baseName(path: string): string {
  const name = path.split('/').pop() ?? path;
  return name.replace(/\.elf$/, '') || 'program';
}

/** A process name the registry accepts (letters, digits, . _ -; at most 64 bytes). */
export function registryName(name: string): string {
  const cleaned = name.replace(/[^A-Za-z0-9._-]/g, '_').replace(/^[^A-Za-z0-9]+/, '');
  return (cleaned || 'program').slice(0, 64);
}

export class ProcsService {
  readonly self: NodeId;
  private readonly pending = new Map<bigint, Pending>();
  private nextId = 1n;
  private serving = 0;
  private stopped = false;

  constructor(private readonly o: ProcsServiceOptions) {
    this.self = o.links.self;
    o.links.onMessage((peer, _lane, type, payload) => this.message(peer, type, payload));
    o.links.onLink((peer, state) => {
      if (state !== 'up')
        this.failPeer(peer, 'unavailable', `the link to node ${formatNodeId(peer)} went down`);
    });
  }

  stop(): void {
    this.stopped = true;
    for (const [id, p] of this.pending) {
      p.timer.cancel();
      this.pending.delete(id);
      p.reject(new ProcsError('unavailable', 'the node is stopping'));
    }
  }

  // ---- spawn ----

  async spawn(req: SpawnRequest): Promise<Spawned> {
    if (req.elf.length === 0 || req.elf.length > PROGRAM_MAX_BYTES)
      throw new ProcsError('bad_request', `a program must be 1 to ${PROGRAM_MAX_BYTES} bytes`);
    checkSpawnArgs(req.args);
    const sha = sha256Hex(req.elf);
    if (!this.o.programs.put(sha, req.elf)) throw new ProcsError('internal', 'cannot cache the program');
    const op: SpawnOp = create(SpawnOpSchema, {
      program: sha,
      name: registryName(req.name ?? baseName(req.args[0] ?? 'program')),
      args: [...req.args],
      restart: req.restart ?? 'no',
      checkpointEveryMs: BigInt(req.checkpointEveryMs ?? 0),
    });
    const node = req.node ?? (await this.placeFor(req.elf.length));
    if (node === this.self) {
      const s = await this.spawnHere(op);
      return { ...s, node: this.self };
    }
    if (req.node !== undefined && !this.o.members().includes(node))
      throw new ProcsError('no_such_node', `node ${formatNodeId(node)} is not a live member of the cluster`);
    let reply = await this.request(node, { case: 'spawn', value: op }, REQUEST_TIMEOUT_MS);
    if (reply.errorCode === 'need_program') {
      await this.sendProgram(node, sha, req.elf);
      reply = await this.request(node, { case: 'spawn', value: op }, REQUEST_TIMEOUT_MS);
    }
    this.throwIfError(reply, node);
    if (reply.result.case !== 'spawned') throw new ProcsError('internal', 'a spawn reply without its result');
    return { npid: reply.result.value.npid, pid: reply.result.value.pid, node };
  }

  /** Where placement puts a program of `size` bytes: this node or the best answering member. */
  async placeFor(size: number): Promise<NodeId> {
    const mine = this.o.local.stats();
    const candidates: Candidate[] = [{ node: this.self, freeBytes: mine.freeBytes, load: mine.load }];
    const peers = this.peersUp();
    const answers = await Promise.all(
      peers.map((p) =>
        this.request(p, { case: 'stats', value: {} }, STATS_TIMEOUT_MS).then(
          (r) => (r.result.case === 'stats' ? { node: p, stats: r.result.value } : undefined),
          () => undefined,
        ),
      ),
    );
    for (const a of answers)
      if (a !== undefined)
        candidates.push({ node: a.node, freeBytes: Number(a.stats.freeBytes), load: a.stats.load });
    // Room for the image plus a stack and heap: the loaded program and 1 MiB.
    return place(candidates, size + 1024 * 1024) ?? this.self;
  }

  /** Runs a spawn on this node: the process starts only once its fenced record is in the registry. */
  private async spawnHere(op: SpawnOp): Promise<{ npid: string; pid: number }> {
    if (!isSha256Hex(op.program)) throw new ProcsError('bad_request', 'program must be a SHA-256 in hex');
    if (!(RESTART_POLICIES as readonly string[]).includes(op.restart))
      throw new ProcsError('bad_request', `restart must be one of ${RESTART_POLICIES.join(', ')}`);
    checkSpawnArgs(op.args);
    const elf = this.o.programs.get(op.program);
    if (elf === undefined)
      throw new ProcsError('need_program', `this node does not hold program ${op.program}`);
    const { npid, pid } = this.o.local.spawn({ elf, name: op.name, args: op.args });
    const key = npids.key(npid);
    let value: Uint8Array;
    try {
      value = npids.encode({
        node: this.self,
        state: 'running',
        name: registryName(op.name),
        program: op.program,
        args: op.args,
        restart: op.restart as RestartPolicy,
        checkpointEveryMs: Number(op.checkpointEveryMs),
      });
    } catch (err) {
      this.o.local.discard(npid);
      throw new ProcsError('bad_request', `the record is invalid: ${(err as Error).message}`);
    }
    try {
      const r = await this.o.registry.compareAndSet(key, { modRevision: 0 }, value, { fence: true });
      if (!r.succeeded || r.kv === undefined) {
        this.o.local.discard(npid);
        throw new ProcsError('conflict', `the registry already holds a record for ${npid}`);
      }
      this.o.guard.adopt(npid, r.kv.fence);
    } catch (err) {
      if (err instanceof ProcsError) throw err;
      this.o.local.discard(npid);
      throw new ProcsError('unavailable', `cannot write the registry record: ${(err as Error).message}`);
    }
    this.o.local.start(npid);
    this.o.log.info({ npid, pid, program: op.program, name: op.name }, 'spawned');
    return { npid, pid };
  }

  private async sendProgram(peer: NodeId, sha: string, elf: Uint8Array): Promise<void> {
    const reply = await this.exchange(
      peer,
      PROGRAM_SEND_TIMEOUT_MS,
      (id) => encodeMessage(ProgramBytesSchema, { id, sha256: sha, elf }),
      ProcsType.PROGRAM,
      'bulk',
    );
    this.throwIfError(reply, peer);
  }

  // ---- the cluster-wide table ----

  async listAll(): Promise<ClusterTable> {
    const rows: ClusterRow[] = this.o.local.list().map((p) => ({ ...p, node: formatNodeId(this.self) }));
    const missing: { node: string; why: string }[] = [];
    const members = this.o
      .members()
      .filter((m) => m !== this.self)
      .slice(0, FANOUT_NODES_MAX);
    const answers = await Promise.all(
      members.map((m) =>
        this.request(m, { case: 'list', value: {} }, LIST_TIMEOUT_MS).then(
          (r) => ({ m, r }) as const,
          (e: ProcsError) => ({ m, e }) as const,
        ),
      ),
    );
    for (const a of answers) {
      const node = formatNodeId(a.m);
      if ('e' in a) missing.push({ node, why: a.e.message });
      else if (a.r.errorCode !== '') missing.push({ node, why: a.r.errorMessage });
      else if (a.r.result.case === 'list')
        for (const row of a.r.result.value.rows.slice(0, LIST_ROWS_MAX)) {
          const r = fromRow(row, node);
          if (r !== undefined) rows.push(r);
        }
    }
    rows.sort((x, y) => (x.node < y.node ? -1 : x.node > y.node ? 1 : x.pid - y.pid));
    return { rows, missing };
  }

  // ---- by NPID ----

  /** The registry record of `npid`; ProcsError('no_such_process') when there is none. */
  async lookup(npid: string): Promise<NpidRecord> {
    return (await this.read(npid)).record;
  }

  /** The record with the store revision the read saw (a watch from the next one misses nothing). */
  private async read(npid: string): Promise<{ record: NpidRecord; revision: number }> {
    let key: string;
    try {
      key = npids.key(npid);
    } catch {
      throw new ProcsError('bad_request', `'${npid.slice(0, 40)}' is not an NPID (8 hex digits:number)`);
    }
    let got: Awaited<ReturnType<RegistryClient['get']>>;
    try {
      got = await this.o.registry.get(key);
    } catch (err) {
      throw new ProcsError('unavailable', `cannot read the registry: ${(err as Error).message}`);
    }
    if (got.kv === undefined) throw new ProcsError('no_such_process', `no process ${npid} in the cluster`);
    return { record: npidRecord(got.kv), revision: got.revision };
  }

  /** Sends `signal` to `npid` wherever it runs; returns the node it ran on. */
  async kill(npid: string, signal: number): Promise<NodeId> {
    if (!Number.isInteger(signal) || signal < 1 || signal > 64)
      throw new ProcsError('bad_request', `signal must be 1 to 64, got ${signal}`);
    for (let attempt = 0; ; attempt++) {
      const rec = await this.lookup(npid);
      if (rec.state === 'exited') throw new ProcsError('no_such_process', `process ${npid} has exited`);
      try {
        if (rec.node === this.self) this.killHere(npid, signal);
        else
          this.throwIfError(
            await this.request(rec.node, { case: 'kill', value: { npid, signal } }),
            rec.node,
          );
        return rec.node;
      } catch (err) {
        // The process moved between the lookup and the kill: look again, once.
        if (!(err instanceof ProcsError) || err.code !== 'not_here' || attempt > 0) throw err;
      }
    }
  }

  private killHere(npid: string, signal: number): void {
    if (this.o.guard.held(npid) === undefined)
      throw new ProcsError('not_here', `node ${formatNodeId(this.self)} does not own ${npid}`);
    const r = this.o.local.kill(npid, signal);
    if (r === -3) throw new ProcsError('no_such_process', `process ${npid} is not running`);
    if (r === -22) throw new ProcsError('bad_request', `signal ${signal} is not valid for this kernel`);
    if (r === -1) throw new ProcsError('refused', `process ${npid} cannot be signalled`);
    if (r !== 0) throw new ProcsError('internal', `the kernel returned errno ${-r}`);
  }

  /** Output of `npid` from the given offsets, from its owner's rings. */
  async logs(npid: string, outFrom: number, errFrom: number): Promise<LogChunkView & { node: string }> {
    const rec = await this.lookup(npid);
    const node = formatNodeId(rec.node);
    if (rec.node === this.self) {
      const chunk = this.o.local.logs(npid, outFrom, errFrom);
      if (chunk === undefined)
        throw new ProcsError('no_such_process', `node ${node} keeps no output of ${npid}`);
      return { ...chunk, node };
    }
    const reply = await this.request(rec.node, {
      case: 'logs',
      value: { npid, outFrom: BigInt(outFrom), errFrom: BigInt(errFrom) },
    });
    this.throwIfError(reply, rec.node);
    if (reply.result.case !== 'logs') throw new ProcsError('internal', 'a logs reply without its chunk');
    return { ...fromChunk(reply.result.value), node };
  }

  /**
   * Waits at most `timeoutMs` (capped at WAIT_MAX_MS) for `npid` to exit; resolves to its record
   * (state exited with status, or still running when the time ran out).
   */
  async wait(npid: string, timeoutMs: number): Promise<NpidRecord> {
    const { record: first, revision } = await this.read(npid);
    if (first.state === 'exited' || first.state === 'lost') return first;
    return new Promise((resolve) => {
      let last = first;
      let done = false;
      let handle: { cancel(): void } | undefined;
      const finish = (r: NpidRecord): void => {
        if (done) return;
        done = true;
        timer.cancel();
        handle?.cancel();
        resolve(r);
      };
      const timer = this.o.clock.setTimer(Math.min(Math.max(0, timeoutMs), WAIT_MAX_MS), () => finish(last));
      this.o.registry
        .watch(
          { key: npids.key(npid) },
          {
            onEvent: (e) => {
              if (e.kv === undefined) return finish(last);
              try {
                last = npidRecord(e.kv);
              } catch {
                return;
              }
              if (last.state === 'exited' || last.state === 'lost') finish(last);
            },
            onCancel: () => finish(last),
          },
          { fromRevision: revision + 1 },
        )
        .then(
          (h) => {
            handle = h;
            if (done) h.cancel();
          },
          () => finish(last),
        );
    });
  }

  // ---- requests to other nodes ----

  private peersUp(): NodeId[] {
    return this.o
      .members()
      .filter((m) => m !== this.self && this.o.links.linkState(m) === 'up')
      .slice(0, FANOUT_NODES_MAX);
  }

  private request(
    peer: NodeId,
    op: MessageInitShape<typeof ProcsRequestSchema>['op'],
    timeoutMs = REQUEST_TIMEOUT_MS,
  ): Promise<ProcsReply> {
    return this.exchange(
      peer,
      timeoutMs,
      (id) => encodeMessage(ProcsRequestSchema, { id, op }),
      ProcsType.REQUEST,
      'control',
    );
  }

  private exchange(
    peer: NodeId,
    timeoutMs: number,
    encode: (id: bigint) => Uint8Array,
    type: number,
    lane: 'control' | 'bulk',
  ): Promise<ProcsReply> {
    if (this.stopped) return Promise.reject(new ProcsError('unavailable', 'the node is stopping'));
    if (this.pending.size >= REQUESTS_PENDING_MAX)
      return Promise.reject(new ProcsError('full', 'too many requests to other nodes in flight'));
    if (this.o.links.linkState(peer) !== 'up')
      return Promise.reject(new ProcsError('unavailable', `no live link to node ${formatNodeId(peer)}`));
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = this.o.clock.setTimer(timeoutMs, () => {
        this.pending.delete(id);
        reject(new ProcsError('timeout', `node ${formatNodeId(peer)} did not answer in ${timeoutMs} ms`));
      });
      this.pending.set(id, { peer, resolve, reject, timer });
      const err = this.o.links.send(peer, lane, type, encode(id));
      if (err !== undefined) {
        timer.cancel();
        this.pending.delete(id);
        reject(new ProcsError('unavailable', `cannot send to node ${formatNodeId(peer)}: ${err.message}`));
      }
    });
  }

  private failPeer(peer: NodeId, code: 'unavailable', message: string): void {
    for (const [id, p] of this.pending) {
      if (p.peer !== peer) continue;
      p.timer.cancel();
      this.pending.delete(id);
      p.reject(new ProcsError(code, message));
    }
  }

  private throwIfError(reply: ProcsReply, peer: NodeId): void {
    if (reply.errorCode === '') return;
    const code = isProcsErrorCode(reply.errorCode) ? reply.errorCode : 'internal';
    throw new ProcsError(code, `node ${formatNodeId(peer)}: ${reply.errorMessage.slice(0, 300)}`);
  }

  // ---- serving other nodes ----

  private message(peer: NodeId, type: number, payload: Uint8Array): void {
    if (type === ProcsType.REPLY) {
      const r = decodeOrUndefined(ProcsReplySchema, payload);
      const p = r === undefined ? undefined : this.pending.get(r.id);
      if (r === undefined || p === undefined || p.peer !== peer) return; // late, unknown or forged
      this.pending.delete(r.id);
      p.timer.cancel();
      p.resolve(r);
      return;
    }
    if (type === ProcsType.REQUEST) {
      const req = decodeOrUndefined(ProcsRequestSchema, payload);
      if (req === undefined) return;
      const right = req.op.case === undefined ? undefined : REQUEST_RIGHTS[req.op.case];
      void this.serve(peer, req.id, () => {
        if (right !== undefined) this.authorize(peer, right);
        return this.answer(req);
      });
      return;
    }
    if (type === ProcsType.PROGRAM) {
      const m = decodeOrUndefined(ProgramBytesSchema, payload);
      if (m === undefined) return;
      void this.serve(peer, m.id, async () => {
        this.authorize(peer, 'spawn');
        if (!this.o.programs.put(m.sha256, m.elf))
          throw new ProcsError('bad_request', 'the program bytes do not match their hash or are too large');
        return {};
      });
    }
  }

  /** Throws ProcsError('forbidden') unless `peer` holds `right`. */
  private authorize(peer: NodeId, right: Right): void {
    if (this.o.allowed(peer, right)) return;
    this.o.log.warn({ peer: formatNodeId(peer), right }, 'refused a procs request: the node lacks the right');
    throw new ProcsError('forbidden', `node ${formatNodeId(peer)} does not hold the ${right} right`);
  }

  private async serve(
    peer: NodeId,
    id: bigint,
    run: () => Promise<Partial<Pick<ProcsReply, 'result'>>>,
  ): Promise<void> {
    const reply = (init: Record<string, unknown>): void => {
      this.o.links.send(peer, 'control', ProcsType.REPLY, encodeMessage(ProcsReplySchema, { id, ...init }));
    };
    if (this.serving >= SERVE_IN_FLIGHT_MAX) {
      reply({ errorCode: 'full', errorMessage: 'too many requests in flight' });
      return;
    }
    this.serving++;
    try {
      reply(await run());
    } catch (err) {
      const e =
        err instanceof ProcsError ? err : new ProcsError('internal', (err as Error).message ?? String(err));
      if (e.code === 'internal')
        this.o.log.warn({ peer: formatNodeId(peer), err: e.message }, 'procs request failed');
      reply({ errorCode: e.code, errorMessage: e.message });
    } finally {
      this.serving--;
    }
  }

  private async answer(req: ProcsRequest): Promise<Partial<Pick<ProcsReply, 'result'>>> {
    const op = req.op;
    switch (op.case) {
      case 'spawn': {
        const s = await this.spawnHere(op.value);
        return { result: { case: 'spawned', value: create(SpawnResultSchema, s) } };
      }
      case 'list':
        return {
          result: {
            case: 'list',
            value: create(ProcListSchema, { rows: this.o.local.list().slice(0, LIST_ROWS_MAX).map(toRow) }),
          },
        };
      case 'kill':
        this.killHere(op.value.npid, op.value.signal);
        return { result: { case: 'killed', value: create(KillResultSchema, {}) } };
      case 'logs': {
        const chunk = this.o.local.logs(op.value.npid, Number(op.value.outFrom), Number(op.value.errFrom));
        if (chunk === undefined)
          throw new ProcsError('no_such_process', `no output kept for ${op.value.npid}`);
        return { result: { case: 'logs', value: toChunk(chunk) } };
      }
      case 'stats': {
        const s = this.o.local.stats();
        return {
          result: {
            case: 'stats',
            value: create(NodeStatsSchema, {
              freeBytes: BigInt(s.freeBytes),
              load: s.load,
              processes: s.processes,
            }),
          },
        };
      }
      default:
        throw new ProcsError('bad_request', 'an empty or unknown request');
    }
  }
}

function toChunk(c: LogChunkView): LogChunk {
  return create(LogChunkSchema, {
    outStart: BigInt(c.outStart),
    out: c.out,
    errStart: BigInt(c.errStart),
    err: c.err,
    ended: c.ended,
  });
}

function fromChunk(c: LogChunk): LogChunkView {
  return {
    outStart: Number(c.outStart),
    out: c.out,
    errStart: Number(c.errStart),
    err: c.err,
    ended: c.ended,
  };
}
