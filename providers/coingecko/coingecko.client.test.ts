import { describe, expect, it } from 'vitest';
import {
  closeAfterEach,
  FAST_RESILIENCE,
  fixtureReader,
  startFixtureServer,
  type FixtureRoute,
} from '../../testing/provider-fixtures.js';
import { ProviderParseError, ProviderRateLimitedError, ProviderResponseError } from '../http/http.errors.js';
import { parseJsonLossless } from '../http/json-lossless.parser.js';
import { formatDecimal } from '../http/scaled-decimal.js';
import { ASSET_SYMBOLS } from '../price-source.port.js';
import { COINGECKO_IDS, createCoinGeckoClient } from './coingecko.client.js';
import { startCoinGeckoSimulator, type CoinGeckoSimulator } from '../../devnet/prices/coingecko.simulator.js';
import { marketChartBody, simplePriceDecoder } from './coingecko.wire.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
/** Serves fixed bodies by path and records requests. */
const fixtureServer = async (routes: Record<string, FixtureRoute>) => track(await startFixtureServer(routes));
const fast = FAST_RESILIENCE;

describe('coingecko wire format', () => {
  it('decodes /simple/price exactly, including 0.00001234 and 1.2e-7, and skips entries without the currency', () => {
    const decoded = simplePriceDecoder('usd').parse(parseJsonLossless(fixture('simple-price.small-values.json')));
    expect(decoded.get('shiba-inu')?.price).toEqual({ value: 1234n, scale: 8 });
    expect(decoded.get('some-dust-token')?.price).toEqual({ value: 12n, scale: 8 });
    expect(formatDecimal(decoded.get('some-dust-token')!.price)).toBe('0.00000012');
    expect(decoded.get('bitcoin')?.price).toEqual({ value: 671873358936566n, scale: 10 });
    expect(decoded.get('bitcoin')?.lastUpdatedAt).toEqual(new Date(1711356300 * 1000));
    expect(decoded.has('eur-only-coin')).toBe(false);
  });

  it('decodes /coins/{id}/market_chart', () => {
    const chart = marketChartBody.parse(parseJsonLossless(fixture('market-chart.json')));
    expect(chart.prices).toHaveLength(3);
    expect(chart.prices[0]).toEqual({ at: new Date(1711843200000), price: { value: 34901234567891n, scale: 10 } });
    expect(formatDecimal(chart.totalVolumes[2]!.volume)).toBe('30137418199.6431');
    expect(chart.marketCaps).toHaveLength(3);
  });
});

describe('coingecko client', () => {
  it('asks /simple/price for the mapped ids with the demo key header and returns exact quotes', async () => {
    const { url, seen } = await fixtureServer({ '/simple/price': { body: fixture('simple-price.json') } });
    const client = createCoinGeckoClient({ baseUrl: url, apiKey: 'demo-key', resilience: fast });
    const quotes = await client.quotes(ASSET_SYMBOLS, 'USD');

    const query = new URL(seen[0]?.url ?? '', url).searchParams;
    expect(query.get('ids')).toBe('the-open-network,tether,tron,ethereum,binancecoin');
    expect(query.get('vs_currencies')).toBe('usd');
    expect(query.get('include_24hr_change')).toBe('true');
    expect(query.get('include_last_updated_at')).toBe('true');
    expect(seen[0]?.headers['x-cg-demo-api-key']).toBe('demo-key');

    const bySymbol = Object.fromEntries(quotes.map((q) => [q.symbol, q]));
    expect(quotes).toHaveLength(5);
    expect(formatDecimal(bySymbol.TON!.price)).toBe('5.21834712043617');
    expect(formatDecimal(bySymbol.TON!.change24hPercent!)).toBe('-2.04184372330191');
    expect(bySymbol.TON!.observedAt).toEqual(new Date(1711356300 * 1000));
    expect(formatDecimal(bySymbol.TRX!.price)).toBe('0.123456789012345');
    expect(bySymbol.ETH!.change24hPercent).toBeNull();
    expect(bySymbol.BNB!.change24hPercent).toEqual({ value: 12n, scale: 8 });
    expect(bySymbol.USDT).toMatchObject({ quote: 'USD', source: 'coingecko', price: { value: 100021n, scale: 5 } });
  });

  it('uses the pro header for a pro key and sends no key header without a key', async () => {
    const { url, seen } = await fixtureServer({ '/simple/price': { body: fixture('simple-price.json') } });
    await createCoinGeckoClient({ baseUrl: url, apiKey: 'pro-key', plan: 'pro', resilience: fast }).quotes(
      ['TON'],
      'USD',
    );
    await createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: fast }).quotes(['TON'], 'USD');
    expect(seen[0]?.headers['x-cg-pro-api-key']).toBe('pro-key');
    expect(seen[1]?.headers['x-cg-pro-api-key']).toBeUndefined();
    expect(seen[1]?.headers['x-cg-demo-api-key']).toBeUndefined();
  });

  it('does not call CoinGecko for IRT', async () => {
    const { url, seen } = await fixtureServer({});
    const client = createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: fast });
    expect(client.supportedQuotes).toEqual(['USD']);
    expect(await client.quotes(['TON'], 'IRT')).toEqual([]);
    expect(seen).toHaveLength(0);
  });

  it('leaves out an asset CoinGecko did not price', async () => {
    const { url } = await fixtureServer({
      '/simple/price': { body: '{"tether":{"usd":1.0001,"last_updated_at":1711356288}}' },
    });
    const quotes = await createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: fast }).quotes(
      ['TON', 'USDT'],
      'USD',
    );
    expect(quotes.map((q) => q.symbol)).toEqual(['USDT']);
    expect(quotes[0]?.change24hPercent).toBeNull();
  });

  it('rejects a body of the wrong shape with ProviderParseError', async () => {
    const { url } = await fixtureServer({ '/simple/price': { body: '{"tether":{"usd":"1.0001"}}' } });
    const error = await createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: fast })
      .quotes(['USDT'], 'USD')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderParseError);
    expect((error as Error).message).toContain('tether.usd');
  });

  it('honours the documented 429 with Retry-After', async () => {
    const { url, seen } = await fixtureServer({
      '/simple/price': { status: 429, body: fixture('error-429.json'), headers: { 'retry-after': '119' } },
    });
    const client = createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: fast });
    await expect(client.quotes(['TON'], 'USD')).rejects.toMatchObject({ retryAfterMs: 119_000 });
    await expect(client.quotes(['TON'], 'USD')).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(seen).toHaveLength(1);
  });

  it('reads market charts', async () => {
    const { url, seen } = await fixtureServer({
      '/coins/ethereum/market_chart': { body: fixture('market-chart.json') },
    });
    const chart = await createCoinGeckoClient({ baseUrl: url, apiKey: null, resilience: fast }).marketChart('ETH', {
      days: 30,
    });
    expect(new URL(seen[0]?.url ?? '', url).searchParams.get('days')).toBe('30');
    expect(formatDecimal(chart.prices[2]!.price)).toBe('3512.48291034');
  });
});

describe('coingecko simulator', () => {
  const start = async (opts: Parameters<typeof startCoinGeckoSimulator>[0] = {}): Promise<CoinGeckoSimulator> => {
    const sim = await startCoinGeckoSimulator(opts);
    track(sim);
    return sim;
  };

  it('serves the format the client parses, with the walked prices', async () => {
    const sim = await start({ seed: 7 });
    const client = createCoinGeckoClient({ baseUrl: sim.url, apiKey: null, resilience: fast });
    const quotes = await client.quotes(ASSET_SYMBOLS, 'USD');
    const served = sim.prices();
    expect(quotes).toHaveLength(5);
    for (const q of quotes) {
      expect(formatDecimal(q.price)).toBe(served[COINGECKO_IDS[q.symbol]]);
      expect(q.change24hPercent).not.toBeNull();
      expect(Math.abs(Date.now() - q.observedAt.getTime())).toBeLessThan(60_000);
    }
    const usdt = quotes.find((q) => q.symbol === 'USDT')!;
    expect(Math.abs(Number(formatDecimal(usdt.price)) - 1)).toBeLessThan(0.01);
  });

  it('walks prices deterministically per seed', async () => {
    const a = await start({ seed: 42 });
    const b = await start({ seed: 42 });
    const ca = createCoinGeckoClient({ baseUrl: a.url, apiKey: null, resilience: fast });
    const cb = createCoinGeckoClient({ baseUrl: b.url, apiKey: null, resilience: fast });
    const first = await ca.quotes(['ETH'], 'USD');
    const second = await ca.quotes(['ETH'], 'USD');
    expect(first[0]?.price).not.toEqual(second[0]?.price);
    expect((await cb.quotes(['ETH'], 'USD'))[0]?.price).toEqual(first[0]?.price);
  });

  it('serves a market chart ending at the live price', async () => {
    const sim = await start();
    const client = createCoinGeckoClient({ baseUrl: sim.url, apiKey: null, resilience: fast });
    const [ton] = await client.quotes(['TON'], 'USD');
    const chart = await client.marketChart('TON', { days: 1 });
    expect(chart.prices.length).toBeGreaterThan(100); // 5-minutely for one day
    expect(chart.prices.at(-1)?.price).toEqual(ton?.price);
    expect(chart.totalVolumes).toHaveLength(chart.prices.length);
  });

  it('requires the configured API key like CoinGecko (401, error 10002)', async () => {
    const sim = await start({ apiKey: 'k' });
    const error = await createCoinGeckoClient({ baseUrl: sim.url, apiKey: null, resilience: fast })
      .quotes(['TON'], 'USD')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as ProviderResponseError).status).toBe(401);
    expect((error as ProviderResponseError).bodySnippet).toContain('10002');
    await expect(
      createCoinGeckoClient({ baseUrl: sim.url, apiKey: 'k', resilience: fast }).quotes(['TON'], 'USD'),
    ).resolves.toHaveLength(1);
  });
});
