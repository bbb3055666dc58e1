// The node's structured log: pino, one JSON object per line, appended to node.log in the home.
// Writes are synchronous — the log is low-volume (lifecycle and admin requests) and must be complete
// when a one-shot home is removed or the node exits.
import { type Logger, pino } from 'pino';

export type { Logger };

export interface NodeLog {
  readonly log: Logger;
  /** Flushes and closes the file. */
  close(): void;
}

/** A logger appending to `path`, with the node id on every line. */
export function openNodeLog(path: string, nodeId: string): NodeLog {
  const destination = pino.destination({ dest: path, sync: true, mkdir: false, mode: 0o600 });
  const log = pino({ base: { node: nodeId, pid: process.pid } }, destination);
  return {
    log,
    close: () => {
      destination.flushSync();
      destination.end();
    },
  };
}

/** A logger that writes nothing (tests). */
export function silentLog(): Logger {
  return pino({ enabled: false });
}
