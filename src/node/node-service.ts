// The services every node runs on its home, one-shot or long-running: the log (node.log), the
// metrics registry and the admin API on admin.sock, over whatever NodeKernel it drives.
import { AdminServer } from './admin-server.js';
import type { NodeHome } from './home.js';
import type { Logger } from './logger.js';
import { openNodeLog } from './logger.js';
import { NodeMetrics } from './metrics.js';
import { formatNodeId, type NodeKernel } from './node-kernel.js';

export interface NodeService {
  readonly log: Logger;
  readonly socketPath: string;
  /** Stops the admin API (removing the socket) and closes the log. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the log, metrics and admin API of the node at `home`; `changed` wakes its driver. */
export async function startNodeService(
  home: NodeHome,
  kernel: NodeKernel,
  changed: () => void,
): Promise<NodeService> {
  const nodeName = formatNodeId(home.identity.id);
  const nodeLog = openNodeLog(home.paths.log, nodeName);
  const log = nodeLog.log;
  let server: AdminServer;
  try {
    server = await AdminServer.listen(home.paths.socket, {
      kernel,
      identity: home.identity,
      home: home.dir,
      startedAt: performance.now(),
      metrics: new NodeMetrics(kernel, { node: nodeName }),
      log,
      changed,
    });
  } catch (err) {
    log.error({ err }, 'admin API failed to start');
    nodeLog.close();
    throw err;
  }
  log.info({ home: home.dir, oneshot: home.identity.oneshot, socket: home.paths.socket }, 'node started');
  let stopped: Promise<void> | undefined;
  return {
    log,
    socketPath: home.paths.socket,
    stop: () => {
      stopped ??= server.close().then(() => {
        log.info('node stopped');
        nodeLog.close();
      });
      return stopped;
    },
  };
}
