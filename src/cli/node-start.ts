// `pakaya node start`: runs a long-lived node on a home until SIGINT or SIGTERM, then stops cleanly
// (driver stopped, admin socket and lock removed). One line on stdout says where it serves.
import { startDaemon } from '../node/daemon.js';
import { resolveHome } from '../node/home.js';
import { formatNodeId } from '../node/node-kernel.js';
import { UsageError } from './io.js';

export interface NodeStartOptions {
  home?: string;
  memory: number;
  listen?: { host: string; port: number };
  join?: string[];
  token?: string;
  discover?: 'multicast';
}

export async function nodeStartCommand(options: NodeStartOptions): Promise<number> {
  if (
    options.listen === undefined &&
    (options.join !== undefined || options.token !== undefined || options.discover !== undefined)
  )
    throw new UsageError('--join, --token and --discover need --listen HOST:PORT');
  const daemon = await startDaemon({
    home: resolveHome(options.home),
    ramSize: options.memory,
    ...(options.listen
      ? {
          network: {
            listen: options.listen,
            seeds: options.join ?? [],
            token: options.token,
            discover: options.discover === 'multicast' ? {} : undefined,
          },
        }
      : {}),
  });
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
    const net = daemon.service.cluster;
    process.stdout.write(
      `pakaya node ${nodeId} (${identity.name}) serving ${daemon.service.socketPath}${net ? ` listening ${net.address}` : ''}\n`,
    );
  });
  daemon.service.log.info({ signal }, 'stopping');
  await daemon.stop();
  process.stdout.write(`pakaya node ${nodeId}: stopped (${signal})\n`);
  return 0;
}
