// Cluster-wide names (issue 13 §2): the name server's GlobalNames hook (src/servers/global-names.ts)
// over the registry. A "svc/..." name registered on any node is written to names/svc/... as a
// PortRef (holder NPID, port id); every node mirrors names/ through a watch, so a lookup answers at
// once from the mirror and yields a send right — a remote reference when the port is elsewhere, a
// local right on its own node. A lookup right after a registration on another node may miss until
// the registry's write reaches this node's mirror (programs retry, as they would a local race).
import type { Capability } from '../../kernel/ipc/cspace.js';
import { RIGHT_GRANT, RIGHT_SEND } from '../../kernel/ipc/limits.js';
import type { Npid } from '../../kernel/npid.js';
import type { GlobalNames } from '../../servers/global-names.js';
import type { RegistryClient } from '../registry/client.js';
import { retryRegistryRead } from '../registry/retry.js';
import { names, type PortRef } from '../registry/schema.js';
import type { WatchHandle } from '../registry/watch.js';
import { NAMES_MAX } from './limits.js';
import type { PortsRouter } from './router.js';

const EINVAL = 22;

export class ClusterNames implements GlobalNames {
  private readonly mirror = new Map<string, PortRef>();
  private watch: WatchHandle | undefined = undefined;

  constructor(
    private readonly router: PortsRouter,
    private readonly registry: RegistryClient,
    private readonly log: (message: string) => void = () => {},
  ) {}

  /** Loads names/ and follows it. */
  async start(): Promise<void> {
    this.watch = await this.registry.watch(
      { prefix: names.prefix },
      {
        onEvent: (e) => {
          const name = e.key.slice(names.prefix.length);
          if (e.type === 'delete' || e.kv === undefined) this.mirror.delete(name);
          else this.remember(name, e.kv.value);
        },
      },
    );
    const list = await retryRegistryRead(() => this.registry.list(names.prefix, NAMES_MAX));
    for (const kv of list.kvs) this.remember(kv.key.slice(names.prefix.length), kv.value);
  }

  close(): void {
    this.watch?.cancel();
  }

  private remember(name: string, value: Uint8Array): void {
    try {
      const ref = names.decode(value);
      if (!this.mirror.has(name) && this.mirror.size >= NAMES_MAX) return;
      this.mirror.set(name, ref);
    } catch (e) {
      this.log(`ports: names/${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  publish(name: string, cap: Capability): number {
    const ref = this.router.refOf(cap);
    if (ref === undefined) return -EINVAL;
    const entry: PortRef = { npid: ref.holder, port: ref.port };
    let key: string;
    let value: Uint8Array;
    try {
      key = names.key(name);
      value = names.encode(entry);
    } catch {
      return -EINVAL; // not a valid global name (names/ has its own pattern)
    }
    this.mirror.set(name, entry);
    this.registry.put(key, value).catch((e: unknown) => {
      this.log(`ports: publishing ${name}: ${e instanceof Error ? e.message : String(e)}`);
    });
    return 0;
  }

  unpublish(name: string): void {
    this.mirror.delete(name);
    this.registry.delete(names.key(name)).catch((e: unknown) => {
      this.log(`ports: withdrawing ${name}: ${e instanceof Error ? e.message : String(e)}`);
    });
  }

  lookup(name: string): Capability | undefined {
    const ref = this.mirror.get(name);
    if (ref === undefined) return undefined;
    return this.router.capabilityFor({
      holder: ref.npid as Npid,
      port: ref.port,
      rights: RIGHT_SEND | RIGHT_GRANT,
      badge: 0,
    });
  }

  /** The names mirrored here (diagnostics, tests). */
  get size(): number {
    return this.mirror.size;
  }
}
