import { basename, dirname, relative } from 'node:path';

/**
 * The name a process reports its spans under, from the entrypoint it runs: `gateway/main.ts` → `gateway`,
 * `subgraphs/ledger/main.ts` → `ledger`, `workers/chain-watchers/main.ts --network ETH` → `chain-watcher-eth`,
 * `workers/outbox-relay/main.ts` → `outbox-relay`; another script → its file name (`scripts/migrate.ts` → `migrate`).
 */
export function serviceNameOf(argv: readonly string[], cwd: string): string {
  const entry = argv[1] ?? 'node';
  const path = relative(cwd, entry).replace(/\\/g, '/');
  const name = basename(path).replace(/\.[cm]?[jt]s$/, '');
  const base = name === 'main' ? basename(dirname(path)) : name;
  const network = argv.indexOf('--network');
  if (base === 'chain-watchers') return `chain-watcher-${(argv[network + 1] ?? 'unknown').toLowerCase()}`;
  return base;
}
