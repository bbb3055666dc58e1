// Who may call which admin route (docs/admin-api.md "Access control"): the one table of route → right
// that the mTLS admin listener checks for every request and a node checks for every request a member
// forwards to it. The rights are the registry's (join, spawn, kill, migrate, metrics, acl-admin); a
// route missing from the table needs acl-admin (fail closed), so a new route is never open by mistake.
import type { Right } from '../cluster/registry/index.js';
import { route } from './admin-router.js';
import { checkForwardBody } from './admin-validate.js';

/** The right each route needs, by route name (Route.name). */
export const ROUTE_RIGHTS: Readonly<Record<string, Right>> = {
  node: 'metrics',
  processes: 'metrics',
  metrics: 'metrics',
  nodes: 'metrics',
  'net-ping': 'metrics',
  'net-trace': 'metrics',
  'cluster-status': 'metrics',
  'cluster-members': 'metrics',
  kill: 'kill',
  checkpoint: 'migrate',
  restore: 'spawn',
  spawn: 'spawn',
  migrate: 'migrate',
  'cluster-processes': 'metrics',
  npid: 'metrics',
  'npid-logs': 'metrics',
  'npid-wait': 'metrics',
  'npid-kill': 'kill',
  store: 'metrics',
  'store-location': 'metrics',
  'store-checkpoint': 'migrate',
  'store-restore': 'spawn',
  'cluster-acl': 'acl-admin',
  'cluster-revoke': 'acl-admin',
  'net-block': 'acl-admin',
};

/** The right a route needs when the table does not name it. */
export const DEFAULT_RIGHT: Right = 'acl-admin';

/**
 * The right `method path` needs, or undefined when no route matches (the router answers 404/405).
 * A forward (POST /v1/forward) needs the right of the request it carries, given its `body`.
 */
export function rightFor(method: string, path: string, body = ''): Right | undefined {
  const found = route(method, path);
  if ('response' in found) return undefined;
  if (found.route.name === 'forward') {
    const inner = checkForwardBody(body);
    if (!inner.ok || inner.value.path === '/v1/forward') return undefined;
    return rightFor(inner.value.method, inner.value.path, inner.value.body);
  }
  return ROUTE_RIGHTS[found.route.name] ?? DEFAULT_RIGHT;
}
