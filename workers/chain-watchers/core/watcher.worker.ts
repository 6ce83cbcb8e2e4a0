import type { ChainSettings, ChainsConfig } from '../../../platform/config/chains.js';
import type { ChainWatcherConfig } from '../../../platform/config/config.js';
import { Metrics } from '../../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../../platform/http/server.js';
import type { Logger } from '../../../platform/logger.js';
import type { Network } from '../../../platform/money/assets.js';
import { openDepositStore } from '../../../subgraphs/wallet/ports.js';
import { createEvmSource } from '../evm/evm.source.js';
import { createTonSource } from '../ton/ton.source.js';
import { createTronSource } from '../tron/tron.source.js';
import type { ChainSource } from '../../../chains/source.js';
import { createWatcherMetrics, type WatcherMetrics } from './watcher.metrics.js';
import { ChainWatcher, type ChainWatcherSettings } from './watcher.js';

export interface RunningChainWatcher {
  network: Network;
  watcher: ChainWatcher;
  source: ChainSource;
  metrics: WatcherMetrics;
  registry: Metrics;
  url: string;
  close(): Promise<void>;
}

export interface ChainWatcherWorkerOptions {
  /** Port for /health and /metrics (0 = ephemeral); default the network's watcher port. */
  port?: number;
  /** Another chain source (tests: a hostile proxy, a second endpoint). */
  source?: ChainSource;
  /** Start polling at once (default true); tests may drive `watcher.step()`. */
  start?: boolean;
  /** Overrides of the configured watcher settings. */
  settings?: Partial<ChainWatcherSettings>;
}

/** The chain source for a network's configured endpoint. */
export function createChainSource(settings: ChainSettings, log: Logger): ChainSource {
  switch (settings.network) {
    case 'ETH':
    case 'BSC':
      return createEvmSource({
        network: settings.network,
        rpcUrl: settings.url,
        usdtContract: settings.usdtContract,
        chainId: settings.evmChainId,
        genesisHash: settings.genesisHash,
        log,
      });
    case 'TRON':
      return createTronSource({
        baseUrl: settings.url,
        apiKey: settings.apiKey,
        usdtContract: settings.usdtContract,
        genesisHash: settings.genesisHash,
        log,
      });
    case 'TON':
      return createTonSource({
        baseUrl: settings.url,
        apiKey: settings.apiKey,
        usdtMaster: settings.usdtContract,
        zeroStateHash: settings.genesisHash,
        log,
      });
  }
}

export function watcherSettings(
  chains: ChainsConfig,
  settings: ChainSettings,
  production: boolean,
): ChainWatcherSettings {
  return {
    pollMs: settings.pollMs,
    batchBlocks: chains.scanBatchBlocks,
    startHeight: settings.startHeight,
    reorgWindow: chains.reorgWindow,
    // Only a devnet may start over on a replaced chain; in production another chain at the endpoint (no common
    // ancestor, a head far below the cursor, a changed first block) halts and alerts.
    allowChainReset: !production && chains.devnet !== null,
  };
}

/**
 * One network's deposit watcher process: the wallet schema (migrated if needed), the chain source, the
 * watcher loop, and /health (database, and a step completed recently and not halted) and /metrics.
 */
export async function startChainWatcherWorker(
  config: ChainWatcherConfig,
  log: Logger,
  network: Network,
  options: ChainWatcherWorkerOptions = {},
): Promise<RunningChainWatcher> {
  const settings = config.chains.networks[network];
  if (!settings) throw new Error(`${network} has no endpoint configured (CHAIN_${network}_…): its watcher is off`);
  const wlog = log.child({ network });
  const store = await openDepositStore({
    databaseUrl: config.database.url,
    network,
    confirmations: settings.confirmations,
    reorgWindow: config.chains.reorgWindow,
    log: wlog,
  });
  const source = options.source ?? createChainSource(settings, wlog);
  const registry = new Metrics(`chain-watcher-${network.toLowerCase()}`);
  registry.trackDatabase(store.database);
  const metrics = createWatcherMetrics(registry.registry);
  const resolved = { ...watcherSettings(config.chains, settings, config.env === 'production'), ...options.settings };
  const watcher = new ChainWatcher({
    source,
    ingest: store.writer,
    em: store.em,
    settings: resolved,
    log: wlog,
    metrics,
  });
  const staleAfterMs = Math.max(10 * resolved.pollMs, 60_000);
  const started = Date.now();
  const http = createHttpServer({
    service: `chain-watcher-${network.toLowerCase()}`,
    log: wlog,
    metrics: registry,
    health: {
      database: () => store.ping(),
      chain: async () => {
        const { lastSuccessAt, halted } = watcher.status();
        if (halted) throw new Error(`halted: ${halted}`);
        const since = Date.now() - (lastSuccessAt || started);
        // A node stuck behind the cursor or failing rounds: no deposit advances, so not healthy once it lasts.
        if (since > staleAfterMs) throw new Error(`no round in step with the chain for ${Math.round(since / 1000)}s`);
      },
    },
    routes: {},
  });
  const server = await listen(http, options.port ?? settings.watcherPort, config.host);
  if (options.start ?? true) watcher.start();
  wlog.info(
    {
      endpoint: redactUrl(settings.url),
      confirmations: settings.confirmations,
      pollMs: resolved.pollMs,
      health: `${server.url}/health`,
    },
    'chain watcher running',
  );
  return {
    network,
    watcher,
    source,
    metrics,
    registry,
    url: server.url,
    async close() {
      await watcher.stop();
      await server.close(1000);
      await store.close();
    },
  };
}

/** An endpoint for logs: no credentials or query string (some providers put the API key in the path or query). */
function redactUrl(url: string): string {
  const u = new URL(url);
  return `${u.protocol}//${u.host}${u.pathname.length > 24 ? '/…' : u.pathname}`;
}
