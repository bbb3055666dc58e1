// Starts the system servers on a kernel and makes their ports the bootstrap capabilities every
// process receives (slot 1: the name server, slot 2: the console server). The node calls this
// once, after spawning the programs it starts with (so the first program keeps pid 1); those
// programs get their bootstrap capabilities here, before any of them runs.

import { TaskApi } from '../kernel/ipc/task-api.js';
import type { Kernel } from '../kernel/kernel.js';
import { ConsoleServer } from './console-server.js';
import { NameServer } from './name-server.js';

export interface SystemServers {
  names: NameServer;
  console: ConsoleServer;
}

export function startServers(kernel: Kernel): SystemServers {
  const names = kernel.createTask('names', (p) => new NameServer(new TaskApi(kernel, p))) as NameServer;
  const console = kernel.createTask(
    'console',
    (p) => new ConsoleServer(new TaskApi(kernel, p)),
  ) as ConsoleServer;
  kernel.setBootstrap({
    nameServer: names.process.caps.get(names.port),
    console: console.process.caps.get(console.port),
  });
  return { names, console };
}
