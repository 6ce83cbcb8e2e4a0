import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DomainError } from '../../../platform/errors.js';
import { startSubgraph, type RunningSubgraph } from '../../../platform/service/subgraph.js';
import type { MarketConfig } from '../../../platform/config/config.js';
import { createTestEnv, type TestEnv } from '../../../testing/test-env.js';
import { formatDecimal, parseDecimal } from '../../../providers/http/scaled-decimal.js';
import { rialToToman } from '../../../providers/nobitex/nobitex.client.js';
import { createPriceSources, type ResilienceOptions } from '../../../providers/prices.config.js';
import { startPriceSimulators, type PriceSimulators } from '../../../devnet/prices/price-simulators.js';
import { marketSubgraph, buildMarketServices, type MarketServiceOptions } from '../app.js';
import type { MarketServices } from '../context.js';
import { ALL_PAIRS, PRICE_UPDATED_SUBJECT, type AggregatedPrice, type PricePair } from './price.model.js';

let env: TestEnv;
let market: RunningSubgraph<MarketConfig>;
let sims: PriceSimulators;
let nc: NatsConnection;

/** Short timings; no breaker unless a test asks for one. */
const resilience = (extra: ResilienceOptions = {}): ResilienceOptions => ({
  timeoutMs: 2_000,
  retries: 0,
  backoff: { initialMs: 5, maxMs: 10 },
  breaker: false,
  rateLimit: { maxWaitMs: 0 },
  ...extra,
});

function services(options: MarketServiceOptions & { resilience?: ResilienceOptions } = {}): MarketServices {
  const sources =
    options.sources ?? createPriceSources(sims.config, { resilience: options.resilience ?? resilience() }).all;
  return buildMarketServices(market.deps, { ...options, sources });
}

const TON_USD: PricePair = { coin: 'TON', quote: 'USD' };
const TON_IRT: PricePair = { coin: 'TON', quote: 'IRT' };

function price(result: AggregatedPrice | DomainError | undefined): AggregatedPrice {
  if (!result || result instanceof DomainError) throw new Error(`expected a price, got ${String(result)}`);
  return result;
}

function requests(): { coingecko: number; coinmarketcap: number; nobitex: number } {
  return {
    coingecko: sims.coingecko.requestCount(),
    coinmarketcap: sims.coinmarketcap.requestCount(),
    nobitex: sims.nobitex.requestCount(),
  };
}

beforeAll(async () => {
  env = await createTestEnv({ PRICE_CACHE_TTL_SECONDS: '1', PRICE_MAX_AGE_SECONDS: '60' });
  market = await startSubgraph(marketSubgraph, env.config, env.log, 0);
  sims = await startPriceSimulators({ seed: 3 });
  nc = await connect({ servers: env.config.nats.url });
});
afterAll(async () => {
  await nc?.close();
  await sims?.close();
  await market?.close();
  await env?.cleanup();
});
beforeEach(async () => {
  for (const s of [sims.coingecko, sims.coinmarketcap, sims.nobitex]) s.setFailure(null);
  await services().cache.clear(ALL_PAIRS);
});

describe('price reads', () => {
  it('1,000 concurrent reads on two replicas after the cache expired: one upstream call per provider', async () => {
    const replicas = [services(), services()];
    await replicas[0]!.prices.prices([TON_USD]); // warm
    await new Promise((r) => setTimeout(r, 1_100)); // PRICE_CACHE_TTL_SECONDS=1: expired in Redis
    const before = requests();
    const reads = await Promise.all(
      Array.from({ length: 1_000 }, (_, i) => replicas[i % 2]!.prices.prices([i % 3 ? TON_USD : TON_IRT])),
    );
    const after = requests();
    expect({
      coingecko: after.coingecko - before.coingecko,
      coinmarketcap: after.coinmarketcap - before.coinmarketcap,
      nobitex: after.nobitex - before.nobitex,
    }).toEqual({ coingecko: 1, coinmarketcap: 1, nobitex: 1 });
    const values = new Set(reads.map(([r], i) => `${i % 3 ? 'USD' : 'IRT'}:${formatDecimal(price(r).value)}`));
    expect(values.size).toBe(2); // everyone got the one refreshed price per pair
  });

  it('USD is the median of CoinGecko and CoinMarketCap; IRT is Nobitex Rial / 10, exactly', async () => {
    const { prices } = services();
    const [usd, irt] = await prices.prices([TON_USD, TON_IRT]);
    const cg = parseDecimal(sims.coingecko.prices()['the-open-network']!);
    const cmc = parseDecimal(sims.coinmarketcap.prices()[11419]!);
    const scale = Math.max(cg.scale, cmc.scale);
    const widen = (x: { value: bigint; scale: number }) => x.value * 10n ** BigInt(scale - x.scale);
    // (cg + cmc) / 2 == usd  ⇔  (cg + cmc) × 10^(usd.scale) == 2 × usd.value × 10^scale
    expect((widen(cg) + widen(cmc)) * 10n ** BigInt(price(usd).value.scale)).toBe(
      2n * price(usd).value.value * 10n ** BigInt(scale),
    );
    expect(price(usd).sources).toEqual(['coingecko', 'coinmarketcap']);
    expect(price(irt).value).toEqual(rialToToman(parseDecimal(sims.nobitex.prices()['ton-rls']!)));
    expect(price(irt).sources).toEqual(['nobitex']);
  });

  it('an open circuit falls back to the other sources', async () => {
    const { prices, cache } = services({
      resilience: resilience({ breaker: { kind: 'consecutive', failures: 1, halfOpenAfterMs: 60_000 } }),
    });
    sims.coingecko.setFailure('server-error');
    expect(price((await prices.prices([TON_USD]))[0]).sources).toEqual(['coinmarketcap']); // this failure opens the circuit
    await cache.clear(ALL_PAIRS);
    const calls = sims.coingecko.requestCount();
    const [usd] = await prices.prices([TON_USD]);
    expect(sims.coingecko.requestCount()).toBe(calls); // circuit open: CoinGecko was not called
    expect(price(usd).sources).toEqual(['coinmarketcap']);
    expect(formatDecimal(price(usd).value)).toBe(formatDecimal(parseDecimal(sims.coinmarketcap.prices()[11419]!)));
  });

  it('all sources down: PRICE_UNAVAILABLE, remembered briefly so a dead provider is not asked on every read', async () => {
    for (const s of [sims.coingecko, sims.coinmarketcap, sims.nobitex]) s.setFailure('server-error');
    const { prices } = services();
    const [usd, irt] = await prices.prices([TON_USD, TON_IRT]);
    expect(usd).toMatchObject({ code: 'PRICE_UNAVAILABLE', details: { coin: 'TON', quote: 'USD' } });
    expect(irt).toMatchObject({ code: 'PRICE_UNAVAILABLE' });
    const calls = requests();
    await prices.prices([TON_USD]);
    expect(requests()).toEqual(calls);
  });

  it('stale observations: PRICE_STALE, never the old number', async () => {
    // the service's clock is 10 minutes ahead of the providers': every observation is too old to quote
    const { prices } = services({ now: () => new Date(Date.now() + 600_000) });
    const [usd] = await prices.prices([TON_USD]);
    expect(usd).toBeInstanceOf(DomainError);
    expect(usd).toMatchObject({ code: 'PRICE_STALE', details: { coin: 'TON', quote: 'USD', maxAgeSeconds: 60 } });
    expect(typeof (usd as DomainError).details.lastObservedAt).toBe('string');
  });

  it('a cached price that aged past the maximum while the sources are down is PRICE_STALE', async () => {
    await services().prices.prices([TON_USD]); // cached now
    for (const s of [sims.coingecko, sims.coinmarketcap, sims.nobitex]) s.setFailure('server-error');
    const later = services({ now: () => new Date(Date.now() + 61_000) });
    const [usd] = await later.prices.prices([TON_USD]);
    expect(usd).toMatchObject({ code: 'PRICE_STALE' });
  });
});

describe('price feed', () => {
  it('publishes market.price.updated (with the subject prefix) for each pair that changed, and stores ticks and candles', async () => {
    const subject = env.config.nats.subjectPrefix + PRICE_UPDATED_SUBJECT;
    const sub = nc.subscribe(subject);
    await nc.flush();
    const { feed, charts } = services();
    const result = await feed.refresh();
    expect(result.prices).toHaveLength(10);
    expect(result.published).toBe(10);
    const events: { type: string; payload: Record<string, unknown> }[] = [];
    for await (const msg of sub) {
      events.push(JSON.parse(new TextDecoder().decode(msg.data)) as (typeof events)[number]);
      if (events.length === 10) break;
    }
    expect(events.map((e) => `${e.payload.coin as string}/${e.payload.quote as string}`).sort()).toEqual(
      ALL_PAIRS.map((p) => `${p.coin}/${p.quote}`).sort(),
    );
    expect(events[0]).toMatchObject({
      type: 'market.price.updated',
      payload: { value: expect.stringMatching(/^\d+(\.\d+)?$/), sourceCount: expect.any(Number) },
    });

    const candles = await charts.chart(market.deps.orm.em.fork(), { coin: 'TON', quote: 'IRT', timeframe: 'M1' });
    expect(candles.at(-1)).toMatchObject({
      close: formatDecimal(result.prices.find((p) => p.coin === 'TON' && p.quote === 'IRT')!.value),
    });
  });
});
