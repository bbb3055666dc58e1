// `pakaya checkpoint [--group] <pid> <file> [--stop]`: the node at --home writes the process's image
// to <file> (atomically); --group captures the processes that share memory or IPC objects with it
// (and its children) in one image; --stop leaves them stopped once the image is safe. One line on
// stdout says what was written.
import { resolve } from 'node:path';
import { type AdminOptions, adminClient } from './admin.js';
import { writeAll } from './io.js';

export async function checkpointCommand(
  pid: number,
  file: string,
  options: AdminOptions & { stop: boolean; group?: boolean },
): Promise<number> {
  const answer = await adminClient(options).checkpoint(
    pid,
    resolve(file),
    options.stop,
    options.group ?? false,
  );
  const stopped = answer.stopped ? ', process stopped' : '';
  const members = answer.members !== undefined ? `group of ${answer.members.length} from ` : '';
  await writeAll(
    process.stdout,
    `checkpoint of ${members}pid ${answer.pid} (${answer.npid}): ${answer.bytes} bytes to ${answer.path}${stopped}\n`,
  );
  return 0;
}
