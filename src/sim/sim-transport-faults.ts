// A simulated node's consensus transport: the node's SimTransport (reliable ordered links) with
// link-level faults the simulator turns on and off — loss, duplication, reordering (a message held
// back while later ones pass) — and the node's pause applied to its inputs. Every delivered
// message is reported to the trace. Raft tolerates all of these; a link never corrupts bytes.

import type { ReplicaTransport } from '../cluster/consensus/replica.js';
import type { NetError } from '../net/errors.js';
import type { Lane } from '../net/frame.js';
import type { NodeId } from '../net/node-id.js';
import { type Random, randomFloat } from '../net/random.js';
import type { SimTransport } from '../net/sim-transport.js';
import type { LinkHandler, MessageHandler } from '../net/transport.js';
import type { VirtualClock } from '../net/virtual-clock.js';
import type { NodeClock } from './node-clock.js';

/** Link-message faults, changed by the fault schedule. */
export interface LinkFaults {
  loss: number;
  duplicate: number;
  reorder: number;
  reorderMs: number;
}

export const NO_LINK_FAULTS: LinkFaults = { loss: 0, duplicate: 0, reorder: 0, reorderMs: 0 };

export class FaultyTransport implements ReplicaTransport {
  readonly self: NodeId;
  private alive = true;

  constructor(
    private readonly inner: SimTransport,
    private readonly nodeClock: NodeClock,
    private readonly clock: VirtualClock,
    private readonly random: Random,
    private readonly faults: () => LinkFaults,
    private readonly trace: (line: string) => void,
  ) {
    this.self = inner.self;
  }

  send(peer: NodeId, lane: Lane, type: number, payload: Uint8Array): NetError | undefined {
    if (!this.alive) return undefined;
    const f = this.faults();
    if (f.loss > 0 && randomFloat(this.random) < f.loss) {
      this.trace(`drop ${this.self}>${peer} t${type}`);
      return undefined;
    }
    const copies = f.duplicate > 0 && randomFloat(this.random) < f.duplicate ? 2 : 1;
    let result: NetError | undefined;
    for (let i = 0; i < copies; i++) {
      if (f.reorder > 0 && randomFloat(this.random) < f.reorder) {
        const delay = randomFloat(this.random) * f.reorderMs;
        this.clock.setTimer(delay, () => {
          if (this.alive) this.inner.send(peer, lane, type, payload);
        });
      } else {
        result = this.inner.send(peer, lane, type, payload) ?? result;
      }
    }
    return result;
  }

  onMessage(handler: MessageHandler): void {
    this.inner.onMessage((peer, lane, type, payload) => {
      this.trace(`recv ${peer}>${this.self} t${type} ${payload.length}`);
      this.nodeClock.run(() => handler(peer, lane, type, payload));
    });
  }

  onLink(handler: LinkHandler): void {
    this.inner.onLink((peer, state, error) => {
      this.trace(`link ${this.self}-${peer} ${state}`);
      this.nodeClock.run(() => handler(peer, state, error));
    });
  }

  /** The node crashed: nothing more leaves it. */
  kill(): void {
    this.alive = false;
  }
}
