// Process commands that act across the cluster, through the node at --home (or --admin): `spawn` (on a named
// node or where placement puts it; prints the NPID last), `logs NPID [--follow]`, `wait NPID` (exits
// with the process's status), `kill NPID` and `ps --all` (every node's rows, silent nodes named on
// stderr). The node finds each NPID's owner in the registry.
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { PROGRAM_MAX_BYTES } from '../cluster/procs/limits.js';
import { printable } from '../node/printable.js';
import { type AdminOptions, adminClient } from './admin.js';
import { readInputFile, writeAll } from './io.js';
import { type ClusterRowView, formatClusterTable } from './ps.js';

/** Pause between two polls of `logs --follow`, in milliseconds. */
export const LOGS_FOLLOW_POLL_MS = 200;
/** The longest wait one request asks the node for (the node caps it too), in milliseconds. */
const WAIT_SLICE_MS = 10_000;

export interface SpawnOptions extends AdminOptions {
  restart: 'no' | 'on-failure' | 'always';
  checkpointEvery?: number;
}

export async function spawnCommand(program: string, args: string[], options: SpawnOptions): Promise<number> {
  const elf = await readInputFile(program, PROGRAM_MAX_BYTES);
  const client = adminClient({ ...options, node: undefined });
  const name =
    basename(program)
      .replace(/\.elf$/, '')
      .replace(/[^A-Za-z0-9._-]/g, '_')
      .slice(0, 64) || 'program';
  const r = await client.call<{ npid: string; node: string; pid: number }>('POST', '/v1/spawn', {
    program: Buffer.from(elf).toString('base64'),
    name,
    args,
    restart: options.restart,
    ...(options.node === undefined ? {} : { node: options.node }),
    ...(options.checkpointEvery === undefined ? {} : { checkpointEveryMs: options.checkpointEvery }),
  });
  await writeAll(process.stderr, `spawned ${name} on node ${r.node}\n`);
  await writeAll(process.stdout, `${r.npid}\n`);
  return 0;
}

interface LogAnswer {
  node: string;
  outStart: number;
  out: string;
  errStart: number;
  err: string;
  ended: boolean;
}

export async function logsCommand(
  npid: string,
  options: AdminOptions & { follow: boolean },
): Promise<number> {
  const client = adminClient(options);
  let out = 0;
  let err = 0;
  for (;;) {
    const a = await client.call<LogAnswer>('POST', `/v1/npids/${npid}/logs`, { out, err });
    const o = Buffer.from(a.out, 'base64');
    const e = Buffer.from(a.err, 'base64');
    if (a.outStart > out || a.errStart > err)
      await writeAll(
        process.stderr,
        `pakaya: earlier output of ${npid} was dropped (the node keeps the last part)\n`,
      );
    if (o.length > 0) await writeAll(process.stdout, o);
    if (e.length > 0) await writeAll(process.stderr, e);
    out = a.outStart + o.length;
    err = a.errStart + e.length;
    if (o.length > 0 || e.length > 0) continue; // more may be waiting beyond one chunk
    if (!options.follow || a.ended) return 0;
    await sleep(LOGS_FOLLOW_POLL_MS);
  }
}

interface RecordAnswer {
  npid: string;
  node: string;
  state: string;
  status?: number;
}

export async function waitCommand(npid: string, options: AdminOptions): Promise<number> {
  const client = adminClient(options);
  for (;;) {
    const r = await client.call<RecordAnswer>('POST', `/v1/npids/${npid}/wait`, { timeoutMs: WAIT_SLICE_MS });
    if (r.state === 'exited') {
      await writeAll(process.stderr, `${npid} exited with status ${r.status ?? 0} on node ${r.node}\n`);
      return r.status ?? 0;
    }
    if (r.state === 'lost') {
      await writeAll(process.stderr, `pakaya: ${npid} was lost with node ${r.node}\n`);
      return 1;
    }
  }
}

export async function killNpidCommand(
  npid: string,
  options: AdminOptions & { signal: number },
): Promise<number> {
  await adminClient(options).call('POST', `/v1/npids/${npid}/kill`, {
    signal: options.signal,
  });
  return 0;
}

export async function psAllCommand(options: AdminOptions & { json: boolean }): Promise<number> {
  const t = await adminClient(options).call<{
    processes: ClusterRowView[];
    missing: { node: string; why: string }[];
  }>('GET', '/v1/cluster/processes');
  for (const m of t.missing)
    await writeAll(
      process.stderr,
      `pakaya: warning: node ${m.node} did not answer (${printable(m.why)}); its processes are not listed\n`,
    );
  await writeAll(
    process.stdout,
    options.json ? `${JSON.stringify(t.processes, null, 2)}\n` : formatClusterTable(t.processes),
  );
  return 0;
}
