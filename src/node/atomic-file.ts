// Atomic file replacement: write a temporary file in the same directory, fsync it, rename it over
// the target, fsync the directory. A reader sees the old file or the new one, never a mix, and a
// write that fails leaves the old file untouched. Used for node.json, the NPID counter and
// checkpoint images.
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { open, opendir, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** The steps of an atomic write, in order. */
export type AtomicStep = 'open' | 'write' | 'fsync' | 'rename' | 'fsync-dir';

export interface AtomicWriteOptions {
  /** File mode of the new file (default 0o600: node files and images are the owner's alone). */
  mode?: number;
  /** Fault injection for tests: called before each step; throwing there fails the write at that step. */
  fault?: (step: AtomicStep) => void;
}

function tempPathFor(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
}

/** fsyncs a directory so a rename in it is durable; platforms that cannot do this are skipped. */
function fsyncDirSync(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EISDIR' && code !== 'EPERM') throw err;
  } finally {
    closeSync(fd);
  }
}

/** Replaces `path` with `data` atomically and durably, blocking. For small files (ids, counters). */
export function writeFileAtomicSync(
  path: string,
  data: Uint8Array | string,
  options: AtomicWriteOptions = {},
): void {
  const fault = options.fault ?? (() => {});
  const temp = tempPathFor(path);
  fault('open');
  const fd = openSync(temp, 'wx', options.mode ?? 0o600);
  let renamed = false;
  try {
    try {
      fault('write');
      const bytes = typeof data === 'string' ? Buffer.from(data) : data;
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
      fault('fsync');
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    fault('rename');
    renameSync(temp, path);
    renamed = true;
    fault('fsync-dir');
    fsyncDirSync(dirname(path));
  } finally {
    if (!renamed) {
      try {
        unlinkSync(temp);
      } catch {
        // already gone
      }
    }
  }
}

/** Replaces `path` with `data` atomically and durably without blocking the event loop (images). */
export async function writeFileAtomic(
  path: string,
  data: Uint8Array,
  options: AtomicWriteOptions = {},
): Promise<void> {
  const fault = options.fault ?? (() => {});
  const temp = tempPathFor(path);
  fault('open');
  const handle = await open(temp, 'wx', options.mode ?? 0o600);
  let renamed = false;
  try {
    try {
      fault('write');
      await handle.writeFile(data);
      fault('fsync');
      await handle.sync();
    } finally {
      await handle.close();
    }
    fault('rename');
    await rename(temp, path);
    renamed = true;
    fault('fsync-dir');
    fsyncDirSync(dirname(path));
  } finally {
    if (!renamed) await unlink(temp).catch(() => {});
  }
}

/** Directory entries looked at when sweeping for stale temporary files. */
const SWEEP_ENTRIES_MAX = 10_000;

/**
 * Removes temporary files that an atomic write of `path` left behind when its process was killed
 * mid-write (`.<name>.tmp-<pid>-<hex>` whose pid is dead). Best effort: errors are ignored.
 */
export async function sweepStaleTemps(path: string, alive: (pid: number) => boolean): Promise<number> {
  const prefix = `.${basename(path)}.tmp-`;
  let removed = 0;
  let dir: Awaited<ReturnType<typeof opendir>>;
  try {
    dir = await opendir(dirname(path));
  } catch {
    return 0;
  }
  try {
    let seen = 0;
    for await (const entry of dir) {
      if (++seen > SWEEP_ENTRIES_MAX) break;
      if (!entry.name.startsWith(prefix) || !entry.isFile()) continue;
      const match = /^(\d+)-[0-9a-f]{8}$/.exec(entry.name.slice(prefix.length));
      if (match === null) continue;
      const pid = Number(match[1]);
      if (pid === process.pid || alive(pid)) continue;
      await unlink(join(dirname(path), entry.name)).then(
        () => removed++,
        () => {},
      );
    }
  } catch {
    // best effort
  }
  return removed;
}
