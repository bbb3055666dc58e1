// Watches over one registry state machine: local to a node, never replicated. A watch follows one
// key or a prefix from a revision; past events come from the state machine's bounded history, new
// ones as they are applied. Delivery goes through one queue, so every listener sees events in
// revision order even when a listener writes to the registry from inside its callback.

import { RegistryError } from './errors.js';
import { WATCHERS_MAX } from './limits.js';
import type { RegistryStateMachine } from './state-machine.js';
import { copyKeyValue, type WatchEvent, type WatchFilter } from './types.js';

export interface WatchListener {
  onEvent(event: WatchEvent): void;
  /** The watch ended without cancel(): the registry closed or restored past it, or onEvent threw. */
  onCancel?(error: RegistryError): void;
}

export interface WatchHandle {
  /** Stops the watch; idempotent. No event is delivered after it returns. */
  cancel(): void;
}

interface Watcher {
  readonly matches: (key: string) => boolean;
  /** The first revision this watch reports (it may be in the future). */
  readonly from: number;
  readonly listener: WatchListener;
  active: boolean;
}

/** An event whose key values the listener may keep or change (the originals are the store's). */
function copyEvent(event: WatchEvent): WatchEvent {
  const { kv, prev, ...rest } = event;
  return {
    ...rest,
    ...(kv ? { kv: copyKeyValue(kv) } : {}),
    ...(prev ? { prev: copyKeyValue(prev) } : {}),
  };
}

export function filterMatcher(filter: WatchFilter): (key: string) => boolean {
  if ('key' in filter) {
    const key = filter.key;
    return (k) => k === key;
  }
  const prefix = filter.prefix;
  return (k) => k.startsWith(prefix);
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private readonly queue: { watcher: Watcher; event: WatchEvent }[] = [];
  private draining = false;
  private readonly unsubscribe: (() => void)[];

  constructor(private readonly sm: RegistryStateMachine) {
    this.unsubscribe = [
      sm.onEvents((events) => this.publish(events)),
      sm.onReset((revision) =>
        this.cancelAll(new RegistryError('compacted', `the registry was restored to revision ${revision}`)),
      ),
    ];
  }

  get count(): number {
    return this.watchers.size;
  }

  /**
   * Starts a watch. With `fromRevision` at or below the current revision, past events are
   * replayed first (before this returns); a future one skips the events before it; without it the
   * watch starts after the current revision. Throws
   * RegistryError('compacted') when the history no longer holds `fromRevision`.
   */
  watch(filter: WatchFilter, listener: WatchListener, fromRevision?: number): WatchHandle {
    if (this.watchers.size >= WATCHERS_MAX)
      throw new RegistryError('limit', `at most ${WATCHERS_MAX} watches per registry`);
    const matches = filterMatcher(filter);
    const from = fromRevision ?? this.sm.revision + 1;
    const past = from <= this.sm.revision ? this.sm.eventsSince(from, matches) : [];
    if (from < this.sm.oldestWatchableRevision)
      throw new RegistryError('compacted', `revision ${from} is compacted`);
    const watcher: Watcher = { matches, from, listener, active: true };
    this.watchers.add(watcher);
    for (const event of past) this.queue.push({ watcher, event });
    this.drain();
    return {
      cancel: () => {
        watcher.active = false;
        this.watchers.delete(watcher);
      },
    };
  }

  /** Ends every watch with a 'closed' error and detaches from the state machine. */
  close(): void {
    this.cancelAll(new RegistryError('closed', 'the registry is closed'));
    for (const u of this.unsubscribe) u();
  }

  private publish(events: readonly WatchEvent[]): void {
    for (const event of events)
      for (const watcher of this.watchers)
        if (event.revision >= watcher.from && watcher.matches(event.key)) this.queue.push({ watcher, event });
    this.drain();
  }

  private cancelAll(error: RegistryError): void {
    for (const watcher of [...this.watchers]) this.end(watcher, error);
  }

  private end(watcher: Watcher, error: RegistryError): void {
    if (!watcher.active) return;
    watcher.active = false;
    this.watchers.delete(watcher);
    watcher.listener.onCancel?.(error);
  }

  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    try {
      for (let i = 0; i < this.queue.length; i++) {
        const { watcher, event } = this.queue[i] as { watcher: Watcher; event: WatchEvent };
        if (!watcher.active) continue;
        try {
          watcher.listener.onEvent(copyEvent(event));
        } catch (e) {
          this.end(watcher, new RegistryError('closed', `watch listener threw: ${(e as Error).message}`));
        }
      }
    } finally {
      this.queue.length = 0;
      this.draining = false;
    }
  }
}
