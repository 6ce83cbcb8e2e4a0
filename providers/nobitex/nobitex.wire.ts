import { z } from 'zod';
import { ProviderResponseError, snippet } from '../http/http.errors.js';
import { zDecimalString } from '../http/json.schemas.js';
import type { RawResponse } from '../http/http.client.js';

/**
 * Nobitex wire formats, from the official docs (github.com/nobitex/docs-api, docusaurus/docs/market-data.md
 * "آمار بازار نوبیتکس" = market stats, and general-notes.md: success/failure envelopes and rate limits).
 *
 * GET /market/stats?srcCurrency=btc,usdt&dstCurrency=rls →
 * `{ "status": "ok", "stats": { "btc-rls": { "isClosed": false, "bestSell": "749976360", "bestBuy": "733059600",
 *    "volumeSrc": "0.29", "volumeDst": "212724856.06", "latest": "750350000", "mark": "747461987",
 *    "dayLow": "…", "dayHigh": "…", "dayOpen": "…", "dayClose": "…", "dayChange": "9.38" } } }`
 * Prices are strings, in Rial for `rls` markets; `dayChange` is a percentage. A deprecated `global` key
 * (Binance stats) may also be present and is ignored.
 *
 * Failure envelope (any status; HTTP 200 when the request parsed but could not be served):
 * `{ "status": "failed", "code": "ErrorCode", "message": "…" }`.
 * Rate limit: HTTP 429, `{ "status": "failed", "code": "TooManyRequests", "message": "…", "backOff": 12, "limit": 60 }`
 * where `backOff` is in seconds. Market stats allow 20 requests per minute.
 */

export const PROVIDER = 'nobitex';

const marketStats = z
  .object({
    isClosed: z.boolean().optional(),
    latest: zDecimalString.optional(),
    dayChange: zDecimalString.optional(),
    bestSell: zDecimalString.optional(),
    bestBuy: zDecimalString.optional(),
    mark: zDecimalString.optional(),
  })
  .passthrough();

export type NobitexMarketStats = z.output<typeof marketStats>;

export const statsBody = z.object({
  status: z.literal('ok'),
  stats: z.record(z.string(), marketStats),
});

const failedBody = z
  .object({ status: z.literal('failed'), code: z.string().optional(), message: z.string().optional() })
  .passthrough();

/** `{"status":"failed",…}` with a 2xx status is an error, not data. */
export function throwIfFailed(data: unknown, raw: RawResponse): void {
  const failed = failedBody.safeParse(data);
  if (failed.success) {
    const { code, message } = failed.data;
    throw new ProviderResponseError(
      PROVIDER,
      raw.status,
      snippet(raw.text),
      [code, message].filter(Boolean).join(': ') || 'failed',
    );
  }
}

const backOffBody = z.object({ backOff: z.number().nonnegative() }).passthrough();

/**
 * Nobitex's back-off in milliseconds from a 429 (or any `TooManyRequests`) body, or null when absent. The
 * number is seconds; read as a float, which is fine for a duration.
 */
export function nobitexRetryAfter(response: RawResponse): number | null {
  if (response.status !== 429 && !response.text.includes('TooManyRequests')) return null;
  try {
    const parsed = backOffBody.safeParse(JSON.parse(response.text));
    return parsed.success ? Math.ceil(parsed.data.backOff * 1000) : null;
  } catch {
    return null;
  }
}
