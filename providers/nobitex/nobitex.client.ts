import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { parseBody } from '../http/json.schemas.js';
import { divideByPowerOfTen, normalizeDecimal, type ScaledDecimal } from '../http/scaled-decimal.js';
import type { AssetSymbol, PriceQuote, PriceSource, QuoteCurrency, QuoteRequestOptions } from '../price-source.port.js';
import { PROVIDER, nobitexRetryAfter, statsBody, throwIfFailed } from './nobitex.wire.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';

/** Nobitex currency codes of the platform's assets (docs: currency symbols list). */
export const NOBITEX_CURRENCIES: Readonly<Record<AssetSymbol, string>> = {
  TON: 'ton',
  USDT: 'usdt',
  TRX: 'trx',
  ETH: 'eth',
  BNB: 'bnb',
};

/** Nobitex's code for the Iranian Rial. */
export const NOBITEX_RIAL = 'rls';

/**
 * Rial → Toman, exactly: 1 IRT = 10 IRR, so only the scale changes (1234567 IRR → 123456.7 IRT); trailing zeros
 * are then dropped (650000000 IRR → 65000000 IRT). The only place the platform converts Rial.
 */
export function rialToToman(rial: ScaledDecimal): ScaledDecimal {
  return normalizeDecimal(divideByPowerOfTen(rial, 1));
}

export interface NobitexClientOptions {
  /** "https://apiv2.nobitex.ir" (the docs' host) or a simulator URL. */
  baseUrl: string;
  resilience?: ResilienceOptions;
  log?: Logger;
  /** Clock for `observedAt` (Nobitex stats carry no timestamp, so it is the time the answer arrived). */
  now?: () => Date;
}

export interface NobitexClient extends PriceSource {
  readonly http: HttpClient;
}

const DEFAULT_RESILIENCE = resilienceDefaults({ rateLimit: { maxWaitMs: 0, defaultRetryAfterMs: 60_000 } });

export function createNobitexClient(options: NobitexClientOptions): NobitexClient {
  const now = options.now ?? (() => new Date());
  const log = options.log?.child({ provider: PROVIDER });
  const resilience = { ...DEFAULT_RESILIENCE, ...options.resilience };
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...resilience,
    // Nobitex states its back-off in the 429 body (`backOff`, seconds), not in Retry-After.
    rateLimit: { ...resilience.rateLimit, retryAfterFromResponse: nobitexRetryAfter },
    ...(log ? { log } : {}),
  });

  const quotes = async (
    symbols: readonly AssetSymbol[],
    quote: QuoteCurrency,
    opts: QuoteRequestOptions = {},
  ): Promise<PriceQuote[]> => {
    if (quote !== 'IRT' || symbols.length === 0) return [];
    const wanted = [...new Set(symbols)];
    const res = await http.get('/market/stats', {
      query: { srcCurrency: wanted.map((s) => NOBITEX_CURRENCIES[s]), dstCurrency: NOBITEX_RIAL },
      parse: 'lossless',
      decode: (data, raw) => {
        throwIfFailed(data, raw);
        return parseBody(PROVIDER, statsBody, data, raw.text);
      },
      ...(opts.signal ? { signal: opts.signal } : {}),
    });
    const receivedAt = now();
    const out: PriceQuote[] = [];
    for (const symbol of wanted) {
      const market = `${NOBITEX_CURRENCIES[symbol]}-${NOBITEX_RIAL}`;
      const stats = res.data.stats[market];
      if (!stats || stats.isClosed === true || !stats.latest) {
        log?.warn({ symbol, market, closed: stats?.isClosed ?? null }, 'nobitex market has no price');
        continue;
      }
      out.push({
        symbol,
        quote: 'IRT',
        price: rialToToman(stats.latest),
        change24hPercent: stats.dayChange ?? null,
        observedAt: receivedAt,
        source: PROVIDER,
      });
    }
    return out;
  };

  return { name: PROVIDER, supportedQuotes: ['IRT'], quotes, http };
}
