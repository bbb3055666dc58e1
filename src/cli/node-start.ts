// `pakaya node start`: runs a long-lived node on a home until SIGINT, SIGTERM or SIGHUP, then stops
// cleanly (driver stopped, admin socket and lock removed). One line on stdout says where it serves.
// A closed stdout (`pakaya node start | head -c 20`) does not stop it: the node logs it and goes on.
import { startDaemon } from '../node/daemon.js';
import { resolveHome } from '../node/home.js';
import { formatNodeId } from '../node/node-kernel.js';
import { writeOutput } from '../node/std-output.js';
import { UsageError } from './io.js';

/** Signals that stop the node cleanly (SIGHUP: its terminal went away). */
const STOP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface NodeStartOptions {
  home?: string;
  memory: number;
  listen?: { host: string; port: number };
  join?: string[];
  token?: string;
  discover?: 'multicast';
  adminListen?: { host: string; port: number };
}

export async function nodeStartCommand(options: NodeStartOptions): Promise<number> {
  if (
    options.listen === undefined &&
    (options.join !== undefined ||
      options.token !== undefined ||
      options.discover !== undefined ||
      options.adminListen !== undefined)
  )
    throw new UsageError('--join, --token, --discover and --admin-listen need --listen HOST:PORT');
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
            adminListen: options.adminListen,
          },
        }
      : {}),
  });
  const { identity } = daemon.home;
  const nodeId = formatNodeId(identity.id);
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const stopOn = (s: NodeJS.Signals): void => {
      for (const stop of STOP_SIGNALS) process.removeListener(stop, stopOn);
      resolve(s);
    };
    for (const stop of STOP_SIGNALS) process.on(stop, stopOn);
    const net = daemon.service.cluster;
    const admin = daemon.service.adminAddress;
    writeOutput(
      1,
      `pakaya node ${nodeId} (${identity.name}) serving ${daemon.service.socketPath}${admin ? ` and https://${admin}` : ''}${net ? ` listening ${net.address}` : ''}\n`,
    );
  });
  daemon.service.log.info({ signal }, 'stopping');
  await daemon.stop();
  writeOutput(1, `pakaya node ${nodeId}: stopped (${signal})\n`);
  return 0;
}
