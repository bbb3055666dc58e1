// The programs spawn and execve can start: ELF files in a directory (the package's user/bin by
// default), named by file name with or without a leading /bin/ and the .elf suffix.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProgramStore } from '../kernel/host.js';

/** The committed example programs, relative to the compiled file (dist/src/node/). */
export const USER_BIN = fileURLToPath(new URL('../../../user/bin/', import.meta.url));

/** Largest program file a store will load. */
const PROGRAM_MAX_BYTES = 64 * 1024 * 1024;

export class DirectoryPrograms implements ProgramStore {
  constructor(private readonly dir: string = USER_BIN) {}

  load(path: string): Uint8Array | undefined {
    const name = path.replace(/^\/bin\//, '').replace(/\.elf$/, '');
    if (!/^[A-Za-z0-9_.-]+$/.test(name) || name.startsWith('.')) return undefined;
    const file = join(this.dir, `${name}.elf`);
    try {
      const stat = statSync(file);
      if (!stat.isFile() || stat.size > PROGRAM_MAX_BYTES) return undefined;
      return new Uint8Array(readFileSync(file));
    } catch {
      return undefined;
    }
  }
}
