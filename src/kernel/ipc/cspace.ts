// Capabilities and capability spaces. A capability names one kernel object with rights and a badge;
// a process reaches objects only through the slots of its capability space. Derived copies form a
// tree (seL4's derivation tree) so that revoking a capability removes everything derived from it,
// in every process. A capability travelling in a message belongs to no space until received.
import { assert } from '../assert.js';

/** What a capability can name (ports, port sets, notifications, replies, shared memory). */
export interface CapObject {
  readonly kind: 'port' | 'portset' | 'notification' | 'reply' | 'shm';
  /** Unique across nodes (images and wait records name objects by it). */
  readonly id: number;
  /** Counts one more holder (shared memory frames live while any capability or mapping holds them). */
  hold?(): void;
}

export class Capability {
  parent: Capability | undefined = undefined;
  /** Capabilities derived from this one; made on first use (most capabilities never have any). */
  private derived: Set<Capability> | undefined = undefined;
  /** The space holding it and its slot there (undefined while in a message or once deleted). */
  space: CapSpace | undefined = undefined;
  slot = 0;
  deleted = false;

  constructor(
    readonly object: CapObject,
    readonly rights: number,
    readonly badge: number,
  ) {}

  get children(): Set<Capability> {
    if (this.derived === undefined) this.derived = new Set();
    return this.derived;
  }

  has(rights: number): boolean {
    return (this.rights & rights) === rights;
  }

  /** A copy with `rights` (a subset) and `badge`, recorded as derived from this one. */
  derive(rights: number, badge: number): Capability {
    assert((rights & ~this.rights) === 0, 'derived rights exceed the source');
    const child = new Capability(this.object, rights, badge);
    this.object.hold?.();
    child.parent = this;
    this.children.add(child);
    return child;
  }

  /** Takes it out of the derivation tree; its children move up to its parent. */
  unlink(): void {
    if (this.derived !== undefined) {
      for (const c of this.derived) {
        c.parent = this.parent;
        this.parent?.children.add(c);
      }
      this.derived.clear();
    }
    this.parent?.children.delete(this);
    this.parent = undefined;
  }
}

export class CapSpace {
  /**
   * Capabilities by slot (slots are small: at most the space's limit, and images bound them). An
   * array, not a Map: a reply capability in and out of a server's space on every call would make
   * V8 rebuild a Map's backing store every few calls.
   */
  private readonly slots: (Capability | undefined)[] = [];
  private count = 0;

  constructor(
    readonly ownerPid: number,
    public limit: number,
  ) {}

  get size(): number {
    return this.count;
  }

  get(slot: number): Capability | undefined {
    return slot > 0 ? this.slots[slot] : undefined;
  }

  /** Puts `cap` in the lowest free slot (from 1); -1 when the space is full. */
  insert(cap: Capability, from = 1): number {
    if (this.count >= this.limit) return -1;
    let slot = from;
    while (this.slots[slot] !== undefined) slot++;
    this.place(cap, slot);
    return slot;
  }

  /** Puts `cap` in `slot`, which must be free. */
  place(cap: Capability, slot: number): void {
    if (!(slot > 0) || this.slots[slot] !== undefined || cap.space !== undefined)
      assert(false, `slot ${slot} taken or cap already placed`);
    while (this.slots.length < slot) this.slots.push(undefined);
    this.slots[slot] = cap;
    this.count++;
    cap.space = this;
    cap.slot = slot;
  }

  /** Removes the capability in `slot` from this space (it stays in the derivation tree). */
  take(slot: number): Capability | undefined {
    const cap = this.get(slot);
    if (cap === undefined) return undefined;
    this.slots[slot] = undefined;
    this.count--;
    cap.space = undefined;
    cap.slot = 0;
    return cap;
  }

  /** The capabilities in slot order. */
  *values(): IterableIterator<Capability> {
    const slots = this.slots;
    for (let i = 1; i < slots.length; i++) {
      const cap = slots[i];
      if (cap !== undefined) yield cap;
    }
  }
}
