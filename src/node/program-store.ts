// The programs spawn and execve can start: ELF files in a directory (the package's user/bin by
// default), named by file name with or without a leading /bin/ and the .elf suffix.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgramStore } from '../kernel/host.js';
import { PROGRAM_FILE_MAX } from './limits.js';

/** The committed example programs, relative to the compiled file (dist/src/node/). */
export const USER_BIN = fileURLToPath(new URL('../../../user/bin/', import.meta.url));

export class DirectoryPrograms implements ProgramStore {
  constructor(private readonly dir: string = USER_BIN) {}

  load(path: string): Uint8Array | undefined {
    const name = path.replace(/^\/bin\//, '').replace(/\.elf$/, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) return undefined;
    const file = join(this.dir, `${name}.elf`);
    let fd: number;
    try {
      // Non-blocking, and checked after opening: a FIFO or device in the directory is never read.
      fd = openSync(file, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY);
    } catch {
      return undefined;
    }
    try {
      const stat = fstatSync(fd);
      if (!stat.isFile() || stat.size > PROGRAM_FILE_MAX) return undefined;
      const bytes = new Uint8Array(stat.size);
      let done = 0;
      while (done < bytes.length) {
        const n = readSync(fd, bytes, done, bytes.length - done, done);
        if (n === 0) break;
        done += n;
      }
      return bytes.subarray(0, done);
    } catch {
      return undefined;
    } finally {
      closeSync(fd);
    }
  }
}
