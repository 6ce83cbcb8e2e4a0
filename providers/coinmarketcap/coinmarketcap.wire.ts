import { z } from 'zod';
import { ProviderResponseError, snippet } from '../http/http.errors.js';
import { zDecimalNumber, zIsoDate, zSafeInteger } from '../http/json.schemas.js';
import type { RawResponse } from '../http/http.client.js';
import type { ScaledDecimal } from '../http/scaled-decimal.js';

/**
 * CoinMarketCap Pro API wire formats.
 *
 * Sources: coinmarketcap.com/api/documentation ("Quotes Latest v2", GET /v2/cryptocurrency/quotes/latest: `id`,
 * `slug` or `symbol`, `convert`, `skip_invalid`; "starting in the v2 endpoint, due to the fact that a symbol is not
 * unique, if you request by symbol each data response will contain an array of objects containing all of the coins
 * that use each requested symbol"), and the guide "Errors and rate limits" (a `status` object is always included,
 * with `error_code` and `error_message`; HTTP 401/402/403/429/500; the per-minute limit resets every 60 seconds).
 *
 * Envelope: `{ "status": { "timestamp", "error_code": 0, "error_message": null, "elapsed", "credit_count" },
 *   "data": { "<id>": { "id", "name", "symbol", "slug", …, "last_updated",
 *   "quote": { "USD": { "price", "volume_24h", "percent_change_24h", …, "last_updated" } } } } }`
 * (by symbol: `"data": { "<SYMBOL>": [ {…}, … ] }`).
 */

export const PROVIDER = 'coinmarketcap';

/** Error codes from the "Errors and rate limits" guide that change how long to back off. */
export const CMC_ERROR = {
  API_KEY_INVALID: 1001,
  API_KEY_MISSING: 1002,
  MINUTE_RATE_LIMIT: 1008,
  DAILY_RATE_LIMIT: 1009,
  MONTHLY_RATE_LIMIT: 1010,
  IP_RATE_LIMIT: 1011,
} as const;

export const statusObject = z
  .object({
    timestamp: z.string().optional(),
    error_code: zSafeInteger,
    error_message: z.string().nullable().optional(),
    credit_count: zSafeInteger.optional(),
  })
  .passthrough();

const quoteInCurrency = z
  .object({
    price: zDecimalNumber.nullable(),
    percent_change_24h: zDecimalNumber.nullable().optional(),
    last_updated: zIsoDate.nullable().optional(),
  })
  .passthrough();

const coin = z
  .object({
    id: zSafeInteger,
    symbol: z.string(),
    name: z.string().optional(),
    cmc_rank: zSafeInteger.nullable().optional(),
    last_updated: zIsoDate.nullable().optional(),
    quote: z.record(z.string(), quoteInCurrency),
  })
  .passthrough();

export interface CmcQuote {
  id: number;
  symbol: string;
  cmcRank: number | null;
  price: ScaledDecimal | null;
  change24hPercent: ScaledDecimal | null;
  lastUpdated: Date | null;
}

/** Decodes a quotes/latest body for one `convert` currency into a flat list (by-id and by-symbol forms alike). */
export function quotesLatestDecoder(convert: string) {
  return z
    .object({
      status: statusObject,
      data: z.record(z.string(), z.union([coin, z.array(coin)])),
    })
    .transform(({ data }): CmcQuote[] =>
      Object.values(data)
        .flatMap((entry) => (Array.isArray(entry) ? entry : [entry]))
        .map((c) => {
          const q = c.quote[convert];
          return {
            id: c.id,
            symbol: c.symbol,
            cmcRank: c.cmc_rank ?? null,
            price: q?.price ?? null,
            change24hPercent: q?.percent_change_24h ?? null,
            lastUpdated: q?.last_updated ?? c.last_updated ?? null,
          };
        }),
    );
}

const envelope = z.object({ status: statusObject }).passthrough();

/** A 2xx body whose `status.error_code` is not 0 is an error. */
export function throwIfStatusError(data: unknown, raw: RawResponse): void {
  const parsed = envelope.safeParse(data);
  if (parsed.success && parsed.data.status.error_code !== 0) {
    const { error_code, error_message } = parsed.data.status;
    throw new ProviderResponseError(PROVIDER, raw.status, snippet(raw.text), `${error_code}: ${error_message ?? ''}`);
  }
}

const rateLimitBody = z.object({ status: z.object({ error_code: z.number().int() }).passthrough() }).passthrough();

/**
 * Back-off for a CoinMarketCap 429, from its error code: the daily limit (1009) lasts until the next UTC midnight,
 * the monthly one (1010) until the first of next month (UTC); the minute (1008) and IP (1011) limits, or a 429 we
 * cannot read, last one window (`windowMs`, 60 s per the docs). A Retry-After header, if CoinMarketCap ever sends
 * one, wins (null here lets the HTTP client read it).
 */
export function cmcRetryAfter(response: RawResponse, windowMs: number, now: Date = new Date()): number | null {
  if (response.status !== 429) return null;
  if (response.headers.get('retry-after')) return null;
  let code: number | null = null;
  try {
    const parsed = rateLimitBody.safeParse(JSON.parse(response.text));
    if (parsed.success) code = parsed.data.status.error_code;
  } catch {
    code = null;
  }
  if (code === CMC_ERROR.DAILY_RATE_LIMIT) {
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + 1) - now.getTime();
  }
  if (code === CMC_ERROR.MONTHLY_RATE_LIMIT) {
    return Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1) - now.getTime();
  }
  return windowMs;
}
