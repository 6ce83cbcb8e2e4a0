import { describe, expect, it } from 'vitest';
import {
  closeAfterEach,
  FAST_RESILIENCE,
  fixtureReader,
  startFixtureServer,
  type FixtureRoute,
} from '../../testing/provider-fixtures.js';
import { ProviderParseError, ProviderRateLimitedError, ProviderResponseError } from '../http/http.errors.js';
import { formatDecimal, parseDecimal } from '../http/scaled-decimal.js';
import { ASSET_SYMBOLS } from '../price-source.port.js';
import { NOBITEX_CURRENCIES, createNobitexClient, rialToToman } from './nobitex.client.js';
import { startNobitexSimulator, type NobitexSimulator } from '../../devnet/prices/nobitex.simulator.js';
import { nobitexRetryAfter } from './nobitex.wire.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
const fixtureServer = async (route: FixtureRoute) => track(await startFixtureServer(route));
const fast = FAST_RESILIENCE;

describe('Rial → Toman', () => {
  it.each([
    ['1234567', '123456.7'],
    ['650000000', '65000000'],
    ['5', '0.5'],
    ['0', '0'],
    ['1015347.5', '101534.75'],
  ])('%s IRR = %s IRT', (rial, toman) => {
    expect(formatDecimal(rialToToman(parseDecimal(rial)))).toBe(toman);
  });
});

describe('nobitex client', () => {
  it('reads market stats in Rial and returns exact Toman quotes', async () => {
    const { url, seen } = await fixtureServer({ body: fixture('market-stats.json') });
    const client = createNobitexClient({ baseUrl: url, resilience: fast, now: () => new Date('2025-01-01T00:00:00Z') });
    const quotes = await client.quotes(ASSET_SYMBOLS, 'IRT');

    const query = new URL(seen[0]?.url ?? '', url);
    expect(query.pathname).toBe('/market/stats');
    expect(query.searchParams.get('srcCurrency')).toBe('ton,usdt,trx,eth,bnb');
    expect(query.searchParams.get('dstCurrency')).toBe('rls');

    const bySymbol = Object.fromEntries(quotes.map((q) => [q.symbol, q]));
    expect(Object.keys(bySymbol).sort()).toEqual(['ETH', 'TON', 'TRX', 'USDT']); // bnb-rls is closed
    expect(formatDecimal(bySymbol.USDT!.price)).toBe('123456.7');
    expect(bySymbol.USDT!.price).toEqual({ value: 1234567n, scale: 1 });
    expect(formatDecimal(bySymbol.TON!.price)).toBe('5278431.7');
    expect(formatDecimal(bySymbol.TRX!.price)).toBe('12531');
    expect(formatDecimal(bySymbol.ETH!.price)).toBe('356500000');
    expect(formatDecimal(bySymbol.TON!.change24hPercent!)).toBe('-0.78');
    expect(bySymbol.ETH).toMatchObject({
      quote: 'IRT',
      source: 'nobitex',
      observedAt: new Date('2025-01-01T00:00:00Z'),
    });
  });

  it('does not call Nobitex for USD', async () => {
    const { url, seen } = await fixtureServer({ body: fixture('market-stats.json') });
    const client = createNobitexClient({ baseUrl: url, resilience: fast });
    expect(client.supportedQuotes).toEqual(['IRT']);
    expect(await client.quotes(['TON'], 'USD')).toEqual([]);
    expect(seen).toHaveLength(0);
  });

  it('turns {"status":"failed"} sent with HTTP 200 into ProviderResponseError with code and message', async () => {
    const { url } = await fixtureServer({ body: fixture('failed-200.json') });
    const error = await createNobitexClient({ baseUrl: url, resilience: fast })
      .quotes(['TON'], 'IRT')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as ProviderResponseError).status).toBe(200);
    expect((error as Error).message).toContain('InvalidMarket: Market is not valid');
  });

  it('rejects a price that is not a decimal string', async () => {
    const { url } = await fixtureServer({
      body: '{"status":"ok","stats":{"ton-rls":{"isClosed":false,"latest":"52,784,317"}}}',
    });
    await expect(createNobitexClient({ baseUrl: url, resilience: fast }).quotes(['TON'], 'IRT')).rejects.toBeInstanceOf(
      ProviderParseError,
    );
  });

  it('honours the documented 429 backOff and refuses until it passes', async () => {
    expect(nobitexRetryAfter({ status: 429, headers: new Headers(), text: fixture('error-429.json') })).toBe(12_000);
    expect(nobitexRetryAfter({ status: 500, headers: new Headers(), text: '{}' })).toBeNull();

    const { url, seen } = await fixtureServer({ status: 429, body: fixture('error-429.json') });
    const client = createNobitexClient({ baseUrl: url, resilience: fast });
    const first = await client.quotes(['TON'], 'IRT').catch((e: unknown) => e);
    expect(first).toBeInstanceOf(ProviderRateLimitedError);
    expect((first as ProviderRateLimitedError).retryAfterMs).toBe(12_000);
    const second = await client.quotes(['TON'], 'IRT').catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ProviderRateLimitedError);
    expect(seen).toHaveLength(1);
    expect(client.http.rateLimitedForMs()).toBeGreaterThan(10_000);
  });
});

describe('nobitex simulator', () => {
  const start = async (opts: Parameters<typeof startNobitexSimulator>[0] = {}): Promise<NobitexSimulator> => {
    const sim = await startNobitexSimulator(opts);
    track(sim);
    return sim;
  };

  it('serves the format the client parses; Toman = served Rial / 10', async () => {
    const sim = await start({ seed: 3 });
    const quotes = await createNobitexClient({ baseUrl: sim.url, resilience: fast }).quotes(ASSET_SYMBOLS, 'IRT');
    const served = sim.prices();
    expect(quotes).toHaveLength(5);
    for (const q of quotes) {
      const rial = parseDecimal(served[`${NOBITEX_CURRENCIES[q.symbol]}-rls`] ?? '');
      expect(q.price).toEqual(rialToToman(rial));
      expect(q.change24hPercent).not.toBeNull();
    }
  });

  it('reports closed markets as closed, and the client leaves them out', async () => {
    const sim = await start({ closedMarkets: ['trx'] });
    const client = createNobitexClient({ baseUrl: sim.url, resilience: fast });
    expect((await client.quotes(['TRX', 'TON'], 'IRT')).map((q) => q.symbol)).toEqual(['TON']);
    sim.setMarketClosed('trx', false);
    expect((await client.quotes(['TRX'], 'IRT')).map((q) => q.symbol)).toEqual(['TRX']);
  });

  it('renders rate limits in Nobitex format and the client waits a short backOff out', async () => {
    const sim = await start({ failMode: { mode: 'rate-limit', times: 1, retryAfterSeconds: 0.2 } });
    const client = createNobitexClient({ baseUrl: sim.url, resilience: { ...fast, rateLimit: { maxWaitMs: 2_000 } } });
    const started = Date.now();
    const quotes = await client.quotes(['USDT'], 'IRT');
    expect(quotes).toHaveLength(1);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(sim.requestCount()).toBe(2);
  });
});
