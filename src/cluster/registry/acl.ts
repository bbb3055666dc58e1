// Access control: which principal may do what. ACL entries live under acls/<principal> in the
// registry; `*` grants rights to every authenticated principal. allowed() is the one check the admin
// API and every node-to-node request call.

import type { RegistryClient } from './client.js';
import { type AclEntry, acls, type Right } from './schema.js';
import type { KeyValue } from './types.js';

/** ACL entries by principal, as read from the registry. */
export type AclTable = ReadonlyMap<string, AclEntry>;

/** The ACL table held by `kvs` (a list of the acls/ prefix); entries that do not decode are skipped. */
export function aclTable(kvs: readonly KeyValue[]): AclTable {
  const table = new Map<string, AclEntry>();
  for (const kv of kvs) {
    if (!kv.key.startsWith(acls.prefix)) continue;
    try {
      const entry = acls.decode(kv.value);
      if (acls.key(entry.principal) === kv.key) table.set(entry.principal, entry);
    } catch {
      // A malformed entry grants nothing; the schema rejects it on write, so this is a corrupt value.
    }
  }
  return table;
}

/** Whether `principal` holds `right`, directly or through the `*` entry. */
export function allowed(table: AclTable, principal: string, right: Right): boolean {
  return (
    (table.get(principal)?.rights.includes(right) ?? false) ||
    (table.get('*')?.rights.includes(right) ?? false)
  );
}

/** allowed() against the registry's current ACLs (one linearizable read of the acls/ prefix). */
export async function checkAccess(client: RegistryClient, principal: string, right: Right): Promise<boolean> {
  const { kvs } = await client.list(acls.prefix);
  return allowed(aclTable(kvs), principal, right);
}
