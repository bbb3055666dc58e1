// The node lock: `node.lock` in a home holds the OS pid of the process that owns the home. A lock
// whose pid is dead is stale and is taken over; a live one means the home is in use. Taking over
// renames the stale file aside first, so two processes racing for one stale lock cannot both win.
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  fsyncSync,
  linkSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from 'node:fs';

export class LockError extends Error {
  override readonly name = 'LockError';
}

/** True when an OS process with this pid exists (EPERM: it exists but belongs to another user). */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The pid recorded in a lock file; undefined when the file is missing, NaN when unreadable. */
export function readLockPid(path: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
  return /^\d+\n?$/.test(text) ? Number(text.trim()) : Number.NaN;
}

/** Creates the lock file exclusively; false when it already exists. */
function tryCreate(path: string, pid: number): boolean {
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw err;
  }
  try {
    writeSync(fd, `${pid}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return true;
}

export interface HeldLock {
  readonly path: string;
  /** The pid of a previous owner whose stale lock was taken over. */
  readonly tookOverFrom: number | undefined;
  /** Removes the lock if this process still holds it. */
  release(): void;
}

/**
 * Takes the lock at `path` for this process. Throws LockError naming the owner when a live process
 * holds it. A lock file that holds no valid pid is treated as stale (a crash mid-write).
 */
export function acquireLock(path: string, what: string): HeldLock {
  const self = process.pid;
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    if (tryCreate(path, self)) {
      return {
        path,
        tookOverFrom,
        release: () => {
          if (readLockPid(path) === self) unlinkSync(path);
        },
      };
    }
    const owner = readLockPid(path);
    if (owner === undefined) continue; // released between our attempts
    if (owner === self) throw new LockError(`${what} is already held by this process`);
    if (!Number.isNaN(owner) && pidAlive(owner)) {
      throw new LockError(`${what} is in use by process ${owner} (lock ${path})`);
    }
    // Stale: move it aside, then check that what we moved is the stale lock we judged.
    const aside = `${path}.stale-${self}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(path, aside);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw err;
    }
    const moved = readLockPid(aside);
    if (moved !== undefined && !Number.isNaN(moved) && moved !== owner && pidAlive(moved)) {
      // Another process took the stale lock between our read and our rename: give it back.
      try {
        linkSync(aside, path);
      } finally {
        unlinkSync(aside);
      }
      throw new LockError(`${what} is in use by process ${moved} (lock ${path})`);
    }
    unlinkSync(aside);
    tookOverFrom = Number.isNaN(owner) ? undefined : owner;
  }
  throw new LockError(`${what}: could not take ${path} (it keeps changing)`);
}
