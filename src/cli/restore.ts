// `pakaya restore <file>`: the node at --home restores a checkpoint image as a new process and
// prints its pid and NPID.
import { resolve } from 'node:path';
import { AdminClient } from '../node/admin-client.js';
import { resolveHome } from '../node/home.js';
import { writeAll } from './io.js';

export async function restoreCommand(
  file: string,
  options: { home?: string; node?: string },
): Promise<number> {
  const answer = await new AdminClient(resolveHome(options.home), undefined, options.node).restore(
    resolve(file),
  );
  await writeAll(process.stdout, `restored as pid ${answer.pid} (${answer.npid ?? 'no NPID'})\n`);
  return 0;
}
