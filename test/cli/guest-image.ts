// Test helper: a checkpoint image of a committed program that has not run yet, to restore on a
// long-running node (which starts programs only by restore). Each image is made on a kernel with a
// node id of its own, so its NPID is new: a node refuses to restore an NPID it already runs.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { newKernel, program } from '../kernel/helpers.js';

/** Writes an image of `name args...` to `dir/<file>` and returns its path. */
let imageNode = 0x5a000000;

export function writeGuestImage(dir: string, file: string, name: string, args: string[]): string {
  const { kernel } = newKernel(16, ++imageNode);
  const p = kernel.spawn({ file: program(name), argv: [name, ...args], envp: [], name: file });
  const path = join(dir, `${file}.img`);
  writeFileSync(path, kernel.checkpoint(p.pid));
  return path;
}
