import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestEnv, type TestEnv } from '../../testing/test-env.js';
import { startPriceSimulators, type PriceSimulators } from '../../devnet/prices/price-simulators.js';
import { PRICE_UPDATED_SUBJECT, type PriceUpdatedPayload } from '../../subgraphs/market/price/price.model.js';
import { startPriceFeedWorker, type RunningPriceFeed } from './feed-worker.js';

let env: TestEnv;
let sims: PriceSimulators;
let worker: RunningPriceFeed;
let nc: NatsConnection;

beforeAll(async () => {
  sims = await startPriceSimulators({ seed: 11 });
  env = await createTestEnv({
    COINGECKO_BASE_URL: sims.config.coingecko!.baseUrl,
    COINMARKETCAP_BASE_URL: sims.config.coinmarketcap!.baseUrl,
    NOBITEX_BASE_URL: sims.config.nobitex!.baseUrl,
    PRICE_POLL_INTERVAL_MS: '150',
  });
  nc = await connect({ servers: env.config.nats.url });
});
afterAll(async () => {
  await worker?.close();
  await nc?.close();
  await sims?.close();
  await env?.cleanup();
});

describe('price-feed worker', () => {
  it('polls every interval, publishes market.price.updated under the subject prefix, and reports health and metrics', async () => {
    const sub = nc.subscribe(env.config.nats.subjectPrefix + PRICE_UPDATED_SUBJECT);
    await nc.flush();
    worker = await startPriceFeedWorker(env.config, env.log, 0);
    const seen = new Map<string, number>();
    for await (const msg of sub) {
      const payload = (JSON.parse(new TextDecoder().decode(msg.data)) as { payload: PriceUpdatedPayload }).payload;
      const key = `${payload.coin}/${payload.quote}`;
      seen.set(key, (seen.get(key) ?? 0) + 1);
      if (seen.size === 10 && [...seen.values()].every((n) => n >= 2)) break; // every pair, over at least two rounds
    }
    sub.unsubscribe();
    const health = await fetch(`${worker.url}/health`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({
      status: 'healthy',
      service: 'price-feed',
      dependencies: { database: 'healthy', redis: 'healthy', nats: 'healthy', prices: 'healthy' },
    });
    const metrics = await (await fetch(`${worker.url}/metrics`)).text();
    expect(metrics).toMatch(/price_feed_rounds_total\{outcome="ok",service="price-feed"\} [1-9]/);
    expect(metrics).toMatch(/price_feed_published_total\{service="price-feed"\} [1-9]/);
    // each round: one request per provider, whatever the number of coins
    expect(sims.coingecko.requestCount()).toBe(sims.nobitex.requestCount());
  });
});
