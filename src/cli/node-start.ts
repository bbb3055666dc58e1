// `pakaya node start`: runs a long-lived node on a home until SIGINT or SIGTERM, then stops cleanly
// (driver stopped, admin socket and lock removed). One line on stdout says where it serves.
import { startDaemon } from '../node/daemon.js';
import { resolveHome } from '../node/home.js';
import { formatNodeId } from '../node/node-kernel.js';

export interface NodeStartOptions {
  home?: string;
  memory: number;
}

export async function nodeStartCommand(options: NodeStartOptions): Promise<number> {
  const daemon = await startDaemon({ home: resolveHome(options.home), ramSize: options.memory });
  const { identity } = daemon.home;
  const nodeId = formatNodeId(identity.id);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stopOn = (s: NodeJS.Signals): void => {
      process.removeListener('SIGINT', stopOn);
      process.removeListener('SIGTERM', stopOn);
      resolve(s);
    };
    process.on('SIGINT', stopOn);
    process.on('SIGTERM', stopOn);
    process.stdout.write(`pakaya node ${nodeId} (${identity.name}) serving ${daemon.service.socketPath}\n`);
  });
  daemon.service.log.info({ signal }, 'stopping');
  await daemon.stop();
  process.stdout.write(`pakaya node ${nodeId}: stopped (${signal})\n`);
  return 0;
}
