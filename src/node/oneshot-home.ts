// Homes for one-shot nodes (`pakaya run`, `pakaya demo`): each run gets a fresh home at
// <base>/oneshot/<node id in hex>/ so concurrent runs never collide, plus a symlink
// <base>/oneshot/pid-<OS pid> -> <node id> so `pakaya ps --home <base>/oneshot/pid-<pid>` finds the
// home of a run whose pid you know. The link is published once the admin API serves, so its
// appearance means the node is ready. <base> is the directory that holds the default home: the parent
// of $PAKAYA_HOME when it is set, else ~/.pakaya. Both are removed when the run ends; homes left by
// a run that was killed outright (its lock's pid is dead) are swept by the next one-shot run.
import { mkdirSync, readdirSync, rmSync, symlinkSync, unlinkSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { checkPrivateDir, HomeError, homePaths, type NodeHome, newNodeId, openHome } from './home.js';
import { pidAlive, readLockPid } from './lock.js';

/** Where one-shot homes live: <base>/oneshot. */
export function oneshotRoot(env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env.PAKAYA_HOME;
  const base =
    fromEnv !== undefined && fromEnv !== '' ? dirname(resolve(fromEnv)) : join(homedir(), '.pakaya');
  return join(base, 'oneshot');
}

/** The symlink naming the one-shot home of the pakaya process with this OS pid. */
export function oneshotPidLink(root: string, pid: number): string {
  return join(root, `pid-${pid}`);
}

export interface OneshotHome {
  readonly home: NodeHome;
  /** Creates the pid-<OS pid> link to the home; call once the admin API serves. */
  publish(): void;
  /** Removes the home and its pid symlink. Call after the admin socket is closed. */
  remove(): void;
}

/** Removes homes under `root` whose lock names a dead process, and pid links whose process is dead. */
export function sweepStaleOneshotHomes(root: string): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names.slice(0, 1000)) {
    const path = join(root, name);
    const linkPid = /^pid-(\d+)$/.exec(name);
    if (linkPid) {
      if (!pidAlive(Number(linkPid[1]))) rmSync(path, { force: true });
      continue;
    }
    if (!/^[0-9a-f]{8}$/.test(name)) continue;
    let owner: number | undefined;
    try {
      owner = readLockPid(homePaths(path).lock);
    } catch {
      continue;
    }
    if (owner !== undefined && !Number.isNaN(owner) && !pidAlive(owner)) {
      rmSync(path, { recursive: true, force: true });
    }
  }
}

/** Creates and opens a fresh one-shot home. Throws HomeError when the base is unusable. */
export function createOneshotHome(env: NodeJS.ProcessEnv = process.env): OneshotHome {
  const root = oneshotRoot(env);
  try {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  } catch (err) {
    throw new HomeError(
      `cannot create ${root} for this run's node home: ${(err as NodeJS.ErrnoException).code ?? err}`,
    );
  }
  // Another user's (or a world-writable) base could swap a run's socket or lock: refuse it.
  checkPrivateDir(root, 'one-shot base');
  sweepStaleOneshotHomes(root);
  for (let attempt = 0; attempt < 8; attempt++) {
    const id = newNodeId();
    const dir = join(root, id.toString(16).padStart(8, '0'));
    try {
      mkdirSync(dir, { mode: 0o700 });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') continue; // another node has this id
      throw new HomeError(`cannot create node home ${dir}: ${(err as NodeJS.ErrnoException).code ?? err}`);
    }
    const home = openHome(dir, { oneshot: true, id });
    const link = oneshotPidLink(root, process.pid);
    return {
      home,
      publish: () => {
        rmSync(link, { force: true });
        symlinkSync(join('.', id.toString(16).padStart(8, '0')), link);
      },
      remove: () => {
        home.close();
        rmSync(dir, { recursive: true, force: true });
        try {
          unlinkSync(link);
        } catch {
          // already gone
        }
      },
    };
  }
  throw new HomeError(`could not find a free node id under ${root}`);
}
