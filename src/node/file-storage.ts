// The real Storage (src/cluster/storage.ts) on a directory: one file per name ('/' makes
// subdirectories), appends through kept-open descriptors, sync as fdatasync, atomic replacement by
// write-temp + fsync + rename + fsync-dir (atomic-file.ts). New files and removals fsync their
// directory, so a file's existence is as durable as its bytes. Errors become StorageError.
import {
  closeSync,
  type Dirent,
  fdatasyncSync,
  fsyncSync,
  ftruncateSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { checkStorageName, type Storage, StorageError } from '../cluster/storage.js';
import { writeFileAtomicSync } from './atomic-file.js';
import { MAX_OPEN_STORAGE_FILES } from './limits.js';

function fsyncDir(dir: string): void {
  let fd: number;
  try {
    fd = openSync(dir, 'r');
  } catch {
    return;
  }
  try {
    fsyncSync(fd);
  } catch {
    // some platforms cannot fsync a directory; the rename is as durable as they allow
  } finally {
    closeSync(fd);
  }
}

export class FileStorage implements Storage {
  private readonly fds = new Map<string, number>();

  constructor(readonly root: string) {
    mkdirSync(root, { recursive: true, mode: 0o700 });
  }

  private path(name: string): string {
    checkStorageName(name);
    return join(this.root, ...name.split('/'));
  }

  private wrap<T>(name: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      if (err instanceof StorageError) throw err;
      const e = err as NodeJS.ErrnoException;
      throw new StorageError(
        e.code === 'ENOSPC' ? 'no-space' : 'io',
        name,
        `${e.code ?? 'error'}: ${e.message}`,
      );
    }
  }

  /** The append descriptor of `name`, opened (and the file created durably) on first use. */
  private fd(name: string): number {
    const open = this.fds.get(name);
    if (open !== undefined) return open;
    const path = this.path(name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    if (this.fds.size >= MAX_OPEN_STORAGE_FILES) {
      const [oldest, fd] = this.fds.entries().next().value as [string, number];
      fdatasyncSync(fd);
      closeSync(fd);
      this.fds.delete(oldest);
    }
    const fd = openSync(path, 'a', 0o600);
    fsyncDir(dirname(path));
    this.fds.set(name, fd);
    return fd;
  }

  read(name: string): Uint8Array | undefined {
    return this.wrap(name, () => {
      try {
        return new Uint8Array(readFileSync(this.path(name)));
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw err;
      }
    });
  }

  append(name: string, bytes: Uint8Array): void {
    this.wrap(name, () => {
      const fd = this.fd(name);
      let done = 0;
      while (done < bytes.length) done += writeSync(fd, bytes, done, bytes.length - done);
    });
  }

  writeAtomic(name: string, bytes: Uint8Array): void {
    this.wrap(name, () => {
      const path = this.path(name);
      this.closeFd(name);
      mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
      writeFileAtomicSync(path, bytes);
    });
  }

  truncate(name: string, length: number): void {
    this.wrap(name, () => {
      const fd = this.fd(name);
      ftruncateSync(fd, length);
      fdatasyncSync(fd);
    });
  }

  sync(name: string): void {
    this.wrap(name, () => {
      const fd = this.fds.get(name);
      if (fd !== undefined) fdatasyncSync(fd);
    });
  }

  remove(name: string): void {
    this.wrap(name, () => {
      const path = this.path(name);
      this.closeFd(name);
      try {
        unlinkSync(path);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
        throw err;
      }
      fsyncDir(dirname(path));
    });
  }

  list(prefix: string): string[] {
    return this.wrap(prefix, () => {
      const out: string[] = [];
      const walk = (dir: string, base: string): void => {
        let items: Dirent[];
        try {
          items = readdirSync(dir, { withFileTypes: true });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
          throw err;
        }
        for (const item of items) {
          if (item.name.startsWith('.')) continue; // temporary files of atomic writes
          const rel = base ? `${base}/${item.name}` : item.name;
          if (item.isDirectory()) walk(join(dir, item.name), rel);
          else if (item.isFile() && rel.startsWith(prefix)) out.push(rel);
        }
      };
      walk(this.root, '');
      return out.sort();
    });
  }

  /** Closes every open descriptor (after syncing it). */
  close(): void {
    for (const name of [...this.fds.keys()]) this.closeFd(name);
  }

  private closeFd(name: string): void {
    const fd = this.fds.get(name);
    if (fd === undefined) return;
    this.fds.delete(name);
    try {
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
  }
}
