// `pakaya net ping|trace|decode`: round trips over a node link (POST /v1/net/ping), every frame on
// every link as it happens (GET /v1/net/trace, streamed) optionally saved as a capture file, and
// printing a capture (docs/protocol.md, "Capture files").
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { request } from 'node:http';
import { AdminClient, AdminError, NodeNotRunningError } from '../node/admin-client.js';
import { resolveHome } from '../node/home.js';
import { CAPTURE_FILE_MAX } from '../node/limits.js';
import { type AdminOptions, adminClient } from './admin.js';
import { UsageError, writeAll } from './io.js';

/** The first line of a capture file: magic and format version. */
export const CAPTURE_MAGIC = 'PAKAYA-NET-CAPTURE';
export const CAPTURE_VERSION = 1;
const CAPTURE_HEADER = `${CAPTURE_MAGIC} ${CAPTURE_VERSION}`;
/** Longest line a capture may hold. */
const CAPTURE_LINE_MAX = 4096;

export interface PingResult {
  node: string;
  count: number;
  size: number;
  min_us: number;
  median_us: number;
  p99_us: number;
  max_us: number;
}

export async function netPingCommand(
  node: string,
  options: AdminOptions & { count: number; size: number; json: boolean },
): Promise<number> {
  const r = await adminClient(options).call<PingResult>('POST', '/v1/net/ping', {
    node,
    count: options.count,
    size: options.size,
  });
  await writeAll(
    process.stdout,
    options.json
      ? `${JSON.stringify(r, null, 2)}\n`
      : `${r.count} round trips of ${r.size} bytes to ${r.node}: min ${r.min_us} µs, median ${r.median_us} µs, p99 ${r.p99_us} µs, max ${r.max_us} µs\n`,
  );
  return 0;
}

interface TraceLine {
  time: number;
  peer: string;
  direction: string;
  type: string;
  lane: string;
  app_type: number;
  size: number;
}

function formatTraceLine(e: TraceLine): string {
  const t = new Date(e.time).toISOString();
  const arrow = e.direction === 'in' ? '<-' : '->';
  const app = e.type === 'app' ? `/${e.app_type}` : '';
  return `${t} ${arrow} ${e.peer} ${e.lane.padEnd(7)} ${`${e.type}${app}`.padEnd(12)} ${e.size}\n`;
}

/** Streams frames until SIGINT/SIGTERM (or the node stops); with --out, also writes a capture. */
export async function netTraceCommand(options: { home?: string; out?: string }): Promise<number> {
  const client = new AdminClient(resolveHome(options.home));
  let out: WriteStream | undefined;
  if (options.out !== undefined) {
    out = createWriteStream(options.out, { flags: 'w', mode: 0o600 });
    out.write(`${CAPTURE_HEADER}\n`);
  }
  const frames = await new Promise<number>((resolve, reject) => {
    let count = 0;
    const req = request({ socketPath: client.socketPath, method: 'GET', path: '/v1/net/trace' }, (res) => {
      if (res.statusCode !== 200) {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          let message = `HTTP ${res.statusCode}`;
          try {
            message = JSON.parse(Buffer.concat(chunks).toString('utf8')).error.message;
          } catch {}
          reject(new AdminError(res.statusCode ?? 0, 'trace', message));
        });
        return;
      }
      let rest = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        rest += chunk;
        let i = rest.indexOf('\n');
        while (i >= 0) {
          const line = rest.slice(0, i);
          rest = rest.slice(i + 1);
          i = rest.indexOf('\n');
          try {
            const e = JSON.parse(line) as TraceLine | { dropped: number };
            if ('dropped' in e)
              process.stdout.write(`(${e.dropped} frames dropped: the reader was too slow)\n`);
            else {
              count++;
              process.stdout.write(formatTraceLine(e));
            }
          } catch {
            continue;
          }
          out?.write(`${line}\n`);
        }
      });
      res.on('end', () => resolve(count));
      res.on('error', () => resolve(count));
    });
    req.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT' || err.code === 'ECONNREFUSED')
        reject(new NodeNotRunningError(`no node is running at ${client.home}`));
      else reject(err);
    });
    const stop = (): void => {
      req.destroy();
      resolve(count);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    req.end();
  });
  if (out) await new Promise<void>((r) => out?.end(() => r()));
  process.stderr.write(`${frames} frames${options.out ? ` saved to ${options.out}` : ''}\n`);
  return 0;
}

const FIELDS: [keyof TraceLine, 'number' | 'string'][] = [
  ['time', 'number'],
  ['peer', 'string'],
  ['direction', 'string'],
  ['type', 'string'],
  ['lane', 'string'],
  ['app_type', 'number'],
  ['size', 'number'],
];

/** Prints a capture file written by `net trace --out`; a bad file is one line and exit 1. */
export async function netDecodeCommand(file: string): Promise<number> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    handle = await open(file, 'r');
  } catch (err) {
    throw new UsageError(
      `cannot read '${file}': ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`,
    );
  }
  let text: string;
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new CaptureError(`${file} is not a regular file`);
    if (st.size > CAPTURE_FILE_MAX)
      throw new CaptureError(`${file} is larger than ${CAPTURE_FILE_MAX} bytes`);
    text = (await handle.readFile()).toString('utf8');
  } finally {
    await handle.close();
  }
  const lines = text.split('\n');
  if (lines[0] !== CAPTURE_HEADER) {
    const seen = (lines[0] ?? '').slice(0, 40);
    throw new CaptureError(
      seen.startsWith(CAPTURE_MAGIC)
        ? `${file}: capture version '${seen.slice(CAPTURE_MAGIC.length + 1)}' is not supported (expected ${CAPTURE_VERSION})`
        : `${file} is not a pakaya net capture (no '${CAPTURE_HEADER}' header)`,
    );
  }
  let out = '';
  for (let n = 1; n < lines.length; n++) {
    const line = lines[n] as string;
    if (line === '' && n === lines.length - 1) break;
    if (line.length > CAPTURE_LINE_MAX) throw new CaptureError(`${file}:${n + 1}: line too long`);
    let e: Record<string, unknown>;
    try {
      e = JSON.parse(line) as Record<string, unknown>;
    } catch {
      throw new CaptureError(`${file}:${n + 1}: not a JSON frame record`);
    }
    if (typeof e !== 'object' || e === null || FIELDS.some(([k, t]) => typeof e[k] !== t))
      throw new CaptureError(`${file}:${n + 1}: a frame record needs ${FIELDS.map(([k]) => k).join(', ')}`);
    out += formatTraceLine(e as unknown as TraceLine);
  }
  await writeAll(process.stdout, out);
  return 0;
}

export class CaptureError extends Error {
  override readonly name = 'CaptureError';
}
