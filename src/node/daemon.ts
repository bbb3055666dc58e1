// A long-running node (`pakaya node start`): opens its home, builds a machine and kernel, serves the
// admin API and drives the kernel until stopped. Guest output is tagged with the process's NPID.

import { Kernel } from '../kernel/kernel.js';
import { Machine } from '../machine/machine.js';
import { startServers } from '../servers/boot.js';
import { KernelDriver } from './driver.js';
import { globalNamesSlot } from './global-names-slot.js';
import { type NodeHome, openHome } from './home.js';
import { NodeHost } from './host-io.js';
import type { NodeKernel, PidSource } from './node-kernel.js';
import { type NetworkOptions, type NodeService, startNodeService } from './node-service.js';
import { onOutputBroken } from './std-output.js';
import { TaggedConsole } from './tagged-console.js';

export interface DaemonOptions {
  /** The home directory (absolute). */
  home: string;
  ramSize: number;
  /** Builds the kernel instead of the real one (tests use a test double). */
  kernel?: (pids: PidSource) => NodeKernel;
  /** Take part in the cluster (`--listen`, `--join`, `--token`). */
  network?: NetworkOptions;
}

export interface RunningDaemon {
  readonly home: NodeHome;
  readonly service: NodeService;
  readonly kernel: NodeKernel;
  /** Stops the driver and the admin API, then releases the home. Idempotent. */
  stop(): Promise<void>;
}

function realKernel(ramSize: number, pids: PidSource): { kernel: Kernel; host: NodeHost } {
  const sink = new TaggedConsole((proc) => `${proc.npid} ${proc.name}`);
  const host = new NodeHost(sink, { pids });
  const kernel = new Kernel(new Machine({ ramSize }), host);
  startServers(kernel, { globalNames: globalNamesSlot(kernel) });
  return { kernel, host };
}

/** Starts a node on `options.home`. Throws HomeError/LockError/AdminServerError, leaving nothing behind. */
export async function startDaemon(options: DaemonOptions): Promise<RunningDaemon> {
  const home = openHome(options.home);
  let service: NodeService;
  let driver: KernelDriver;
  let kernel: NodeKernel;
  try {
    const built = options.kernel
      ? { kernel: options.kernel(home.pids), host: undefined, machine: undefined }
      : (() => {
          const real = realKernel(options.ramSize, home.pids);
          return { ...real, machine: real.kernel };
        })();
    kernel = built.kernel;
    driver = new KernelDriver(kernel, built.host);
    service = await startNodeService(home, kernel, () => driver.wake(), options.network, built.machine);
  } catch (err) {
    home.close();
    throw err;
  }
  // A closed stdout or stderr (the terminal or pipe went away) loses guest output, not the node.
  const stopWatching = onOutputBroken((fd, code) =>
    service.log.warn(
      { fd, code },
      `${fd === 1 ? 'stdout' : 'stderr'} closed (${code}); guest output there is dropped`,
    ),
  );
  const running = driver.run();
  let stopped: Promise<void> | undefined;
  return {
    home,
    service,
    kernel,
    stop: () => {
      stopped ??= (async () => {
        driver.stop();
        await running;
        stopWatching();
        await service.stop();
        home.close();
      })();
      return stopped;
    },
  };
}
