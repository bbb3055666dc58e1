// Host I/O helpers for CLI commands: reading input files with clear errors, and writing to
// stdout/stderr so that pending output is flushed before the process exits.
import { readFile } from 'node:fs/promises';

export class UsageError extends Error {}

/** Reads a whole file, turning host errors into a one-line message naming the file. */
export async function readInputFile(path: string): Promise<Uint8Array> {
  try {
    return new Uint8Array(await readFile(path));
  } catch (err) {
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
  }
}

/** Writes to a stream and resolves once the data is handed to the OS. */
export function writeAll(stream: NodeJS.WritableStream, data: Uint8Array | string): Promise<void> {
  return new Promise((resolve, reject) => {
    stream.write(data, (err) => (err ? reject(err) : resolve()));
  });
}
