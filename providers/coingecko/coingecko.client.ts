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
import { PROVIDER, marketChartBody, simplePriceDecoder, type MarketChart } from './coingecko.wire.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';

/**
 * CoinGecko API ids of the platform's assets (`/coins/list`). Toncoin's API id is "the-open-network" (its web page
 * slug is "toncoin"); an unknown id is silently absent from /simple/price, so a wrong id means a missing price.
 */
export const COINGECKO_IDS: Readonly<Record<AssetSymbol, string>> = {
  TON: 'the-open-network',
  USDT: 'tether',
  TRX: 'tron',
  ETH: 'ethereum',
  BNB: 'binancecoin',
};

export type CoinGeckoPlan = 'demo' | 'pro';

/** Header carrying the key, per plan (docs.coingecko.com authentication: demo vs pro). */
export const COINGECKO_KEY_HEADER: Readonly<Record<CoinGeckoPlan, string>> = {
  demo: 'x-cg-demo-api-key',
  pro: 'x-cg-pro-api-key',
};

export interface CoinGeckoClientOptions {
  /** "https://api.coingecko.com/api/v3" (demo/keyless), "https://pro-api.coingecko.com/api/v3" (pro), or a simulator. */
  baseUrl: string;
  apiKey: string | null;
  /** Which header the key goes in. Default 'demo'. */
  plan?: CoinGeckoPlan;
  /** Override coin ids (e.g. if CoinGecko renames one). */
  coinIds?: Partial<Record<AssetSymbol, string>>;
  /** Timeout/retry/breaker/rate-limit settings for the underlying HTTP client. */
  resilience?: ResilienceOptions;
  log?: Logger;
  /** Clock for `observedAt` when CoinGecko sends no `last_updated_at`. */
  now?: () => Date;
}

export interface MarketChartOptions {
  /** Days back from now; CoinGecko picks granularity: 1 → 5-minutely, 2–90 → hourly, more → daily. */
  days: number | 'max';
  /** 'daily' forces daily points. */
  interval?: 'daily';
  signal?: AbortSignal;
}

export interface CoinGeckoClient extends PriceSource {
  /** Price, market cap and volume history in USD for one asset. */
  marketChart(symbol: AssetSymbol, options: MarketChartOptions): Promise<MarketChart>;
  /** The underlying HTTP client (circuit state, rate-limit back-off). */
  readonly http: HttpClient;
}

/** Defaults for a poller: 5 s timeout, 2 retries, circuit opens after 5 failures for 30 s, 429 refused until it passes. */
const DEFAULT_RESILIENCE = resilienceDefaults({
  // CoinGecko's 429 carries Retry-After; without it, its limits are per minute.
  rateLimit: { maxWaitMs: 0, defaultRetryAfterMs: 60_000 },
});

export function createCoinGeckoClient(options: CoinGeckoClientOptions): CoinGeckoClient {
  const ids: Record<AssetSymbol, string> = { ...COINGECKO_IDS, ...options.coinIds };
  const plan = options.plan ?? 'demo';
  const now = options.now ?? (() => new Date());
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...DEFAULT_RESILIENCE,
    ...options.resilience,
    headers: options.apiKey ? { [COINGECKO_KEY_HEADER[plan]]: options.apiKey } : {},
    ...(log ? { log } : {}),
  });
  const usd = simplePriceDecoder('usd');

  const quotes = async (
    symbols: readonly AssetSymbol[],
    quote: QuoteCurrency,
    opts: QuoteRequestOptions = {},
  ): Promise<PriceQuote[]> => {
    if (quote !== 'USD' || symbols.length === 0) return [];
    const wanted = [...new Set(symbols)];
    const res = await http.get('/simple/price', {
      query: {
        ids: wanted.map((s) => ids[s]),
        vs_currencies: 'usd',
        include_24hr_change: true,
        include_last_updated_at: true,
        precision: 'full',
      },
      parse: 'lossless',
      decode: (data, raw) => parseBody(PROVIDER, usd, data, raw.text),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return usdQuotesFrom(
      wanted,
      (symbol) => {
        const entry = res.data.get(ids[symbol]);
        return (
          entry && { price: entry.price, change24hPercent: entry.change24hPercent, observedAt: entry.lastUpdatedAt }
        );
      },
      { source: PROVIDER, receivedAt: now(), log, idOf: (symbol) => ids[symbol] },
    );
  };

  const marketChart = async (symbol: AssetSymbol, opts: MarketChartOptions): Promise<MarketChart> => {
    const res = await http.get(`/coins/${encodeURIComponent(ids[symbol])}/market_chart`, {
      query: { vs_currency: 'usd', days: opts.days, interval: opts.interval, precision: 'full' },
      parse: 'lossless',
      decode: (data, raw) => parseBody(PROVIDER, marketChartBody, data, raw.text),
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    return res.data;
  };

  return { name: PROVIDER, supportedQuotes: ['USD'], quotes, marketChart, http };
}
