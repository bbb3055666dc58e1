// `pakaya checkpoint --store NPID` and `pakaya restore --store NPID`: the cluster's checkpoint store
// from any node. A checkpoint goes to the node that runs the process (forwarded), into its store,
// and counts once replicated (the answer names the holders); --restart and --every set the process's
// restart policy and periodic checkpoint period on the way. A restore brings the process back on the
// node at --home (or --node) from its last replicated checkpoint, with its NPID.
import { AdminClient } from '../node/admin-client.js';
import { resolveHome } from '../node/home.js';
import type { StoreCheckpointAnswer, StoreRestoreAnswer } from '../node/store-node.js';
import { writeAll } from './io.js';

export async function storeCheckpointCommand(
  npid: string,
  options: { home?: string; node?: string; restart?: string; every?: number; json?: boolean },
): Promise<number> {
  const client = new AdminClient(resolveHome(options.home), undefined, options.node);
  const a = await client.call<StoreCheckpointAnswer>('POST', '/v1/store/checkpoint', {
    npid,
    ...(options.restart !== undefined ? { restart: options.restart } : {}),
    ...(options.every !== undefined ? { everyMs: options.every } : {}),
  });
  if (options.json) await writeAll(process.stdout, `${JSON.stringify(a)}\n`);
  else
    await writeAll(
      process.stdout,
      `checkpoint of ${a.npid} on node ${a.node}: manifest ${a.manifest.slice(0, 12)}, ${a.pages} pages ` +
        `(${a.pagesWritten} new, ${a.bytesWritten} bytes written, ${a.bytesSent} bytes replicated), ` +
        `held by ${a.nodes.join(', ')}\n`,
    );
  return 0;
}

export async function storeRestoreCommand(
  npid: string,
  options: { home?: string; node?: string; json?: boolean },
): Promise<number> {
  const client = new AdminClient(resolveHome(options.home), undefined, options.node);
  const a = await client.call<StoreRestoreAnswer>('POST', '/v1/store/restore', { npid });
  if (options.json) await writeAll(process.stdout, `${JSON.stringify(a)}\n`);
  else
    await writeAll(
      process.stdout,
      `restored ${a.npid} as pid ${a.pid} on node ${a.node} from manifest ${a.manifest.slice(0, 12)} ` +
        `(${a.pagesFetched} pages fetched)\n`,
    );
  return 0;
}
