// `--discover multicast`: an opt-in LAN beacon. Every BEACON_INTERVAL_MS the node multicasts its
// membership beacon (cluster id, node id, addresses) to MULTICAST_GROUP:MULTICAST_PORT, sealed
// with the cluster key exactly like every other datagram (UdpTransport.seal); what arrives is
// opened by UdpTransport.receive (forged and replayed beacons are dropped there) and handed to
// Membership.handleBeacon, which ignores other clusters. Off by default: seeds (--join) are the
// normal way in.
import * as dgram from 'node:dgram';
import type { UdpTransport } from '../net/udp-transport.js';
import { BEACON_INTERVAL_MS } from './limits.js';
import type { Logger } from './logger.js';

/** The administratively scoped group and the port the beacons use. */
export const MULTICAST_GROUP = '239.255.80.75';
export const MULTICAST_PORT = 7947;

export class LanDiscovery {
  private timer: NodeJS.Timeout | undefined;
  private constructor(
    private readonly socket: dgram.Socket,
    private readonly port: number,
  ) {}

  /** Joins the group; `beacon()` gives the payload to send each interval. */
  static async start(
    udp: UdpTransport,
    beacon: () => Uint8Array,
    log: Logger,
    port = MULTICAST_PORT,
  ): Promise<LanDiscovery> {
    const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
    socket.on('error', (e) => log.warn({ err: e.message }, 'multicast discovery socket error'));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind(port, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    socket.addMembership(MULTICAST_GROUP);
    socket.setMulticastLoopback(true);
    socket.setMulticastTTL(1);
    socket.on('message', (msg, rinfo) => udp.receive(msg, `${rinfo.address}:${rinfo.port}`));
    const d = new LanDiscovery(socket, port);
    const send = (): void => {
      socket.send(udp.seal(beacon()), d.port, MULTICAST_GROUP, (err) => {
        if (err) log.debug({ err: err.message }, 'multicast beacon not sent');
      });
    };
    send();
    d.timer = setInterval(send, BEACON_INTERVAL_MS);
    d.timer.unref();
    log.info({ group: `${MULTICAST_GROUP}:${port}` }, 'multicast discovery on');
    return d;
  }

  stop(): Promise<void> {
    clearInterval(this.timer);
    return new Promise((r) => this.socket.close(() => r()));
  }
}
