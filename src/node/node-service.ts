// The services every node runs on its home, one-shot or long-running: the log (node.log), the
// metrics registry and the admin API on admin.sock, over whatever NodeKernel it drives.
import { prepareJoin } from '../cluster/identity/index.js';
import type { Kernel } from '../kernel/kernel.js';
import type { NodeId } from '../net/node-id.js';
import { rightFor } from './admin-access.js';
import type { AdminContext } from './admin-routes.js';
import { AdminServer, dispatch } from './admin-server.js';
import { AdminTlsServer } from './admin-tls.js';
import { ClusterNet } from './cluster-net.js';
import { type ClusterService, startClusterServices, stopClusterServices } from './cluster-services.js';
import type { NodeHome } from './home.js';
import {
  hasClusterIdentity,
  IdentityStoreError,
  loadIdentity,
  readClusterInfo,
  saveJoinedIdentity,
} from './identity-store.js';
import { JoinExchangeError, JoinServer, requestJoin } from './join-exchange.js';
import { JOIN_SEEDS_MAX } from './limits.js';
import type { Logger } from './logger.js';
import { openNodeLog } from './logger.js';
import { NodeMetrics } from './metrics.js';
import { formatNodeId, type NodeKernel } from './node-kernel.js';

/** How a node takes part in the cluster (`node start --listen`). */
export interface NetworkOptions {
  listen: { host: string; port: number };
  /** Seed addresses (host:port) from --join. */
  seeds: readonly string[];
  /** A join token (--token): needed once, on a home without a cluster identity. */
  token?: string | undefined;
  /** Opt-in LAN multicast beacons (--discover multicast). */
  discover?: { port?: number } | undefined;
  /** The mTLS admin listener (--admin-listen HOST:PORT; port 0: the OS picks). */
  adminListen?: { host: string; port: number } | undefined;
}

export interface NodeService {
  readonly log: Logger;
  readonly socketPath: string;
  /** The network side (with NetworkOptions). */
  readonly cluster: ClusterNet | undefined;
  /** host:port of the mTLS admin listener (with --admin-listen). */
  readonly adminAddress: string | undefined;
  /** Stops the admin API (removing the socket) and closes the log. Idempotent. */
  stop(): Promise<void>;
}

/** Starts the log, metrics and admin API of the node at `home`; `changed` wakes its driver. */
export async function startNodeService(
  home: NodeHome,
  kernel: NodeKernel,
  changed: () => void,
  network?: NetworkOptions,
  machine?: Kernel,
): Promise<NodeService> {
  const nodeName = formatNodeId(home.identity.id);
  const nodeLog = openNodeLog(home.paths.log, nodeName);
  const log = nodeLog.log;
  let server: AdminServer;
  const ctx: AdminContext = {
    kernel,
    identity: home.identity,
    home: home.dir,
    startedAt: performance.now(),
    metrics: new NodeMetrics(kernel, { node: nodeName }),
    log,
    changed,
    machine,
  };
  let services: ClusterService[] = [];
  let adminTls: AdminTlsServer | undefined;
  if (network) ctx.metrics.network = () => ctx.cluster;
  try {
    if (network) await ensureMember(home, network, log);
    server = await AdminServer.listen(home.paths.socket, ctx);
  } catch (err) {
    log.error({ err: (err as Error).message }, 'node failed to start');
    nodeLog.close();
    throw err;
  }
  if (network) {
    try {
      ctx.cluster = await ClusterNet.start(
        {
          home: home.dir,
          identity: loadIdentity(home.dir),
          listen: network.listen,
          seeds: network.seeds,
          discover: network.discover,
          log,
          dispatch: (method, path, body) => dispatch(ctx, method, path, body),
          rightFor,
        },
        new JoinServer(home.dir, log, home.identity.id as NodeId),
      );
    } catch (err) {
      log.error({ err: (err as Error).message }, 'node failed to start its network side');
      await server.close();
      nodeLog.close();
      throw err;
    }
    log.info({ address: ctx.cluster.address, seeds: network.seeds }, 'listening for nodes');
    try {
      services = await startClusterServices({
        home: home.dir,
        kernel: machine,
        nodeKernel: kernel,
        net: ctx.cluster,
        log,
        changed,
      });
    } catch (err) {
      log.error({ err: (err as Error).message }, 'node failed to start its cluster services');
      await ctx.cluster.stop();
      await server.close();
      nodeLog.close();
      throw err;
    }
    if (network.adminListen) {
      const id = loadIdentity(home.dir);
      try {
        adminTls = await AdminTlsServer.listen(ctx, {
          ...network.adminListen,
          keyPem: id.nodeKeyPem,
          certPem: id.nodeCertPem,
          caPem: id.caCertPem,
          clusterId: id.info.clusterId,
        });
      } catch (err) {
        log.error({ err: (err as Error).message }, 'node failed to start its admin listener');
        await stopClusterServices(services, log);
        await ctx.cluster.stop();
        await server.close();
        nodeLog.close();
        throw err;
      }
      log.info({ address: adminTls.address }, 'admin listener (mTLS) up');
    }
  }
  log.info({ home: home.dir, oneshot: home.identity.oneshot, socket: home.paths.socket }, 'node started');
  let stopped: Promise<void> | undefined;
  return {
    log,
    socketPath: home.paths.socket,
    cluster: ctx.cluster,
    adminAddress: adminTls?.address,
    stop: () => {
      stopped ??= (async () => {
        await adminTls?.close();
        await stopClusterServices(services, log);
        await ctx.cluster?.stop();
        await server.close();
        log.info('node stopped');
        nodeLog.close();
      })();
      return stopped;
    },
  };
}

/**
 * Makes sure the home has a cluster identity before the node listens: a member already has one; a
 * new home joins with the token through the first seed that answers (a refusal is final). Every
 * refusal is logged and thrown; nothing is stored unless the join succeeded and was checked.
 */
async function ensureMember(home: NodeHome, network: NetworkOptions, log: Logger): Promise<void> {
  if (network.seeds.length > JOIN_SEEDS_MAX)
    throw new IdentityStoreError(`at most ${JOIN_SEEDS_MAX} --join seeds`);
  if (hasClusterIdentity(home.dir)) {
    const info = readClusterInfo(home.dir);
    if (info.nodeId !== formatNodeId(home.identity.id))
      throw new IdentityStoreError(
        `${home.dir}: cluster.json names node ${info.nodeId}, node.json ${formatNodeId(home.identity.id)}`,
      );
    if (network.token !== undefined)
      log.warn({ cluster: info.clusterId }, 'already a cluster member: --token ignored');
    return;
  }
  if (network.token === undefined) {
    throw new IdentityStoreError(
      `${home.dir} has no cluster identity: run pakaya cluster init, or join with --join HOST:PORT --token T (from pakaya cluster token on the CA node)`,
    );
  }
  if (network.seeds.length === 0)
    throw new IdentityStoreError('joining needs a seed: --join HOST:PORT of the CA node');
  const prepared = await prepareJoin(network.token, home.identity.id as Parameters<typeof prepareJoin>[1]);
  let lastError: Error | undefined;
  for (const seed of network.seeds) {
    try {
      const { joined, caNodeId } = await requestJoin(seed, prepared);
      saveJoinedIdentity(home.dir, joined, caNodeId);
      log.info({ seed, cluster: joined.clusterId }, 'joined the cluster');
      return;
    } catch (err) {
      if (!(err instanceof JoinExchangeError)) {
        log.warn({ seed, err: (err as Error).message }, 'join refused');
        throw err;
      }
      log.warn({ seed, err: err.message }, 'join exchange failed');
      lastError = err;
    }
  }
  throw lastError ?? new JoinExchangeError('no seed answered');
}
