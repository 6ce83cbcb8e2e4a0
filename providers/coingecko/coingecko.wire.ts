import { z } from 'zod';
import { zDecimalNumber, zSafeInteger, zUnixMillis, zUnixSeconds } from '../http/json.schemas.js';
import type { ScaledDecimal } from '../http/scaled-decimal.js';

/**
 * CoinGecko wire formats (API v3), decoded from lossless JSON so prices stay exact.
 *
 * Source: docs.coingecko.com/v3.0.1/reference/simple-price ("Coin Price by IDs") and
 * docs.coingecko.com/v3.0.1/reference/coins-id-market-chart ("Coin Historical Chart Data by ID"),
 * docs.coingecko.com/reference/common-errors-rate-limit (status codes, 10002/10005/10010/10011).
 */

export const PROVIDER = 'coingecko';

/**
 * GET /simple/price?ids=…&vs_currencies=usd&include_24hr_change=true&include_last_updated_at=true
 * → `{ "<coin id>": { "usd": 67187.33, "usd_24h_change": 3.63, "last_updated_at": 1711356300 } }`.
 * Unknown ids are simply absent. `<vs>_24h_change` can be null (CoinGecko's hint that the price is stale).
 */
export interface SimplePrice {
  price: ScaledDecimal;
  change24hPercent: ScaledDecimal | null;
  lastUpdatedAt: Date | null;
}

const entrySchema = (vs: string) =>
  z
    .object({
      [vs]: zDecimalNumber,
      [`${vs}_24h_change`]: zDecimalNumber.nullable().optional(),
      last_updated_at: zUnixSeconds.optional(),
    })
    .passthrough();

/** Decodes a /simple/price body for one vs currency: coin id → price. Entries without that currency are skipped. */
export function simplePriceDecoder(vs: string): z.ZodType<Map<string, SimplePrice>, z.ZodTypeDef, unknown> {
  const entry = entrySchema(vs);
  return z.record(z.string(), z.record(z.unknown())).transform((body, ctx) => {
    const out = new Map<string, SimplePrice>();
    for (const [id, raw] of Object.entries(body)) {
      if (!(vs in raw)) continue;
      const parsed = entry.safeParse(raw);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) ctx.addIssue({ ...issue, path: [id, ...issue.path] });
        return z.NEVER;
      }
      const data = parsed.data as Record<string, unknown>;
      out.set(id, {
        price: data[vs] as ScaledDecimal,
        change24hPercent: (data[`${vs}_24h_change`] as ScaledDecimal | null | undefined) ?? null,
        lastUpdatedAt: (data.last_updated_at as Date | undefined) ?? null,
      });
    }
    return out;
  });
}

/**
 * GET /coins/{id}/market_chart?vs_currency=usd&days=N
 * → `{ "prices": [[ms, price]], "market_caps": [[ms, cap]], "total_volumes": [[ms, volume]] }`.
 */
const point = z.tuple([zUnixMillis, zDecimalNumber]);
export const marketChartBody = z
  .object({
    prices: z.array(point),
    market_caps: z.array(point).optional(),
    total_volumes: z.array(point),
  })
  .transform((body) => ({
    prices: body.prices.map(([at, price]) => ({ at, price })),
    marketCaps: (body.market_caps ?? []).map(([at, value]) => ({ at, value })),
    totalVolumes: body.total_volumes.map(([at, volume]) => ({ at, volume })),
  }));

export interface MarketChart {
  prices: Array<{ at: Date; price: ScaledDecimal }>;
  marketCaps: Array<{ at: Date; value: ScaledDecimal }>;
  totalVolumes: Array<{ at: Date; volume: ScaledDecimal }>;
}

/** Error body, e.g. `{"status":{"error_code":429,"error_message":"You've exceeded the Rate Limit…"}}`. */
export const errorBody = z.object({
  status: z.object({ error_code: zSafeInteger, error_message: z.string() }),
});
