// The loop every system server shares: a port of its own, and on each run up to BATCH requests
// taken from it, each answered through its reply capability with a status (protocol.ts) and any
// capabilities the handler returns. Capabilities a request carried are deleted afterwards unless
// the handler keeps them. Nothing a client sends can stop the loop: a request the server cannot
// take is dropped (its caller gets EPIPE), and a reply always goes out, with the error if need be.

import type { Message } from '../kernel/ipc/objects.js';
import type { TaskApi } from '../kernel/ipc/task-api.js';
import type { Task } from '../kernel/kernel.js';
import { status } from './protocol.js';

const EPIPE = 32;

/** Requests handled per run, so one busy client cannot hold the node's loop. */
const BATCH = 64;

export interface Answer {
  /** 0 or -errno. */
  code: number;
  /** Capabilities (slots in the server's space) to carry in the reply (copied). */
  caps?: number[];
  /** True when the server keeps the capabilities the request carried. */
  keepCaps?: boolean;
  /** Slots of the server's own to delete once the reply has gone (capabilities made for it). */
  dropAfter?: number[];
}

export abstract class CallServer implements Task {
  readonly port: number;

  constructor(
    protected readonly api: TaskApi,
    name: string,
  ) {
    const port = api.createPort();
    if (port < 0) throw new Error(`${name} server: cannot create its port (${port})`);
    this.port = port;
  }

  get process() {
    return this.api.process;
  }

  /** Handles one request; `capSlots` are the slots its capabilities now have here (0: revoked). */
  protected abstract handle(message: Message, capSlots: number[]): Answer;

  run(): void {
    for (let i = 0; i < BATCH; i++) {
      const r = this.api.receive(this.port);
      if (r === undefined) return;
      if (typeof r === 'number') {
        // A request the server cannot take (no room for what it carries) is dropped, so it cannot
        // stop the server answering everyone else; its caller's call ends with EPIPE.
        if (this.api.discard(this.port) <= 0) return;
        continue;
      }
      const answer = this.handle(r.message, r.capSlots);
      if (!answer.keepCaps) for (const slot of r.capSlots) if (slot > 0) this.api.delete(slot);
      if (r.replySlot > 0) this.answer(r.replySlot, answer);
      for (const slot of answer.dropAfter ?? []) this.api.delete(slot);
    }
  }

  /** Replies with the answer; if its capabilities cannot travel, with the error alone. */
  private answer(replySlot: number, answer: Answer): void {
    const r = this.api.reply(replySlot, status(answer.code), answer.caps ?? []);
    if (r === 0 || r === -EPIPE) return;
    if (this.api.reply(replySlot, status(r)) !== 0) this.api.delete(replySlot);
  }
}
