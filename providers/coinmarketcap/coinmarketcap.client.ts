import type { Logger } from 'pino';
import { createHttpClient, type HttpClient, type HttpClientOptions } from '../http/http.client.js';
import { parseBody } from '../http/json.schemas.js';
import type { AssetSymbol, PriceQuote, PriceSource, QuoteCurrency, QuoteRequestOptions } from '../price-source.port.js';
import { PROVIDER, cmcRetryAfter, quotesLatestDecoder, throwIfStatusError, type CmcQuote } from './coinmarketcap.wire.js';

/**
 * CoinMarketCap ids of the platform's assets (`/v1/cryptocurrency/map`). Requests go by id: symbols are not unique
 * on CoinMarketCap (another coin also uses "TON"), and ids are what its docs recommend for production.
 */
export const COINMARKETCAP_IDS: Readonly<Record<AssetSymbol, number>> = {
  TON: 11419,
  USDT: 825,
  TRX: 1958,
  ETH: 1027,
  BNB: 1839,
};

export const COINMARKETCAP_KEY_HEADER = 'X-CMC_PRO_API_KEY';

export type ResilienceOptions = Pick<HttpClientOptions, 'timeoutMs' | 'retries' | 'backoff' | 'breaker' | 'rateLimit'>;

export interface CoinMarketCapClientOptions {
  /** "https://pro-api.coinmarketcap.com" (or the sandbox, or a simulator). */
  baseUrl: string;
  apiKey: string;
  coinIds?: Partial<Record<AssetSymbol, number>>;
  /** Length of CoinMarketCap's rate-limit window, used as the back-off after a minute-limit 429. Default 60,000 ms. */
  rateLimitWindowMs?: number;
  resilience?: ResilienceOptions;
  log?: Logger;
  now?: () => Date;
}

export interface CoinMarketCapClient extends PriceSource {
  readonly http: HttpClient;
}

const DEFAULT_RESILIENCE: ResilienceOptions = {
  timeoutMs: 5_000,
  retries: 2,
  backoff: { initialMs: 250, maxMs: 4_000 },
  breaker: { kind: 'consecutive', failures: 5, halfOpenAfterMs: 30_000 },
  rateLimit: { maxWaitMs: 0 },
};

export function createCoinMarketCapClient(options: CoinMarketCapClientOptions): CoinMarketCapClient {
  const ids: Record<AssetSymbol, number> = { ...COINMARKETCAP_IDS, ...options.coinIds };
  const now = options.now ?? (() => new Date());
  const windowMs = options.rateLimitWindowMs ?? 60_000;
  const log = options.log?.child({ provider: PROVIDER });
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...resilience,
    rateLimit: { ...resilience.rateLimit, retryAfterFromResponse: (res) => cmcRetryAfter(res, windowMs, now()) },
    headers: { [COINMARKETCAP_KEY_HEADER]: options.apiKey },
    ...(log ? { log } : {}),
  });
  const usd = quotesLatestDecoder('USD');

  const quotes = async (
    symbols: readonly AssetSymbol[],
    quote: QuoteCurrency,
    opts: QuoteRequestOptions = {},
  ): Promise<PriceQuote[]> => {
    if (quote !== 'USD' || symbols.length === 0) return [];
    const wanted = [...new Set(symbols)];
    const res = await http.get('/v2/cryptocurrency/quotes/latest', {
      query: { id: wanted.map((s) => ids[s]), convert: 'USD', skip_invalid: true },
      parse: 'lossless',
      decode: (data, raw) => {
        throwIfStatusError(data, raw);
        return parseBody(PROVIDER, usd, data, raw.text);
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const byId = new Map<number, CmcQuote>(res.data.map((q) => [q.id, q]));
    const receivedAt = now();
    const out: PriceQuote[] = [];
    for (const symbol of wanted) {
      const entry = byId.get(ids[symbol]);
      if (!entry?.price) {
        log?.warn({ symbol, id: ids[symbol] }, 'coinmarketcap returned no USD price for asset');
        continue;
      }
      out.push({
        symbol,
        quote: 'USD',
        price: entry.price,
        change24hPercent: entry.change24hPercent,
        observedAt: entry.lastUpdated ?? receivedAt,
        source: PROVIDER,
      });
    }
    return out;
  };

  return { name: PROVIDER, supportedQuotes: ['USD'], quotes, http };
}
