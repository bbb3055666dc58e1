// Host I/O helpers for CLI commands: reading input files with clear errors and a size bound,
// and writing to stdout/stderr so that pending output is flushed before the process exits (a
// broken output is an OutputError, never an uncaught stream error).
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { PROGRAM_FILE_MAX } from '../node/limits.js';
import { outputBroken, watchStdOutput } from '../node/std-output.js';

export class UsageError extends Error {}

/** Our own output could not be written: EPIPE (the reader went away), ENOSPC, EIO... */
export class OutputError extends Error {
  override readonly name = 'OutputError';
  constructor(readonly code: string) {
    super(code === 'EPIPE' ? 'output closed' : `cannot write output: ${code}`);
  }
}

/**
 * Reads a whole regular file of at most `max` bytes, turning host errors into a one-line message
 * naming the file. Devices, FIFOs and directories are refused before anything is read (the open
 * is non-blocking, so a FIFO with no writer cannot hang it).
 */
export async function readInputFile(path: string, max = PROGRAM_FILE_MAX): Promise<Uint8Array> {
  let handle: Awaited<ReturnType<typeof open>> | undefined;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    const info = await handle.stat();
    if (info.isDirectory()) throw new UsageError(`cannot read '${path}': is a directory`);
    if (!info.isFile()) throw new UsageError(`cannot read '${path}': not a regular file`);
    if (info.size > max) throw new UsageError(`cannot read '${path}': larger than ${max} bytes`);
    const bytes = new Uint8Array(info.size);
    let done = 0;
    while (done < bytes.length) {
      const { bytesRead } = await handle.read(bytes, done, bytes.length - done, done);
      if (bytesRead === 0) break;
      done += bytesRead;
    }
    return done === bytes.length ? bytes : bytes.slice(0, done);
  } catch (err) {
    if (err instanceof UsageError) throw err;
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'is a directory'
          : code === 'EACCES'
            ? 'permission denied'
            : String((err as Error).message);
    throw new UsageError(`cannot read '${path}': ${why}`);
  } finally {
    await handle?.close();
  }
}

/** Writes to stdout or stderr and resolves once the data is handed to the OS; rejects with OutputError. */
export function writeAll(stream: NodeJS.WriteStream, data: Uint8Array | string): Promise<void> {
  watchStdOutput();
  const fd = stream === process.stderr ? 2 : 1;
  const broken = outputBroken(fd);
  if (broken !== undefined || stream.destroyed) return Promise.reject(new OutputError(broken ?? 'EPIPE'));
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => {
      if (err) reject(new OutputError((err as NodeJS.ErrnoException).code ?? err.message));
      else resolve();
    });
  });
}
