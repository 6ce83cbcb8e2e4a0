import { describe, expect, it } from 'vitest';
import {
  closeAfterEach,
  FAST_RESILIENCE,
  fixtureReader,
  startFixtureServer,
  type FixtureRoute,
} from '../../testing/provider-fixtures.js';
import { ProviderRateLimitedError, ProviderResponseError } from '../http/http.errors.js';
import { parseJsonLossless } from '../http/json-lossless.parser.js';
import { formatDecimal } from '../http/scaled-decimal.js';
import { ASSET_SYMBOLS } from '../price-source.port.js';
import { COINMARKETCAP_IDS, createCoinMarketCapClient } from './coinmarketcap.client.js';
import {
  startCoinMarketCapSimulator,
  type CoinMarketCapSimulator,
} from '../../devnet/prices/coinmarketcap.simulator.js';
import { cmcRetryAfter, quotesLatestDecoder } from './coinmarketcap.wire.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
const fixtureServer = async (route: FixtureRoute) => track(await startFixtureServer(route));
const fast = FAST_RESILIENCE;

describe('coinmarketcap wire format', () => {
  it('decodes the by-symbol form (arrays per symbol) exactly, including 0.00001234 and 1.2e-7', () => {
    const quotes = quotesLatestDecoder('USD').parse(parseJsonLossless(fixture('quotes-latest.by-symbol.json')));
    const byId = new Map(quotes.map((q) => [q.id, q]));
    expect(quotes).toHaveLength(4);
    expect(byId.get(11419)?.price).toEqual({ value: 341227885196n, scale: 11 });
    expect(byId.get(6731)?.symbol).toBe('TON');
    expect(byId.get(5994)?.price).toEqual({ value: 1234n, scale: 8 });
    expect(formatDecimal(byId.get(99001)!.price!)).toBe('0.00000012');
    expect(byId.get(99001)?.cmcRank).toBeNull();
    expect(byId.get(99001)?.change24hPercent).toBeNull();
  });

  it('chooses the back-off from the error code', () => {
    const now = new Date('2025-03-01T12:00:00Z');
    const res = (text: string, headers: Record<string, string> = {}) => ({
      status: 429,
      headers: new Headers(headers),
      text,
    });
    expect(cmcRetryAfter(res(fixture('error-429.json')), 60_000, now)).toBe(60_000);
    expect(cmcRetryAfter(res(fixture('error-429-daily.json')), 60_000, now)).toBe(12 * 3_600_000);
    expect(cmcRetryAfter(res('{"status":{"error_code":1010}}'), 60_000, now)).toBe(
      Date.parse('2025-04-01T00:00:00Z') - now.getTime(),
    );
    expect(cmcRetryAfter(res('<html>'), 60_000, now)).toBe(60_000);
    expect(cmcRetryAfter(res('{}', { 'retry-after': '5' }), 60_000, now)).toBeNull(); // the header wins
    expect(cmcRetryAfter({ status: 500, headers: new Headers(), text: '{}' }, 60_000, now)).toBeNull();
  });
});

describe('coinmarketcap client', () => {
  it('asks by id with the API key header and returns exact quotes', async () => {
    const { url, seen } = await fixtureServer({ body: fixture('quotes-latest.by-id.json') });
    const client = createCoinMarketCapClient({ baseUrl: url, apiKey: 'cmc-key', resilience: fast });
    const quotes = await client.quotes(ASSET_SYMBOLS, 'USD');

    const requested = new URL(seen[0]?.url ?? '', url);
    expect(requested.pathname).toBe('/v2/cryptocurrency/quotes/latest');
    expect(requested.searchParams.get('id')).toBe('11419,825,1958,1027,1839');
    expect(requested.searchParams.get('convert')).toBe('USD');
    expect(seen[0]?.headers['x-cmc_pro_api_key']).toBe('cmc-key');

    const bySymbol = Object.fromEntries(quotes.map((q) => [q.symbol, q]));
    expect(quotes).toHaveLength(5);
    expect(formatDecimal(bySymbol.USDT!.price)).toBe('0.999812345678');
    expect(formatDecimal(bySymbol.ETH!.price)).toBe('2234.5678901234567');
    expect(formatDecimal(bySymbol.TON!.change24hPercent!)).toBe('-2.0418437233');
    expect(bySymbol.TON!.observedAt).toEqual(new Date('2025-03-01T11:57:00.000Z'));
    expect(bySymbol.TRX!.change24hPercent).toBeNull();
    expect(bySymbol.BNB!.change24hPercent).toEqual({ value: 12n, scale: 8 });
    expect(bySymbol.BNB).toMatchObject({ quote: 'USD', source: 'coinmarketcap' });
  });

  it('does not call CoinMarketCap for IRT', async () => {
    const { url, seen } = await fixtureServer({ body: fixture('quotes-latest.by-id.json') });
    expect(
      await createCoinMarketCapClient({ baseUrl: url, apiKey: 'k', resilience: fast }).quotes(['TON'], 'IRT'),
    ).toEqual([]);
    expect(seen).toHaveLength(0);
  });

  it('reports the documented error envelope (401, 1002) as ProviderResponseError', async () => {
    const { url, seen } = await fixtureServer({ status: 401, body: fixture('error-401.json') });
    const error = await createCoinMarketCapClient({ baseUrl: url, apiKey: 'k', resilience: fast })
      .quotes(['TON'], 'USD')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as ProviderResponseError).status).toBe(401);
    expect((error as ProviderResponseError).bodySnippet).toContain('API key missing.');
    expect(seen).toHaveLength(1); // a 4xx is not retried
  });

  it('treats a non-zero status.error_code in a 200 as an error', async () => {
    const { url } = await fixtureServer({
      body: '{"status":{"error_code":500,"error_message":"partial outage"},"data":{}}',
    });
    await expect(
      createCoinMarketCapClient({ baseUrl: url, apiKey: 'k', resilience: fast }).quotes(['TON'], 'USD'),
    ).rejects.toThrow('500: partial outage');
  });

  it('backs off for one rate-limit window after a minute-limit 429', async () => {
    const { url, seen } = await fixtureServer({ status: 429, body: fixture('error-429.json') });
    const client = createCoinMarketCapClient({ baseUrl: url, apiKey: 'k', resilience: fast });
    await expect(client.quotes(['TON'], 'USD')).rejects.toMatchObject({ retryAfterMs: 60_000 });
    await expect(client.quotes(['TON'], 'USD')).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(seen).toHaveLength(1);
  });
});

describe('coinmarketcap simulator', () => {
  const start = async (
    opts: Parameters<typeof startCoinMarketCapSimulator>[0] = {},
  ): Promise<CoinMarketCapSimulator> => {
    const sim = await startCoinMarketCapSimulator(opts);
    track(sim);
    return sim;
  };

  it('serves the format the client parses, with the walked prices', async () => {
    const sim = await start({ seed: 11 });
    const quotes = await createCoinMarketCapClient({ baseUrl: sim.url, apiKey: 'k', resilience: fast }).quotes(
      ASSET_SYMBOLS,
      'USD',
    );
    const served = sim.prices();
    expect(quotes).toHaveLength(5);
    for (const q of quotes) {
      expect(formatDecimal(q.price)).toBe(served[COINMARKETCAP_IDS[q.symbol]]);
      expect(q.change24hPercent).not.toBeNull();
    }
  });

  it('answers symbol lookups with every coin using the symbol, which the decoder reads', async () => {
    const sim = await start();
    const res = await fetch(`${sim.url}/v2/cryptocurrency/quotes/latest?symbol=TON`, {
      headers: { 'X-CMC_PRO_API_KEY': 'k' },
    });
    const quotes = quotesLatestDecoder('USD').parse(parseJsonLossless(await res.text()));
    expect(quotes.map((q) => q.id).sort()).toEqual([11419, 6731]);
  });

  it('checks the key like CoinMarketCap (401 with 1001)', async () => {
    const sim = await start({ apiKey: 'right' });
    const error = await createCoinMarketCapClient({ baseUrl: sim.url, apiKey: 'wrong', resilience: fast })
      .quotes(['TON'], 'USD')
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 401 });
    expect((error as ProviderResponseError).bodySnippet).toContain('1001');
  });

  it('renders rate limits with error_code 1008, honoured for the configured window', async () => {
    const sim = await start({ failMode: { mode: 'rate-limit', times: 1 } });
    const client = createCoinMarketCapClient({
      baseUrl: sim.url,
      apiKey: 'k',
      rateLimitWindowMs: 1_000,
      resilience: { ...fast, rateLimit: { maxWaitMs: 0 } },
    });
    await expect(client.quotes(['USDT'], 'USD')).rejects.toMatchObject({ retryAfterMs: 1_000 });
    await expect(client.quotes(['USDT'], 'USD')).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(sim.requestCount()).toBe(1);
    await new Promise((r) => setTimeout(r, client.http.rateLimitedForMs() + 20));
    await expect(client.quotes(['USDT'], 'USD')).resolves.toHaveLength(1);
  });
});
