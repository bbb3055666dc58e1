// The one-shot node behind `pakaya run` and `pakaya demo`: runs programs to completion like
// runLocal, on a fresh home (oneshot-home.ts) that serves the admin API while they run, so
// `pakaya ps --home <base>/oneshot/pid-<pid>` works. Nothing is written to stdout. The home is removed
// when the run ends — also on SIGINT, SIGTERM or SIGHUP, after which the signal is re-raised so the
// shell sees the usual status.
import type { Kernel, SpawnRequest } from '../kernel/kernel.js';
import type { Process } from '../kernel/proc.js';
import type { NodeHome } from './home.js';
import { type LocalRunOptions, runLocal } from './local-run.js';
import { type NodeService, startNodeService } from './node-service.js';
import { createOneshotHome, type OneshotHome } from './oneshot-home.js';

const CLEANUP_SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

export interface OneshotRunOptions extends Omit<LocalRunOptions, 'onStart'> {
  /** Where the base directory comes from ($PAKAYA_HOME); default process.env. */
  env?: NodeJS.ProcessEnv;
  /** Called when the home and its admin API are up, before the programs run. */
  onReady?: (home: NodeHome, kernel: Kernel) => void;
}

/** Runs the programs to completion on a one-shot node; resolves to their processes, in request order. */
export async function runOneshot(requests: SpawnRequest[], options: OneshotRunOptions): Promise<Process[]> {
  let oneshot: OneshotHome | undefined;
  let service: NodeService | undefined;
  const onSignal = (signal: NodeJS.Signals): void => {
    for (const s of CLEANUP_SIGNALS) process.removeListener(s, onSignal);
    oneshot?.remove();
    process.kill(process.pid, signal);
  };
  try {
    oneshot = createOneshotHome(options.env);
    for (const s of CLEANUP_SIGNALS) process.on(s, onSignal);
    const home = oneshot.home;
    return await runLocal(requests, {
      ...options,
      pids: home.pids,
      onStart: async (kernel, _processes, wakeup) => {
        service = await startNodeService(home, kernel, () => wakeup.wake());
        oneshot?.publish();
        options.onReady?.(home, kernel);
      },
    });
  } finally {
    for (const s of CLEANUP_SIGNALS) process.removeListener(s, onSignal);
    await service?.stop();
    oneshot?.remove();
  }
}
