// A node's home: the data directory one node owns (DESIGN.md §8). It holds node.json (the node's id
// and name), npid.json (the NPID counter), node.lock (the owner's OS pid), admin.sock (the admin
// API) and node.log. The default home is $PAKAYA_HOME, else ~/.pakaya/node. One-shot homes (for
// `pakaya run` and `pakaya demo`) are in oneshot-home.ts.
import { randomInt } from 'node:crypto';
import { lstatSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { writeFileAtomicSync } from './atomic-file.js';
import { acquireLock, type HeldLock } from './lock.js';
import { NpidCounter } from './npid-counter.js';

export const NODE_FILE = 'node.json';
export const COUNTER_FILE = 'npid.json';
export const LOCK_FILE = 'node.lock';
export const SOCKET_FILE = 'admin.sock';
export const LOG_FILE = 'node.log';

/** What node.json records. */
export interface NodeIdentity {
  version: 1;
  /** A random nonzero unsigned 32-bit integer, fixed for the life of the home. */
  id: number;
  name: string;
  /** ISO 8601 time the home was created. */
  created: string;
  /** True for the throw-away home of a `pakaya run` or `pakaya demo`. */
  oneshot: boolean;
}

export class HomeError extends Error {
  override readonly name = 'HomeError';
}

/** The home a command uses: --home, else $PAKAYA_HOME, else ~/.pakaya/node. Always absolute. */
export function resolveHome(option: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  if (option !== undefined) return resolve(option);
  const fromEnv = env.PAKAYA_HOME;
  if (fromEnv !== undefined && fromEnv !== '') return resolve(fromEnv);
  return join(homedir(), '.pakaya', 'node');
}

export const homePaths = (dir: string) => ({
  node: join(dir, NODE_FILE),
  counter: join(dir, COUNTER_FILE),
  lock: join(dir, LOCK_FILE),
  socket: join(dir, SOCKET_FILE),
  log: join(dir, LOG_FILE),
});

/** Files that may be in a directory that has no node.json yet (a crash during creation). */
const CREATION_LEFTOVERS = /^(node\.lock(\.stale-.*)?|npid\.json|admin\.sock|node\.log|\..*\.tmp-.*)$/;

/** A new random node id: nonzero, unsigned 32-bit. */
export function newNodeId(): number {
  return randomInt(1, 2 ** 32);
}

function parseIdentity(path: string, text: string): NodeIdentity {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HomeError(`${path} is not valid JSON`);
  }
  const value = raw as Partial<Record<keyof NodeIdentity, unknown>> | null;
  const id = value?.id;
  if (typeof id !== 'number' || !Number.isInteger(id) || id < 1 || id >= 2 ** 32) {
    throw new HomeError(`${path}: id must be an integer between 1 and 2^32-1`);
  }
  if (typeof value?.name !== 'string' || typeof value.created !== 'string') {
    throw new HomeError(`${path}: name and created must be strings`);
  }
  return { version: 1, id, name: value.name, created: value.created, oneshot: value.oneshot === true };
}

function readOrCreateIdentity(dir: string, oneshot: boolean, id: number | undefined): NodeIdentity {
  const path = join(dir, NODE_FILE);
  try {
    return parseIdentity(path, readFileSync(path, 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const strangers = readdirSync(dir).filter((name) => !CREATION_LEFTOVERS.test(name));
  if (strangers.length > 0) {
    throw new HomeError(
      `${dir} is not a pakaya node home (no ${NODE_FILE}) and is not empty (${strangers.slice(0, 3).join(', ')}); choose another --home`,
    );
  }
  const identity: NodeIdentity = {
    version: 1,
    id: id ?? newNodeId(),
    name: hostname(),
    created: new Date().toISOString(),
    oneshot,
  };
  writeFileAtomicSync(path, `${JSON.stringify(identity, null, 2)}\n`, { mode: 0o644 });
  return identity;
}

/** An open home: locked by this process until close(). */
export interface NodeHome {
  readonly dir: string;
  readonly identity: NodeIdentity;
  readonly pids: NpidCounter;
  readonly paths: ReturnType<typeof homePaths>;
  /** Releases the lock. The caller closes the admin socket first. */
  close(): void;
}

/** The user the node runs as (tests pass another to check the refusal). */
export const currentUid = (): number => process.getuid?.() ?? -1;

/**
 * Refuses a directory that another user could tamper with, as ssh refuses such keys: `dir` (and,
 * when it is a symlink, what it points to) must be owned by `uid` and not writable by group or
 * others. Such a user could swap admin.sock for a fake server, delete the lock or reset the NPID
 * counter. Throws HomeError naming the fix.
 */
export function checkPrivateDir(dir: string, what: string, uid = currentUid()): void {
  for (const info of [lstatSync(dir), statSync(dir)]) {
    if (info.isSymbolicLink()) continue;
    if (!info.isDirectory()) throw new HomeError(`${what} ${dir} is not a directory`);
    if (uid >= 0 && info.uid !== uid) {
      throw new HomeError(
        `${what} ${dir} is owned by uid ${info.uid}, not by this user (uid ${uid}); refusing to use it: choose another --home, or remove it so it is created anew`,
      );
    }
    if ((info.mode & 0o022) !== 0) {
      throw new HomeError(
        `${what} ${dir} is writable by ${info.mode & 0o002 ? 'others' : 'its group'} (mode ${(info.mode & 0o777).toString(8)}); refusing to use it: run 'chmod go-w ${dir}' (0700 is best)`,
      );
    }
  }
}

export interface OpenHomeOptions {
  /** The uid that must own the home (default: this process's). */
  uid?: number;
  /** Marks a newly created home as one-shot. */
  oneshot?: boolean;
  /** The id for a newly created home (one-shot homes are named after their id). */
  id?: number;
}

/** Opens (creating if needed) the home at `dir` and takes its lock. Throws HomeError or LockError. */
export function openHome(dir: string, options: OpenHomeOptions = {}): NodeHome {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HomeError(`cannot create node home ${dir}: ${(err as NodeJS.ErrnoException).code ?? err}`);
  }
  if (!statSync(dir).isDirectory()) throw new HomeError(`node home ${dir} is not a directory`);
  checkPrivateDir(dir, 'node home', options.uid);
  const paths = homePaths(dir);
  const lock: HeldLock = acquireLock(paths.lock, `node home ${dir}`);
  try {
    const identity = readOrCreateIdentity(dir, options.oneshot ?? false, options.id);
    const pids = new NpidCounter(identity.id, paths.counter);
    return { dir, identity, pids, paths, close: () => lock.release() };
  } catch (err) {
    lock.release();
    throw err;
  }
}
