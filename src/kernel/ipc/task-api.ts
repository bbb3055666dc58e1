// What a system server task (src/servers/) may do: the same capability-checked IPC operations a
// program reaches by system calls, on the task's own capability space, never blocking. Replies
// and sends reach waiting program threads the way a program's would (direct delivery).
import { EAGAIN } from '../errno.js';
import type { Process } from '../proc.js';
import type { SyscallContext } from '../syscall-context.js';
import type { Capability } from './cspace.js';
import { type Received, WOULD_BLOCK } from './ipc.js';
import { Port } from './objects.js';

export class TaskApi {
  constructor(
    private readonly k: SyscallContext,
    readonly process: Process,
  ) {}

  get pid(): number {
    return this.process.pid;
  }

  createPort(): number {
    return this.k.ipc.createPort(this.process.caps);
  }

  /** The capability in `slot` (to hand out as a bootstrap capability). */
  capability(slot: number): Capability | undefined {
    return this.process.caps.get(slot);
  }

  /** The next message on the port or set in `slot`, undefined when none is queued, or -errno. */
  receive(slot: number): Received | undefined | number {
    const r = this.k.ipc.receive(this.process.caps, slot);
    return r === WOULD_BLOCK ? undefined : r;
  }

  reply(slot: number, data: Uint8Array, capSlots: number[] = [], moveMask = 0): number {
    return this.k.ipc.reply(this.process.caps, slot, data, capSlots, moveMask);
  }

  /** Sends without blocking: -EAGAIN when the queue is full. */
  send(slot: number, data: Uint8Array, capSlots: number[] = [], moveMask = 0): number {
    const r = this.k.ipc.send(this.process.caps, this.pid, slot, data, capSlots, moveMask, undefined);
    return r === WOULD_BLOCK ? -EAGAIN : r;
  }

  /** Drops the head message of the port in `slot` (one the task cannot take): its caller gets EPIPE. */
  discard(slot: number): number {
    return this.k.ipc.discardHead(this.process.caps, slot);
  }

  /** The kind and rights of the capability in `slot` (to check what a client sent), or undefined. */
  capInfo(slot: number): { kind: Capability['object']['kind']; rights: number; alive: boolean } | undefined {
    const cap = this.process.caps.get(slot);
    if (cap === undefined) return undefined;
    const alive = !(cap.object instanceof Port) || cap.object.alive;
    return { kind: cap.object.kind, rights: cap.rights, alive };
  }

  /** Places a capability made elsewhere (a send right for a global name) in the task's space. */
  adopt(cap: Capability): number {
    return this.k.ipc.place(this.process.caps, cap);
  }

  derive(slot: number, rights: number, badge: number): number {
    return this.k.ipc.derive(this.process.caps, slot, rights, badge);
  }

  delete(slot: number): number {
    return this.k.ipc.delete(this.process.caps, slot);
  }

  /** The NPID of the process with `pid` (a badge), or undefined. */
  npidOf(pid: number): string | undefined {
    return this.k.findProcess(pid)?.npid;
  }

  /** Writes to the node's console as process `pid` (the console server owns this). */
  consoleWrite(fd: number, data: Uint8Array, pid: number): boolean {
    const p = this.k.findProcess(pid);
    if (p === undefined) return false;
    this.k.host.console.write(fd, data, p);
    return true;
  }
}
