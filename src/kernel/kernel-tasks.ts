// System server tasks in the running kernel (src/servers/): processes with a capability space and
// no guest code, run when a message is queued on a port they receive on. A task's failure ends
// that task (its callers get EPIPE), never the node.

import { KernelError } from './errors.js';
import type { Port } from './ipc/objects.js';
import { exitProcess } from './kernel-exit.js';
import { adopt, newPid } from './kernel-spawn.js';
import type { KernelState, Task } from './kernel-state.js';
import { Process } from './proc.js';
import { SIGABRT } from './signals.js';
import { AddressSpace } from './vm.js';

/** A new task process (an empty address space, no threads); `make` builds the task on it. */
export function createTask(k: KernelState, name: string, make: (process: Process) => Task): Task {
  const as = AddressSpace.create(k.memory, k.frames);
  if (as === undefined) throw new KernelError('out of memory creating a server task');
  const pid = newPid(k);
  const symbols = { list: [], symbolize: () => undefined };
  const process = new Process(pid, k.npidOf(pid), name, as, symbols, { ...k.limits });
  adopt(k, process, as);
  const task = make(process);
  k.tasks.set(pid, task);
  return task;
}

/** A message was queued on `port` with nobody waiting: its receiver's task (if any) runs next step. */
export function messageQueued(k: KernelState, port: Port): void {
  const task = k.tasks.get(port.receiver.ownerPid);
  if (task !== undefined) k.pendingTasks.add(task);
}

/** Runs every task with something queued. */
export function runTasks(k: KernelState): void {
  for (const task of k.pendingTasks) {
    k.pendingTasks.delete(task);
    if (!task.process.alive) continue;
    try {
      task.run();
    } catch (err) {
      // A server's bug ends that server (its callers get EPIPE), never the node; onTaskEnded restarts it.
      k.host.report(
        `pakaya: system server ${task.process.name} failed: ${(err as Error).message}\n`,
        task.process,
      );
      if (task.process.alive) exitProcess(k, task.process, { kind: 'signaled', signal: SIGABRT });
    }
  }
}
