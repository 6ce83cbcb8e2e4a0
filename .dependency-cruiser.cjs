// Import directions between the layers (docs/architecture.md). `npm run lint` runs this; an arrow = "may import":
//   platform ← chains ← providers ← subgraphs;  gateway → platform;  workers → platform, chains, providers, subgraph ports;
//   clients → platform, providers, clients/sdk;  devnet, bench, scripts and tests may import anything;  nothing in production imports devnet/ or testing/.
// Test files and test support are outside the rules: a test may reach into anything it exercises.
const TESTS = '(\\.test\\.ts$|^testing/|/testing/)';
const NOT_PRODUCTION = '^(devnet|bench|scripts|testing)/|' + TESTS + '|^(codegen|vitest\\.config)\\.ts$';

/** A rule: files under `from` (production code only) may not import anything matching `to`. */
function forbid(name, comment, from, to) {
  return { name, comment, severity: 'error', from: { path: from, pathNot: NOT_PRODUCTION }, to: { path: to } };
}

module.exports = {
  forbidden: [
    forbid(
      'platform-is-the-bottom',
      'platform/ imports nothing above it',
      '^platform/',
      '^(chains|providers|subgraphs|gateway|workers|devnet|bench|scripts|testing|clients)/',
    ),
    forbid(
      'chains-on-platform-only',
      'chains/ may import platform/ only',
      '^chains/',
      '^(providers|subgraphs|gateway|workers|devnet|bench|scripts|testing|clients)/',
    ),
    forbid(
      'providers-below-subgraphs',
      'providers/ may import platform/ and chains/ only',
      '^providers/',
      '^(subgraphs|gateway|workers|devnet|bench|scripts|testing|clients)/',
    ),
    forbid(
      'subgraphs-below-edges',
      'subgraphs/ may import platform/, chains/ and providers/',
      '^subgraphs/',
      '^(gateway|workers|devnet|bench|scripts|testing|clients)/',
    ),
    {
      name: 'subgraphs-own-their-code',
      comment: "a subgraph never imports another subgraph's files (it learns of others through federation or events)",
      severity: 'error',
      from: { path: '^subgraphs/([^/]+)/', pathNot: NOT_PRODUCTION },
      to: { path: '^subgraphs/([^/]+)/', pathNot: '^subgraphs/$1/' },
    },
    forbid(
      'gateway-on-platform-only',
      'the gateway may import platform/ (and its own generated schema) only',
      '^gateway/',
      '^(chains|providers|subgraphs|workers|devnet|bench|scripts|testing)/',
    ),
    forbid(
      'workers-use-ports-only',
      "workers may import platform/, chains/, providers/ and a subgraph's public port (subgraphs/<name>/port.ts, ports.ts or ports/) only",
      '^workers/',
      '^(gateway|devnet|bench|scripts|testing)/|^subgraphs/(?![^/]+/(ports?\\.ts$|ports/))',
    ),
    forbid(
      'clients-through-the-gateway',
      'clients/ (the bot) are GraphQL clients of the gateway: they may import platform/, providers/ and clients/sdk, never a subgraph, the gateway or a worker',
      '^clients/',
      '^(chains|subgraphs|gateway|workers|devnet|bench|scripts|testing)/',
    ),
    forbid(
      'no-devnet-in-production',
      'production code never imports devnet/ or a simulator',
      '^(platform|chains|providers|subgraphs|gateway|workers|clients)/',
      '^devnet/|\\.simulator\\.ts$',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|\\.tmp|clients/sdk)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js', '.cjs', '.json'] },
  },
};
