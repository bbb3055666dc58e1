// The name server: a table from names to send rights. Programs reach it through the send right in
// their slot 1 (badged by the kernel with their pid, so the server knows who asks). Operations
// (protocol.ts): REGISTER name + one capability (a send right), LOOKUP name (the reply carries a
// copy), UNREGISTER name. Access rules: names are 1-64 printable bytes; "sys/" names belong to
// system tasks (badge 0); a name is unregistered or replaced only by the process that registered
// it; the table holds at most NAMES_MAX entries.

import type { TaskApi } from '../kernel/ipc/task-api.js';
import type { Task } from '../kernel/kernel.js';
import { NAME_LOOKUP, NAME_MAX, NAME_REGISTER, NAME_UNREGISTER, opOf, status } from './protocol.js';

const EPERM = 1;
const ENOENT = 2;
const EEXIST = 17;
const EINVAL = 22;
const EMFILE = 24;
export const NAMES_MAX = 128;
/** Requests handled per run, so one busy client cannot hold the node's loop. */
const BATCH = 64;

interface Entry {
  slot: number;
  ownerPid: number;
}

export class NameServer implements Task {
  readonly port: number;
  private readonly names = new Map<string, Entry>();

  constructor(private readonly api: TaskApi) {
    const port = api.createPort();
    if (port < 0) throw new Error(`name server: cannot create its port (${port})`);
    this.port = port;
  }

  get process() {
    return this.api.process;
  }

  run(): void {
    for (let i = 0; i < BATCH; i++) {
      const r = this.api.receive(this.port);
      if (r === undefined || typeof r === 'number') return;
      const { message, capSlots, replySlot } = r;
      const answer = this.handle(opOf(message.data), message.data.subarray(4), message.badge, capSlots);
      for (const slot of capSlots) if (slot > 0 && !this.isKept(slot)) this.api.delete(slot);
      if (replySlot > 0) this.api.reply(replySlot, status(answer.code), answer.caps ?? []);
    }
  }

  private isKept(slot: number): boolean {
    for (const e of this.names.values()) if (e.slot === slot) return true;
    return false;
  }

  private handle(
    op: number,
    raw: Uint8Array,
    badge: number,
    caps: number[],
  ): { code: number; caps?: number[] } {
    const name = nameOf(raw);
    if (name === undefined) return { code: -EINVAL };
    const entry = this.names.get(name);
    switch (op) {
      case NAME_REGISTER: {
        const slot = caps[0];
        if (caps.length !== 1 || slot === undefined || slot <= 0) return { code: -EINVAL };
        if (name.startsWith('sys/') && badge !== 0) return { code: -EPERM };
        if (entry !== undefined && entry.ownerPid !== badge) return { code: -EEXIST };
        if (entry === undefined && this.names.size >= NAMES_MAX) return { code: -EMFILE };
        if (entry !== undefined) this.api.delete(entry.slot);
        this.names.set(name, { slot, ownerPid: badge });
        return { code: 0 };
      }
      case NAME_LOOKUP:
        return entry === undefined ? { code: -ENOENT } : { code: 0, caps: [entry.slot] };
      case NAME_UNREGISTER:
        if (entry === undefined) return { code: -ENOENT };
        if (entry.ownerPid !== badge) return { code: -EPERM };
        this.names.delete(name);
        this.api.delete(entry.slot);
        return { code: 0 };
      default:
        return { code: -EINVAL };
    }
  }
}

/** A valid name (1-64 printable ASCII bytes), or undefined. */
function nameOf(raw: Uint8Array): string | undefined {
  if (raw.length === 0 || raw.length > NAME_MAX) return undefined;
  for (const b of raw) if (b < 0x21 || b > 0x7e) return undefined;
  return String.fromCharCode(...raw);
}
