import { afterEach, describe, expect, it } from 'vitest';
import { createCoinGeckoClient } from './coingecko/coingecko.client.js';
import { startCoinGeckoSimulator } from '../devnet/prices/coingecko.simulator.js';
import { createCoinMarketCapClient } from './coinmarketcap/coinmarketcap.client.js';
import { startCoinMarketCapSimulator } from '../devnet/prices/coinmarketcap.simulator.js';
import {
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from './http/http.errors.js';
import type { ProviderSimulator } from '../devnet/http/simulator.failures.js';
import { createNobitexClient } from './nobitex/nobitex.client.js';
import { startNobitexSimulator } from '../devnet/prices/nobitex.simulator.js';
import { ASSET_SYMBOLS, type PriceSource, type QuoteCurrency } from './price-source.port.js';
import { PROVIDER_BASE_URLS, createPriceSources, type ResilienceOptions } from './prices.config.js';
import { startPriceSimulators } from '../devnet/prices/price-simulators.js';

const closers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c.close()));
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Short timings for tests; every wait below is a lower bound, so a slow machine only makes tests slower. */
const resilience = (extra: ResilienceOptions = {}): ResilienceOptions => ({
  timeoutMs: 2_000,
  retries: 0,
  backoff: { initialMs: 5, maxMs: 10 },
  breaker: false,
  rateLimit: { maxWaitMs: 0 },
  ...extra,
});

interface Case {
  name: string;
  quote: QuoteCurrency;
  start(): Promise<ProviderSimulator>;
  client(url: string, r: ResilienceOptions): PriceSource;
}

const cases: Case[] = [
  {
    name: 'coingecko',
    quote: 'USD',
    start: () => startCoinGeckoSimulator({ seed: 5 }),
    client: (url, r) => createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: r }),
  },
  {
    name: 'coinmarketcap',
    quote: 'USD',
    start: () => startCoinMarketCapSimulator({ seed: 5 }),
    // CoinMarketCap's 429 names no duration: the client backs off one window, shortened here.
    client: (url, r) =>
      createCoinMarketCapClient({ baseUrl: url, apiKey: 'k', rateLimitWindowMs: 1_000, resilience: r }),
  },
  {
    name: 'nobitex',
    quote: 'IRT',
    start: () => startNobitexSimulator({ seed: 5 }),
    client: (url, r) => createNobitexClient({ baseUrl: url, resilience: r }),
  },
];

describe.each(cases)('$name client against its simulator', ({ quote, start, client }) => {
  const sim = async () => {
    const s = await start();
    closers.push(s);
    return s;
  };

  it('retries 500s and then succeeds', async () => {
    const s = await sim();
    s.setFailure({ mode: 'server-error', times: 2 });
    const quotes = await client(s.url, resilience({ retries: 2 })).quotes(ASSET_SYMBOLS, quote);
    expect(quotes).toHaveLength(5);
    expect(s.requestCount()).toBe(3);
  });

  it('gives up on 500s after its retries with ProviderResponseError', async () => {
    const s = await sim();
    s.setFailure('server-error');
    await expect(client(s.url, resilience({ retries: 1 })).quotes(['TON'], quote)).rejects.toBeInstanceOf(
      ProviderResponseError,
    );
    expect(s.requestCount()).toBe(2);
  });

  it('times out a hung request with ProviderTimeoutError', async () => {
    const s = await sim();
    s.setFailure('hang');
    await expect(client(s.url, resilience({ timeoutMs: 200 })).quotes(['TON'], quote)).rejects.toBeInstanceOf(
      ProviderTimeoutError,
    );
  });

  it('reports malformed JSON as ProviderParseError', async () => {
    const s = await sim();
    s.setFailure('malformed-json');
    await expect(client(s.url, resilience({ retries: 2 })).quotes(['TON'], quote)).rejects.toBeInstanceOf(
      ProviderParseError,
    );
    expect(s.requestCount()).toBe(1); // not retried
  });

  it('honours a 429 back-off: refuses locally until it passes, then calls again', async () => {
    const s = await sim();
    s.setFailure({ mode: 'rate-limit', times: 1, retryAfterSeconds: 1 });
    const c = client(s.url, resilience());
    await expect(c.quotes(['TON'], quote)).rejects.toBeInstanceOf(ProviderRateLimitedError);
    const refused = await c.quotes(['TON'], quote).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ProviderRateLimitedError);
    expect((refused as ProviderRateLimitedError).retryAfterMs).toBeLessThanOrEqual(1_000);
    expect(s.requestCount()).toBe(1);
    await sleep(1_050);
    await expect(c.quotes(['TON'], quote)).resolves.toHaveLength(1);
    expect(s.requestCount()).toBe(2);
  });

  it('opens the circuit after repeated failures, fails fast, then half-opens and recovers', async () => {
    const s = await sim();
    s.setFailure('server-error');
    const c = client(s.url, resilience({ breaker: { kind: 'consecutive', failures: 3, halfOpenAfterMs: 1_000 } }));
    for (let i = 0; i < 3; i += 1) await expect(c.quotes(['TON'], quote)).rejects.toBeInstanceOf(ProviderResponseError);
    await expect(c.quotes(['TON'], quote)).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(s.requestCount()).toBe(3);

    s.setFailure(null);
    await sleep(1_050);
    await expect(c.quotes(['TON'], quote)).resolves.toHaveLength(1);
    expect(s.requestCount()).toBe(4);
  });
});

describe('createPriceSources', () => {
  it('builds only the enabled providers, pointed at the configured URLs', () => {
    const sources = createPriceSources({
      coingecko: { baseUrl: PROVIDER_BASE_URLS.coingeckoPro, apiKey: 'k', plan: 'pro' },
      coinmarketcap: null,
      nobitex: { baseUrl: PROVIDER_BASE_URLS.nobitex },
    });
    expect(sources.coinmarketcap).toBeNull();
    expect(sources.all.map((s) => s.name)).toEqual(['coingecko', 'nobitex']);
    expect(sources.coingecko?.http.baseUrl).toBe('https://pro-api.coingecko.com/api/v3');
  });

  it('talks to the simulators through the same clients (devnet), USD from two sources and IRT from Nobitex', async () => {
    const sims = await startPriceSimulators({ seed: 9 });
    closers.push(sims);
    const { all } = createPriceSources(sims.config, { resilience: resilience() });
    const usd = await Promise.all(all.map((s) => s.quotes(ASSET_SYMBOLS, 'USD')));
    const irt = await Promise.all(all.map((s) => s.quotes(ASSET_SYMBOLS, 'IRT')));
    expect(usd.map((q) => q.length)).toEqual([5, 5, 0]);
    expect(irt.map((q) => q.length)).toEqual([0, 0, 5]);
  });

  it('keeps the other sources answering while one circuit is open', async () => {
    const sims = await startPriceSimulators({ failMode: { coingecko: 'server-error' } });
    closers.push(sims);
    const { all } = createPriceSources(sims.config, {
      resilience: resilience({ breaker: { kind: 'consecutive', failures: 1, halfOpenAfterMs: 60_000 } }),
    });
    await Promise.allSettled(all.map((s) => s.quotes(['ETH'], 'USD'))); // trips coingecko's breaker
    const settled = await Promise.allSettled(all.map((s) => s.quotes(['ETH'], 'USD')));
    expect(settled[0]).toMatchObject({ status: 'rejected', reason: expect.any(ProviderUnavailableError) });
    expect(settled[1]).toMatchObject({
      status: 'fulfilled',
      value: [expect.objectContaining({ symbol: 'ETH', source: 'coinmarketcap' })],
    });
  });
});
