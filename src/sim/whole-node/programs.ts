// The programs a simulated cluster runs: the committed RISC-V ELFs of user/bin, read once when a
// scenario is set up (the same bytes on every run, so they are part of the seed's input, not of
// its randomness), served to every node's kernel as its program store.
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ProgramStore } from '../../kernel/host.js';

/** user/bin of this checkout (dist/src/sim/whole-node → the repository root). */
export const USER_BIN = fileURLToPath(new URL('../../../../user/bin/', import.meta.url));

export class Programs implements ProgramStore {
  private readonly files = new Map<string, Uint8Array>();

  /** The ELF named `name` ("hello", "/bin/hello", "hello.elf"); undefined when unknown. */
  load(path: string): Uint8Array | undefined {
    return this.files.get(Programs.key(path));
  }

  /** Like load, but throws naming the program. */
  get(name: string): Uint8Array {
    const f = this.load(name);
    if (!f) throw new Error(`no program "${name}" in the simulator's program store`);
    return f;
  }

  add(name: string, elf: Uint8Array): void {
    this.files.set(Programs.key(name), elf);
  }

  private static key(path: string): string {
    return path.replace(/^\/bin\//, '').replace(/\.elf$/, '');
  }

  /** Every ELF in `dir` (default: user/bin). */
  static fromDirectory(dir = USER_BIN): Programs {
    const p = new Programs();
    for (const name of readdirSync(dir).sort()) {
      if (name.endsWith('.elf')) p.add(name, new Uint8Array(readFileSync(`${dir}${name}`)));
    }
    return p;
  }
}

let shared: Programs | undefined;
/** user/bin, read once per process. */
export function userPrograms(): Programs {
  shared ??= Programs.fromDirectory();
  return shared;
}
