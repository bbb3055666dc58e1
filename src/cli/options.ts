// Parsers for CLI option values: every flag is checked and a bad value names the flag and the problem.
import { InvalidArgumentError, Option } from 'commander';
import { parseSignal } from '../node/signal-names.js';

/** A non-negative integer that may use `_`, `k`, `M` or `G` (e.g. 50M). */
export function parseCount(value: string): number {
  const match = /^(\d[\d_]*)([kMG]?)$/.exec(value.trim());
  if (!match)
    throw new InvalidArgumentError(`expected a whole number such as 1000000 or 50M, got '${value}'`);
  const scale = { '': 1, k: 1e3, M: 1e6, G: 1e9 }[match[2] as '' | 'k' | 'M' | 'G'];
  const n = Number((match[1] ?? '').replaceAll('_', '')) * scale;
  if (!Number.isSafeInteger(n)) throw new InvalidArgumentError(`'${value}' is too large`);
  return n;
}

/** A memory size in MiB, converted to bytes; between 1 MiB and 2048 MiB. */
export function parseMemoryMiB(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 2048) {
    throw new InvalidArgumentError(`expected a whole number of MiB between 1 and 2048, got '${value}'`);
  }
  return n * 1024 * 1024;
}

/** A process id: a positive whole number below 2^31. */
export function parsePid(value: string): number {
  if (!/^[1-9]\d{0,9}$/.test(value) || Number(value) >= 2 ** 31) {
    throw new InvalidArgumentError(`expected a process id (a positive whole number), got '${value}'`);
  }
  return Number(value);
}

/** An NPID: 8 hex digits (the node it was born on), a colon, the local id. */
export function parseNpidArgument(value: string): string {
  const m = /^([0-9a-fA-F]{8}):([1-9]\d{0,9})$/.exec(value);
  if (!m || Number(m[2]) >= 2 ** 31)
    throw new InvalidArgumentError(
      `expected an NPID (8 hex digits, a colon, a number, e.g. 0a1b2c3d:7), got '${value}'`,
    );
  return `${m[1]!.toLowerCase()}:${m[2]}`;
}

/** A local process id, or an NPID (which contains a colon). */
export function parsePidOrNpid(value: string): number | string {
  return value.includes(':') ? parseNpidArgument(value) : parsePid(value);
}

/** A signal: a name with or without SIG (TERM, SIGKILL, stop) or a number 1..64. */
export function parseSignalOption(value: string): number {
  const signal = parseSignal(value);
  if (signal === undefined) {
    throw new InvalidArgumentError(
      `unknown signal '${value}' (expected a name such as TERM, KILL, STOP, CONT, INT or a number 1-64)`,
    );
  }
  return signal;
}

/** `--home <dir>`: the node home a command talks to (default $PAKAYA_HOME, else ~/.pakaya/node). */
export function homeOption(): Option {
  return new Option('--home <dir>', 'node home directory (default: $PAKAYA_HOME, else ~/.pakaya/node)');
}

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** A duration such as 500ms, 30s, 10m, 1h or 2d, in milliseconds, between 1 ms and `maxMs`. */
export function parseDuration(value: string, maxMs: number): number {
  const match = /^(\d{1,15})(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) {
    throw new InvalidArgumentError(`expected a duration such as 500ms, 30s, 10m or 1h, got '${value}'`);
  }
  const ms = Number(match[1]) * DURATION_UNITS_MS[match[2] as keyof typeof DURATION_UNITS_MS];
  if (ms < 1 || ms > maxMs) {
    throw new InvalidArgumentError(`'${value}' is out of range (1ms to ${maxMs / 86_400_000}d)`);
  }
  return ms;
}

/** `HOST:PORT` (IPv6 in brackets); port 0..65535. */
export function parseAddress(value: string): { host: string; port: number } {
  const m = /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(value.trim());
  const port = Number(m?.[2]);
  if (!m || port > 65535)
    throw new InvalidArgumentError(`expected HOST:PORT such as 127.0.0.1:7100, got '${value}'`);
  return { host: (m[1] as string).replace(/^\[(.*)\]$/, '$1'), port };
}

/** `HOST:PORT[,HOST:PORT...]`: seed addresses, as strings. */
export function parseSeeds(value: string): string[] {
  return value.split(',').map((part) => {
    const { port } = parseAddress(part);
    if (port === 0) throw new InvalidArgumentError(`a seed needs a real port, got '${part}'`);
    return part.trim();
  });
}

/** A node id as NPIDs print it: 8 hex digits (lower-cased). */
export function nodeIdText(value: string): string {
  if (!/^[0-9a-fA-F]{8}$/.test(value))
    throw new InvalidArgumentError(`expected a node id (8 hex digits), got '${value}'`);
  return value.toLowerCase();
}
