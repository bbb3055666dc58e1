// The name server: a table from names to send rights. Programs reach it through the send right in
// their slot 1 (badged by the kernel with their pid, so the server knows who asks). Operations
// (protocol.ts): REGISTER name + one capability (a send right), LOOKUP name (the reply carries a
// copy), UNREGISTER name. A registered capability must be a send right to a port (no receive
// right, no other kind of object): EINVAL otherwise. Access rules: names are 1-64 printable bytes; "sys/" names belong to
// system tasks (badge 0); a name is unregistered or replaced only by the process that registered
// it; the table holds at most NAMES_MAX entries, at most NAMES_PER_CLIENT per client.

import { RIGHT_RECEIVE, RIGHT_SEND } from '../kernel/ipc/limits.js';
import type { Message } from '../kernel/ipc/objects.js';
import type { TaskApi } from '../kernel/ipc/task-api.js';
import { type Answer, CallServer } from './call-server.js';
import { GLOBAL_PREFIX, type GlobalNames } from './global-names.js';
import { NAME_LOOKUP, NAME_MAX, NAME_REGISTER, NAME_UNREGISTER, opOf } from './protocol.js';

const EPERM = 1;
const ENOENT = 2;
const EEXIST = 17;
const EINVAL = 22;
const EMFILE = 24;
export const NAMES_MAX = 128;
/** Most names one client (badge) may hold, so one client cannot fill the table for everyone. */
export const NAMES_PER_CLIENT = 16;

interface Entry {
  slot: number;
  ownerPid: number;
}

export class NameServer extends CallServer {
  private readonly names = new Map<string, Entry>();

  /** `global`: cluster-wide names ("svc/..."), when the node is in a cluster. */
  constructor(
    api: TaskApi,
    private readonly global: GlobalNames | undefined = undefined,
  ) {
    super(api, 'name');
  }

  protected handle(message: Message, capSlots: number[]): Answer {
    const op = opOf(message.data);
    const answer = this.request(op, message.data.subarray(4), message.badge, capSlots);
    // A registered capability stays in the table; every other carried capability is dropped.
    return { ...answer, keepCaps: answer.code === 0 && op === NAME_REGISTER };
  }

  private request(op: number, raw: Uint8Array, badge: number, caps: number[]): Answer {
    const name = nameOf(raw);
    if (name === undefined) return { code: -EINVAL };
    const entry = this.names.get(name);
    switch (op) {
      case NAME_REGISTER: {
        const slot = caps[0];
        if (caps.length !== 1 || slot === undefined || slot <= 0) return { code: -EINVAL };
        // Only a plain send right to a port is registered: anything else (a receive right, a
        // notification, shared memory) could not be handed out again by LOOKUP.
        const info = this.api.capInfo(slot);
        if (info?.kind !== 'port' || (info.rights & RIGHT_SEND) === 0 || (info.rights & RIGHT_RECEIVE) !== 0)
          return { code: -EINVAL };
        if (name.startsWith('sys/') && badge !== 0) return { code: -EPERM };
        if (entry !== undefined && entry.ownerPid !== badge) return { code: -EEXIST };
        if (entry === undefined && this.names.size >= NAMES_MAX) this.forgetDeadPorts();
        if (entry === undefined && this.names.size >= NAMES_MAX) return { code: -EMFILE };
        if (entry === undefined && this.countOwnedBy(badge) >= NAMES_PER_CLIENT) return { code: -EMFILE };
        if (this.global !== undefined && name.startsWith(GLOBAL_PREFIX)) {
          const cap = this.api.capability(slot);
          const r = cap === undefined ? -EINVAL : this.global.publish(name, cap);
          if (r !== 0) return { code: r };
        }
        if (entry !== undefined) this.api.delete(entry.slot);
        this.names.set(name, { slot, ownerPid: badge });
        return { code: 0 };
      }
      case NAME_LOOKUP:
        if (entry !== undefined) return { code: 0, caps: [entry.slot] };
        return this.lookupGlobal(name);
      case NAME_UNREGISTER:
        if (entry === undefined) return { code: -ENOENT };
        if (entry.ownerPid !== badge) return { code: -EPERM };
        this.names.delete(name);
        this.api.delete(entry.slot);
        if (this.global !== undefined && name.startsWith(GLOBAL_PREFIX)) this.global.unpublish(name);
        return { code: 0 };
      default:
        return { code: -EINVAL };
    }
  }

  /** A name the local table lacks: a global one published by another node, if any. */
  private lookupGlobal(name: string): Answer {
    if (this.global === undefined || !name.startsWith(GLOBAL_PREFIX)) return { code: -ENOENT };
    const cap = this.global.lookup(name);
    if (cap === undefined) return { code: -ENOENT };
    const slot = this.api.adopt(cap);
    if (slot < 0) return { code: slot };
    return { code: 0, caps: [slot], dropAfter: [slot] };
  }

  /** Drops the names whose port has died (its receiver ended), making room in a full table. */
  private forgetDeadPorts(): void {
    for (const [name, e] of this.names) {
      if (this.api.capInfo(e.slot)?.alive !== false) continue;
      this.names.delete(name);
      this.api.delete(e.slot);
    }
  }

  private countOwnedBy(badge: number): number {
    let n = 0;
    for (const e of this.names.values()) if (e.ownerPid === badge) n++;
    return n;
  }
}

/** A valid name (1-64 printable ASCII bytes), or undefined. */
function nameOf(raw: Uint8Array): string | undefined {
  if (raw.length === 0 || raw.length > NAME_MAX) return undefined;
  for (const b of raw) if (b < 0x21 || b > 0x7e) return undefined;
  return String.fromCharCode(...raw);
}
