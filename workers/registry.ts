import { NETWORK_ORDER } from '../platform/config/chains.js';
import type { Config } from '../platform/config/config.js';

/**
 * Background processes `npm start` runs besides the subgraphs and the gateway (each its own entrypoint,
 * started after the subgraphs are healthy). Add a worker or a devnet simulator here to have it started.
 */
export interface RegisteredWorker {
  name: string;
  entry: string;
  /** Only in development/test (simulators, local chains); never started when NODE_ENV=production. */
  devOnly?: boolean;
  /** Arguments after the entry (e.g. which network a chain watcher watches). */
  args?: string[];
  /** Started only when this says so (e.g. a chain watcher needs its network's endpoint). */
  enabled?: (config: Config) => boolean;
}

export const workers: RegisteredWorker[] = [
  { name: 'outbox-relay', entry: 'workers/outbox-relay/main.ts' },
  { name: 'price-simulators', entry: 'devnet/prices/main.ts', devOnly: true },
  { name: 'price-feed', entry: 'workers/price-feed/main.ts' },
  { name: 'devnet-chains', entry: 'devnet/chains/main.ts', devOnly: true },
  { name: 'devnet-evm', entry: 'devnet/evm/main.ts', devOnly: true },
  ...NETWORK_ORDER.map((network) => ({
    name: `watcher-${network.toLowerCase()}`,
    entry: 'workers/chain-watchers/main.ts',
    args: ['--network', network],
    enabled: (config: Config) => config.chains.networks[network] !== null,
  })),
];
