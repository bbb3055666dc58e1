// Test fixture: one cluster CA made once per test file (key generation is the slow part), plus
// helpers to issue node and client identities from it at a fixed wall-clock time.
import { type ClusterMaterial, createCluster } from '../../src/cluster/identity/index.js';
import type { NodeId } from '../../src/net/node-id.js';

/** The wall-clock time every test uses (2026-01-01T00:00:00Z), so expiry is controlled. */
export const NOW = Date.UTC(2026, 0, 1);

let cached: Promise<ClusterMaterial> | undefined;
let cachedForeign: Promise<ClusterMaterial> | undefined;

/** The test cluster (made once). */
export function testCluster(): Promise<ClusterMaterial> {
  cached ??= createCluster({ now: NOW });
  return cached;
}

/** Another cluster, for foreign-CA tests (made once). */
export function foreignCluster(): Promise<ClusterMaterial> {
  cachedForeign ??= createCluster({ now: NOW });
  return cachedForeign;
}

export const node = (n: number): NodeId => n as NodeId;
