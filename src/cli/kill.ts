// `pakaya kill <pid>`: sends a signal (TERM unless -s says otherwise) to a process on the node at --home.
import { AdminClient } from '../node/admin-client.js';
import { resolveHome } from '../node/home.js';

export async function killCommand(
  pid: number,
  options: { home?: string; node?: string; signal: number },
): Promise<number> {
  await new AdminClient(resolveHome(options.home), undefined, options.node).kill(pid, options.signal);
  return 0;
}
