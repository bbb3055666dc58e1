// `pakaya kill <pid>`: sends a signal (TERM unless -s says otherwise) to a process on the node at --home.
import { type AdminOptions, adminClient } from './admin.js';

export async function killCommand(pid: number, options: AdminOptions & { signal: number }): Promise<number> {
  await adminClient(options).kill(pid, options.signal);
  return 0;
}
