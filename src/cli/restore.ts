// `pakaya restore <file>`: the node at --home restores a checkpoint image — one process, or a group
// written by `pakaya checkpoint --group` — and prints each restored process's pid and NPID.
import { resolve } from 'node:path';
import { type AdminOptions, adminClient } from './admin.js';
import { writeAll } from './io.js';

export async function restoreCommand(file: string, options: AdminOptions): Promise<number> {
  const answer = await adminClient(options).restore(resolve(file));
  const others = (answer.members ?? []).filter((m) => m.pid !== answer.pid);
  const group = others.map((m) => `, pid ${m.pid} (${m.npid ?? 'no NPID'})`).join('');
  await writeAll(process.stdout, `restored as pid ${answer.pid} (${answer.npid ?? 'no NPID'})${group}\n`);
  return 0;
}
