// `pakaya migrate --home H NPID NODE [--mode precopy|postcopy] [--json]`: live migration of a process
// to another node, from any node of the cluster (the node at --home asks the owner). On a terminal a
// progress bar (round, bytes sent, dirty rate, estimate) runs on stderr; at the end a summary (total
// time, freeze time, bytes, rounds) goes to stdout, or the summary as JSON with --json.
import { request } from 'node:http';
import { AdminError, NodeNotRunningError } from '../node/admin-client.js';
import { homePaths, resolveHome } from '../node/home.js';
import { writeAll } from './io.js';

interface Progress {
  phase: string;
  round: number;
  bytes_sent: number;
  pages_left: number;
  dirty_rate: number;
  estimate_ms: number;
}

interface Summary {
  npid: string;
  from: string;
  to: string;
  mode: string;
  members: string[];
  total_ms: number;
  freeze_ms: number;
  bytes: number;
  rounds: number;
  pages: number;
  faults: number;
}

/** Longest the command waits without a line from the node (a migration reports often). */
const SILENCE_MS = 120_000;
const BAR_WIDTH = 24;
/** Bytes sent before the rate (and so the estimate) means anything. */
const ESTIMATE_MIN_BYTES = 256 * 1024;

export function mib(bytes: number): string {
  return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
}

/** One progress bar line (no newline). */
export function progressLine(p: Progress): string {
  const done =
    p.estimate_ms < 0
      ? 0
      : p.pages_left === 0
        ? 1
        : Math.min(0.99, 1 - p.pages_left / (p.pages_left + p.bytes_sent / 4096));
  const filled = Math.round(done * BAR_WIDTH);
  const bar = `[${'#'.repeat(filled)}${'.'.repeat(BAR_WIDTH - filled)}]`;
  const eta =
    p.estimate_ms < 0 || (p.bytes_sent < ESTIMATE_MIN_BYTES && p.pages_left > 0)
      ? '?'
      : `${(p.estimate_ms / 1000).toFixed(1)} s`;
  const stage = p.phase === 'round' ? `round ${p.round}` : `${p.phase}, round ${p.round}`;
  return `${bar} ${stage}  ${mib(p.bytes_sent)} sent  dirty ${mib(p.dirty_rate)}/s  eta ${eta}`;
}

export function summaryText(s: Summary): string {
  return [
    `migrated ${s.npid} from ${s.from} to ${s.to} (${s.mode}${s.members.length > 1 ? `, ${s.members.length} processes` : ''})`,
    `total   ${s.total_ms.toFixed(1)} ms`,
    `freeze  ${s.freeze_ms.toFixed(1)} ms`,
    `bytes   ${s.bytes} (${mib(s.bytes)})`,
    `rounds  ${s.rounds}`,
    `pages   ${s.pages}${s.mode === 'postcopy' ? ` (${s.faults} fetched on fault)` : ''}`,
    '',
  ].join('\n');
}

export async function migrateCommand(
  npid: string,
  node: string,
  options: { home?: string; mode: 'precopy' | 'postcopy'; json: boolean },
): Promise<number> {
  const home = resolveHome(options.home);
  const tty = process.stderr.isTTY === true && !options.json;
  let last: Record<string, unknown> | undefined;
  await new Promise<void>((resolve, reject) => {
    const req = request(
      {
        socketPath: homePaths(home).socket,
        method: 'POST',
        path: `/v1/processes/${encodeURIComponent(npid)}/migrate?stream=1`,
        headers: { 'Content-Type': 'application/json' },
        timeout: SILENCE_MS,
      },
      (res) => {
        let pending = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          pending += chunk;
          for (let nl = pending.indexOf('\n'); nl >= 0; nl = pending.indexOf('\n')) {
            const text = pending.slice(0, nl);
            pending = pending.slice(nl + 1);
            if (text.trim() === '') continue;
            let line: Record<string, unknown>;
            try {
              line = JSON.parse(text) as Record<string, unknown>;
            } catch {
              continue;
            }
            if (line.progress !== undefined) {
              if (tty) process.stderr.write(`\r${progressLine(line.progress as Progress)}\x1b[K`);
            } else last = line;
          }
        });
        res.on('end', () => {
          if (tty) process.stderr.write('\r\x1b[K');
          if (last === undefined && pending.trim() !== '') {
            try {
              last = JSON.parse(pending) as Record<string, unknown>;
            } catch {
              // reported below
            }
          }
          resolve();
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () =>
      req.destroy(new Error(`the node at ${home} sent nothing for ${SILENCE_MS / 1000} s`)),
    );
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
        reject(new NodeNotRunningError(`no node is running at ${home}; start one with 'pakaya node start'`));
      else reject(err);
    });
    req.end(JSON.stringify({ node, mode: options.mode }));
  });
  const answer = last as
    | { summary?: Summary; status?: number; error?: { code?: string; message?: string } }
    | undefined;
  if (answer?.summary === undefined) {
    const error = answer?.error;
    throw new AdminError(
      answer?.status ?? 500,
      error?.code ?? 'bad_answer',
      error?.message ?? 'the node sent no summary',
    );
  }
  await writeAll(
    process.stdout,
    options.json ? `${JSON.stringify(answer.summary)}\n` : summaryText(answer.summary),
  );
  return 0;
}
