import { Counter, Gauge } from 'prom-client';
import { connectNats, pingNats } from '../../platform/bus/nats.js';
import type { PriceFeedConfig } from '../../platform/config/config.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { createRedis, pingRedis } from '../../platform/redis.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import type { PriceSource } from '../../providers/price-source.port.js';
import { openPriceFeed, type RefreshResult } from '../../subgraphs/market/ports.js';

const PRUNE_EVERY_MS = 3_600_000;

export interface RunningPriceFeed {
  url: string;
  /** Runs one round now (tests); resolves with its result, or null when another process held the lock. */
  tick(): Promise<RefreshResult | null>;
  close(): Promise<void>;
}

export interface PriceFeedWorkerOptions {
  /** Price sources instead of the configured providers (tests). */
  sources?: readonly PriceSource[];
  /** Start polling at once (default true); tests may drive `tick()` themselves. */
  poll?: boolean;
}

/**
 * The price-feed process: every PRICE_POLL_INTERVAL_MS, under the refresh lock shared with the market
 * subgraph, fetch every provider once, cache the median prices, store ticks and candles and publish
 * `market.price.updated` on core NATS; hourly, prune old ticks and candles. Serves /health and /metrics.
 */
export async function startPriceFeedWorker(
  config: PriceFeedConfig,
  log: Logger,
  port: number,
  options: PriceFeedWorkerOptions = {},
): Promise<RunningPriceFeed> {
  const settings = config.prices;
  const redis = createRedis(config.redis.url, log);
  const nats = await connectNats(config.nats, 'price-feed', log);
  const feed = await openPriceFeed({
    config,
    log,
    redis,
    nats,
    ...(options.sources ? { sources: options.sources } : {}),
  });

  const metrics = new Metrics('price-feed');
  metrics.trackDatabase(feed.database);
  const rounds = new Counter({
    name: 'price_feed_rounds_total',
    help: 'Polling rounds by outcome',
    labelNames: ['outcome'],
    registers: [metrics.registry],
  });
  const sourceFailures = new Counter({
    name: 'price_feed_source_failures_total',
    help: 'Failed provider calls',
    labelNames: ['source'],
    registers: [metrics.registry],
  });
  const published = new Counter({
    name: 'price_feed_published_total',
    help: 'market.price.updated messages published',
    registers: [metrics.registry],
  });
  const lastRefresh = new Gauge({
    name: 'price_feed_last_refresh_timestamp_seconds',
    help: 'When the last refresh with at least one price finished',
    registers: [metrics.registry],
  });
  const pairsWithoutPrice = new Gauge({
    name: 'price_feed_pairs_without_price',
    help: 'Pairs the last refresh could not price (stale or unavailable)',
    registers: [metrics.registry],
  });
  let lastSuccess = Date.now();

  const tick = async (): Promise<RefreshResult | null> => {
    const result = await feed.refreshIfUnlocked((err) => {
      rounds.inc({ outcome: 'error' });
      log.error({ err }, 'price refresh failed');
    });
    if (result === null) rounds.inc({ outcome: 'skipped' }); // a subgraph is refreshing right now: that is this round's fetch
    if (result === null || result === 'failed') return null;
    for (const f of result.failures) sourceFailures.inc({ source: f.source });
    published.inc(result.published);
    pairsWithoutPrice.set(result.problems.length);
    if (result.prices.length) {
      lastSuccess = Date.now();
      lastRefresh.set(lastSuccess / 1000);
    }
    rounds.inc({ outcome: result.prices.length ? 'ok' : 'no-prices' });
    return result;
  };

  const prune = async () => {
    try {
      const removed = await feed.prune(new Date(), {
        tickDays: config.priceFeed.tickRetentionDays,
        candleDays: config.priceFeed.candleRetentionDays,
      });
      if (removed) log.info({ removed }, 'old ticks and candles pruned');
    } catch (err) {
      log.error({ err }, 'pruning ticks and candles failed');
    }
  };
  const pruneTimer = setInterval(() => void prune(), PRUNE_EVERY_MS);
  pruneTimer.unref();
  let polling: Promise<{ stop(): Promise<void> }> | null = null;
  if (options.poll ?? true) {
    // the first round once the simulators listen, then one every interval after the previous one ends
    polling = waitForSimulators(config, log).then(() =>
      runPeriodically('price-refresh', settings.pollIntervalMs, log, async () => {
        await tick();
        return false;
      }),
    );
    void prune();
  }

  const http = createHttpServer({
    service: 'price-feed',
    log,
    metrics,
    health: {
      database: () => feed.ping(),
      redis: () => pingRedis(redis),
      nats: () => pingNats(nats),
      prices: async () => {
        const quietMs = Date.now() - lastSuccess;
        if (quietMs > Math.max(3 * settings.pollIntervalMs, settings.maxAgeSeconds * 1000))
          throw new Error(`no price refreshed for ${Math.round(quietMs / 1000)}s`);
      },
    },
    routes: {},
  });
  const server = await listen(http, port, config.host);
  log.info({ health: `${server.url}/health`, intervalMs: settings.pollIntervalMs }, 'price feed running');
  return {
    url: server.url,
    tick,
    async close() {
      clearInterval(pruneTimer);
      await (await polling)?.stop();
      await server.close(1000);
      await nats.drain().catch(() => undefined);
      redis.disconnect();
      await feed.close();
    },
  };
}

/**
 * Devnet: `npm start` starts the simulators and this worker side by side; the first round waits until the
 * simulators listen, so it does not count connection refusals against the providers' circuit breakers.
 */
async function waitForSimulators(config: PriceFeedConfig, log: Logger, timeoutMs = 30_000): Promise<void> {
  const { providers, simulatorPort } = config.prices;
  if (simulatorPort === null) return;
  const urls = [providers.coingecko?.baseUrl, providers.coinmarketcap?.baseUrl, providers.nobitex?.baseUrl].filter(
    (u): u is string => !!u,
  );
  const deadline = Date.now() + timeoutMs;
  for (const url of urls) {
    for (;;) {
      const up = await fetch(url, { signal: AbortSignal.timeout(1000) }).then(
        () => true,
        () => false,
      );
      if (up) break;
      if (Date.now() > deadline) {
        log.warn({ url }, 'price simulator not reachable: polling anyway');
        return;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
