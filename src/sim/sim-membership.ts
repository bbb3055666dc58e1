// SWIM membership inside a simulated node: the pure Membership state machine over the node's own
// transport — datagrams through the SimNetwork (with its loss, duplication, reordering and
// partitions), the reliable channel over a link (app type APP_TYPE_SWIM, control lane) — and the
// node's clock (drift, pause). Messages travel as the daemon's bytes (src/cluster/membership/codec.ts:
// a Datagram on the datagram channel, a MembershipMessage on the reliable one), and the membership
// layer validates every message it receives, so this is the daemon's decode path.

import {
  decodeDatagram,
  decodeMembership,
  encodeDatagram,
  encodeMembership,
  MembershipWireError,
} from '../cluster/membership/codec.js';
import type { MembershipEvent } from '../cluster/membership/member.js';
import { Membership } from '../cluster/membership/membership.js';
import type { MembershipMessage } from '../cluster/membership/messages.js';
import type { Timer } from '../net/clock.js';
import { formatNodeId, type NodeId, parseNodeId } from '../net/node-id.js';
import type { Random } from '../net/random.js';
import type { SimTransport } from '../net/sim-transport.js';
import type { NodeClock } from './node-clock.js';
import type { FaultyTransport } from './sim-transport-faults.js';

/**
 * The app type of membership messages on the reliable channel in protocol-only mode. The whole-node
 * mode passes the daemon's own (MEMBERSHIP, 10): 32 and up belong to the cluster services there.
 */
export const APP_TYPE_SWIM = 32;

export const simAddress = (id: NodeId): string => `sim:${formatNodeId(id)}`;

export class SwimAgent {
  readonly membership: Membership;
  private timer: Timer | undefined;
  private dead = false;
  undecodable = 0;

  constructor(
    readonly id: NodeId,
    private readonly inner: SimTransport,
    private readonly links: FaultyTransport,
    private readonly clock: NodeClock,
    random: Random,
    seeds: readonly NodeId[],
    private readonly onEvent: (e: MembershipEvent) => void,
    private readonly appType = APP_TYPE_SWIM,
  ) {
    this.membership = new Membership({ id, addresses: [simAddress(id)], random, now: clock.now() });
    inner.onDatagram((from, payload) => clock.run(() => this.input(simAddress(from), payload, 'datagram')));
    links.onMessage((peer, _lane, type, payload) => {
      if (type === this.appType) this.input(simAddress(peer), payload, 'reliable');
    });
    this.membership.join(seeds.map(simAddress), clock.now());
    this.flush();
  }

  kill(): void {
    this.dead = true;
    this.timer?.cancel();
  }

  private input(from: string, payload: Uint8Array, channel: 'datagram' | 'reliable'): void {
    if (this.dead) return;
    let message: MembershipMessage | undefined;
    if (channel === 'datagram') {
      const d = decodeDatagram(payload);
      message = d instanceof MembershipWireError || !('membership' in d) ? undefined : d.membership;
    } else {
      const m = decodeMembership(payload);
      message = m instanceof MembershipWireError ? undefined : m;
    }
    if (message === undefined) {
      this.undecodable++;
      return;
    }
    // receive() validates the message's shape (validateMessage) before using it.
    this.membership.receive(from, message, this.clock.now(), channel);
    this.flush();
  }

  private flush(): void {
    if (this.dead) return;
    for (const o of this.membership.drain()) {
      if (o.type === 'event') {
        this.onEvent(o.event);
        continue;
      }
      if (o.channel === 'datagram') {
        this.inner.sendDatagram(o.to, encodeDatagram({ membership: o.message }));
      } else {
        const peer = parseNodeId(o.to.replace(/^sim:/, ''));
        if (peer !== undefined) this.links.send(peer, 'control', this.appType, encodeMembership(o.message));
      }
    }
    this.timer?.cancel();
    const due = this.membership.nextDeadline();
    if (!Number.isFinite(due)) return;
    this.timer = this.clock.setTimer(Math.max(0, due - this.clock.now()), () => {
      if (this.dead) return;
      this.membership.tick(this.clock.now());
      this.flush();
    });
  }
}
