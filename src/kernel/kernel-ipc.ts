// The running kernel's side of IPC (ipc/ipc.ts's IpcHooks): object ids, waking and completing
// waiters, handing messages to server tasks and remote routes, and the message ABI that writes a
// received message or notification word into a waiting thread's buffers (its wait record holds
// the address of its `struct pk_msg` or its notification out pointer).
import type { IpcHooks } from './ipc/ipc.js';
import { retryOnPage } from './kernel-hooks.js';
import { newObjectId } from './kernel-spawn.js';
import type { KernelState } from './kernel-state.js';
import { liveRegisters } from './kernel-step.js';
import { messageQueued } from './kernel-tasks.js';
import { deliverToWaiter, wakeAll } from './kernel-waits.js';
import type { Npid } from './npid.js';
import { deliverReceived } from './sys/ipc.js';
import { writeStruct } from './sys/user-mem.js';

/** The hooks the kernel's Ipc calls back into. */
export function ipcHooks(k: KernelState): IpcHooks {
  return {
    newObjectId: () => newObjectId(k),
    deliverToWaiter: (key, deliver) => deliverToWaiter(k, key, deliver),
    wakeAll: (key) => wakeAll(k, key),
    queued: (port) => messageQueued(k, port),
    remoteRoom: (port, senderPid) => k.router?.hasRoom(port.remote!, senderNpid(k, senderPid)) === true,
    sendRemote: (port, m) =>
      k.router?.send(port.remote!, {
        data: m.data,
        caps: m.caps,
        badge: m.badge,
        sender: senderNpid(k, m.senderPid),
        reply: m.reply?.id ?? 0,
      }),
    replyRemote: (reply, m, errno) =>
      k.router?.reply(reply.remote!, m === undefined ? undefined : { data: m.data, caps: m.caps }, errno),
    watchRemote: (port) => k.router?.watch?.(port.remote!),
    portDied: (port) => {
      if (k.exported.has(port.id))
        k.router?.portDied?.(port.id, k.processes.get(port.receiver.ownerPid)?.alive !== true);
    },
    // A waiting thread's wait record holds its message descriptor or notification out pointer.
    // A buffer on a page a post-copy restore has not received yet: the waiter's call runs again
    // once it arrives (the message stays queued, the answer kept).
    writeMessage: (received, tid) => {
      const t = k.delivering?.tid === tid ? k.delivering : k.threads.get(tid);
      if (t?.wait === undefined) return false;
      t.process.addressSpace.absentHit = -1;
      if (deliverReceived(liveRegisters(k, t), t, t.wait.addr, received)) return true;
      retryOnPage(k, t);
      return false;
    },
    writeWord: (word, tid) => {
      const t = k.threads.get(tid);
      if (t?.wait === undefined) return false;
      t.process.addressSpace.absentHit = -1;
      if (writeStruct(t, t.wait.addr, 4, (v) => v.setUint32(0, word, true))) return true;
      retryOnPage(k, t);
      return false;
    },
  };
}

/** The NPID of the process with local id `pid` (its own, if it still exists). */
function senderNpid(k: KernelState, pid: number): Npid {
  return k.processes.get(pid)?.npid ?? k.npidOf(pid);
}
