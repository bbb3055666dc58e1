// The admin API's route table and its lookup: every route of every module (admin-routes,
// admin-net-routes, admin-cluster-routes, admin-procs-routes, admin-store-routes, admin-migrate, the
// trace stream), and route(), which finds the route for a method and path or the error answer
// (404, 405, 400) saying why there is none. The HTTP servers
// (admin-server.ts), dispatch of forwarded requests and the access table (admin-access.ts) share it.
import { CLUSTER_ROUTES } from './admin-cluster-routes.js';
import { MIGRATE_ROUTES } from './admin-migrate.js';
import { NET_ROUTES } from './admin-net-routes.js';
import { PROCS_ROUTES } from './admin-procs-routes.js';
import { type AdminResponse, failure, ROUTES, type Route } from './admin-routes.js';
import { STORE_ROUTES } from './admin-store-routes.js';

/** The streamed frame trace (admin-trace.ts): served outside the request/response handlers. */
export const TRACE_ROUTE: Route = {
  method: 'GET',
  pattern: /^\/v1\/net\/trace$/,
  name: 'net-trace',
  handler: () => failure(400, 'bad_request', 'the frame trace streams: GET it over HTTP, not forwarded'),
};

export const ALL_ROUTES: readonly Route[] = [
  ...ROUTES,
  ...NET_ROUTES,
  ...CLUSTER_ROUTES,
  ...PROCS_ROUTES,
  ...STORE_ROUTES,
  ...MIGRATE_ROUTES,
  TRACE_ROUTE,
];

/** Finds the route for a request, or the error response (404, 405, 400) saying why there is none. */
export function route(
  method: string,
  path: string,
): { route: Route; params: string[] } | { response: AdminResponse; name: string } {
  const matching = ALL_ROUTES.filter((r) => r.pattern.test(path));
  if (matching.length === 0)
    return { response: failure(404, 'not_found', `no route ${path}`), name: 'unknown' };
  const found = matching.find((r) => r.method === method);
  if (found === undefined) {
    const allowed = matching.map((r) => r.method).join(', ');
    return {
      response: failure(405, 'method_not_allowed', `${method} ${path}: allowed ${allowed}`),
      name: 'unknown',
    };
  }
  try {
    const groups = found.pattern.exec(path)!.slice(1);
    return { route: found, params: groups.map((g) => decodeURIComponent(g ?? '')) };
  } catch {
    return { response: failure(400, 'bad_request', `malformed path ${path.slice(0, 80)}`), name: found.name };
  }
}
