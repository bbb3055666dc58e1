// Starts the system servers on a kernel and makes their ports the bootstrap capabilities every
// process receives (slot 1: the name server, slot 2: the console server). The node calls this
// once, after spawning the programs it starts with (so the first program keeps pid 1); those
// programs get their bootstrap capabilities here, before any of them runs.
//
// Reincarnation (MINIX 3's reincarnation server is the precedent): a system server is not a signal
// target, but should one ever end (a bug in its handler), the kernel reports it and this restarts
// it on a new port. Callers blocked on the old one got EPIPE; running processes get the new port in
// their bootstrap slot. A restarted name server starts with an empty table. After
// SERVER_RESTARTS_MAX restarts of one server the node stops restarting it and reports that.

import { TaskApi } from '../kernel/ipc/task-api.js';
import type { Kernel } from '../kernel/kernel.js';
import { ConsoleServer } from './console-server.js';
import type { GlobalNames } from './global-names.js';
import { NameServer } from './name-server.js';

/** Restarts of one server before the node gives up on it (a server that dies at once, forever). */
export const SERVER_RESTARTS_MAX = 16;

export interface SystemServers {
  names: NameServer;
  console: ConsoleServer;
  /** Restarts so far, by server name. */
  readonly restarts: Map<string, number>;
}

const startNames = (kernel: Kernel, global?: GlobalNames): NameServer =>
  kernel.createTask('names', (p) => new NameServer(new TaskApi(kernel, p), global)) as NameServer;
const startConsole = (kernel: Kernel): ConsoleServer =>
  kernel.createTask('console', (p) => new ConsoleServer(new TaskApi(kernel, p))) as ConsoleServer;

function publish(kernel: Kernel, servers: SystemServers): void {
  kernel.setBootstrap({
    nameServer: servers.names.process.caps.get(servers.names.port),
    console: servers.console.process.caps.get(servers.console.port),
  });
}

export interface ServerOptions {
  /** Cluster-wide names for the name server (a node in a cluster; see global-names.ts). */
  globalNames?: GlobalNames;
}

export function startServers(kernel: Kernel, options: ServerOptions = {}): SystemServers {
  const servers: SystemServers = {
    names: startNames(kernel, options.globalNames),
    console: startConsole(kernel),
    restarts: new Map(),
  };
  publish(kernel, servers);
  kernel.onTaskEnded = (name) => {
    const restarts = (servers.restarts.get(name) ?? 0) + 1;
    servers.restarts.set(name, restarts);
    if (restarts > SERVER_RESTARTS_MAX) {
      kernel.host.report(
        `pakaya: system server ${name} ended ${restarts} times; not restarting it\n`,
        undefined,
      );
      return;
    }
    if (name === 'names') servers.names = startNames(kernel, options.globalNames);
    else if (name === 'console') servers.console = startConsole(kernel);
    else return;
    kernel.host.report(`pakaya: system server ${name} ended; restarted it\n`, undefined);
    publish(kernel, servers);
  };
  return servers;
}
