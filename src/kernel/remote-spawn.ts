// spawn_on (Pakaya 504): a program starts a process on another node. The kernel imports nothing from
// the cluster: it hands the request to a RemoteSpawner (hooks.ts) the node sets, blocks the calling
// thread (wait kind 'spawn', key spawn:<ticket>), and the answer — the new NPID or a negative errno —
// comes back through Kernel.remoteSpawnDone, which wakes the thread; its call runs again and returns
// it. Tickets are per thread (keyed by the Thread, so a reused tid never finds another's) and bounded (REMOTE_SPAWNS_MAX). A ticket lives in the kernel, not in
// the process image: a process checkpointed or migrated while it waits asks again after restore.
import type { RemoteSpawner } from './hooks.js';
import { REMOTE_SPAWNS_MAX } from './limits.js';
import type { Npid } from './npid.js';
import type { Thread } from './proc.js';

/** The answer to a spawn_on: the child's NPID, or a negative errno. */
export type RemoteSpawnResult = Npid | number;

export class RemoteSpawns {
  spawner: RemoteSpawner | undefined = undefined;
  private nextTicket = 1;
  /** thread -> its open ticket. */
  private readonly byThread = new Map<Thread, number>();
  /** ticket -> { thread, result once answered }. */
  private readonly tickets = new Map<number, { thread: Thread; result: RemoteSpawnResult | undefined }>();

  /** The open ticket of `thread`, if it has one. */
  ticketOf(thread: Thread): number | undefined {
    return this.byThread.get(thread);
  }

  /** Opens a ticket for `thread`; undefined when REMOTE_SPAWNS_MAX are open. */
  open(thread: Thread): number | undefined {
    if (this.tickets.size >= REMOTE_SPAWNS_MAX) return undefined;
    const ticket = this.nextTicket++;
    this.byThread.set(thread, ticket);
    this.tickets.set(ticket, { thread, result: undefined });
    return ticket;
  }

  /** The answer of `ticket`, if it came. */
  result(ticket: number): RemoteSpawnResult | undefined {
    return this.tickets.get(ticket)?.result;
  }

  /** Records an answer; returns the waiting thread (undefined for an unknown or answered ticket). */
  answer(ticket: number, result: RemoteSpawnResult): Thread | undefined {
    const t = this.tickets.get(ticket);
    if (t === undefined || t.result !== undefined) return undefined;
    t.result = result;
    return t.thread;
  }

  /** Closes the ticket of `thread` (its call returned, or the thread is gone). */
  close(thread: Thread): void {
    const ticket = this.byThread.get(thread);
    if (ticket === undefined) return;
    this.byThread.delete(thread);
    this.tickets.delete(ticket);
  }

  /** Open tickets. */
  get size(): number {
    return this.tickets.size;
  }
}
