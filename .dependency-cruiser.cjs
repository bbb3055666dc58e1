// Layer rules from DESIGN.md §2: imports only go down.
// machine <- kernel <- cluster <- node <- cli, dashboard; net beside kernel under cluster;
// servers above kernel; sim may use anything below node.
const layer = (name, forbidden) => ({
  name: `${name}-imports-only-down`,
  comment: `src/${name} may not import from ${forbidden.join(', ')} (DESIGN.md §2)`,
  severity: 'error',
  from: { path: `^src/${name}/` },
  to: { path: `^src/(${forbidden.join('|')})/` },
});

module.exports = {
  forbidden: [
    layer('machine', ['kernel', 'servers', 'net', 'cluster', 'node', 'sim', 'cli', 'dashboard']),
    layer('kernel', ['servers', 'net', 'cluster', 'node', 'sim', 'cli', 'dashboard']),
    layer('servers', ['net', 'cluster', 'node', 'sim', 'cli', 'dashboard']),
    layer('net', ['kernel', 'servers', 'cluster', 'node', 'sim', 'cli', 'dashboard']),
    layer('cluster', ['node', 'sim', 'cli', 'dashboard']),
    layer('sim', ['node', 'cli', 'dashboard']),
    layer('node', ['cli', 'dashboard']),
    {
      name: 'no-circular',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'core-no-host-io',
      comment: 'machine, kernel and cluster take Clock/Random/Transport/Storage as parameters (DESIGN.md §3)',
      severity: 'error',
      from: { path: '^src/(machine|kernel|cluster)/' },
      to: { path: '^(node:)?(fs|net|dgram|tls|http|https|child_process|worker_threads)$', dependencyTypes: ['core'] },
    },
    {
      name: 'net-protocol-no-host-io',
      comment: 'net protocol code takes Clock/Random/Transport; only the transport drivers touch sockets (DESIGN.md §3)',
      severity: 'error',
      from: { path: '^src/net/', pathNot: '^src/net/(tls-transport|udp-transport)\\.ts$' },
      to: { path: '^(node:)?(fs|net|dgram|tls|http|https|child_process|worker_threads)$', dependencyTypes: ['core'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
