import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { parseBody } from '../http/json.schemas.js';
import {
  usdQuotesFrom,
  type AssetSymbol,
  type PriceQuote,
  type PriceSource,
  type QuoteCurrency,
  type QuoteRequestOptions,
} from '../price-source.port.js';
import {
  PROVIDER,
  cmcRetryAfter,
  quotesLatestDecoder,
  throwIfStatusError,
  type CmcQuote,
} from './coinmarketcap.wire.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';

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

const DEFAULT_RESILIENCE = resilienceDefaults();

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
    return usdQuotesFrom(
      wanted,
      (symbol) => {
        const entry = byId.get(ids[symbol]);
        return entry?.price
          ? { price: entry.price, change24hPercent: entry.change24hPercent, observedAt: entry.lastUpdated }
          : null;
      },
      { source: PROVIDER, receivedAt: now(), log, idOf: (symbol) => ids[symbol] },
    );
  };

  return { name: PROVIDER, supportedQuotes: ['USD'], quotes, http };
}
