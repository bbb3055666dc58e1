// This process's stdout and stderr as outputs that can break: a write error (EPIPE when the reader
// went away, as in `pakaya ps | head`; ENOSPC on /dev/full) is recorded and reported to whoever
// listens, instead of being an uncaught 'error' event that kills the node with a stack trace. Once
// an output is broken nothing more is written to it.

type Fd = 1 | 2;
type Listener = (fd: Fd, code: string) => void;

const brokenCodes = new Map<Fd, string>();
const listeners = new Set<Listener>();
let watching = false;

function streamOf(fd: Fd): NodeJS.WriteStream {
  return fd === 1 ? process.stdout : process.stderr;
}

function markBroken(fd: Fd, err: NodeJS.ErrnoException): void {
  if (brokenCodes.has(fd)) return;
  const code = err.code ?? err.message;
  brokenCodes.set(fd, code);
  for (const listener of [...listeners]) listener(fd, code);
}

/** Installs the error listeners on stdout and stderr (idempotent). Call before writing to either. */
export function watchStdOutput(): void {
  if (watching) return;
  watching = true;
  for (const fd of [1, 2] as const) {
    streamOf(fd).on('error', (err: NodeJS.ErrnoException) => markBroken(fd, err));
  }
}

/** The error code that broke fd 1 or 2 (e.g. 'EPIPE'), or undefined while it works. */
export function outputBroken(fd: Fd): string | undefined {
  return brokenCodes.get(fd);
}

/** Calls `listener` once per output that breaks from now on; returns a function removing it. */
export function onOutputBroken(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

/** Writes to stdout or stderr unless it is broken; returns false when the caller should wait for 'drain'. */
export function writeOutput(fd: Fd, data: Uint8Array | string): boolean {
  watchStdOutput();
  if (brokenCodes.has(fd)) return true;
  const stream = streamOf(fd);
  if (stream.destroyed || stream.writableEnded) {
    markBroken(fd, Object.assign(new Error('stream closed'), { code: 'EPIPE' }));
    return true;
  }
  return stream.write(data);
}

/** Resolves when fd's pending output has drained, or at once when it is broken. */
export function outputDrained(fd: Fd): Promise<void> {
  const stream = streamOf(fd);
  if (brokenCodes.has(fd) || !stream.writableNeedDrain || stream.destroyed) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      stream.off('drain', done);
      stream.off('close', done);
      stopListening();
      resolve();
    };
    const stopListening = onOutputBroken((broken) => {
      if (broken === fd) done();
    });
    stream.once('drain', done);
    stream.once('close', done);
  });
}
