import type { Logger } from 'pino';
import type { ScaledDecimal } from './http/scaled-decimal.js';

/**
 * The port every price provider implements. The market subgraph and the price-feed worker depend on this
 * interface only; which implementation (real client or simulator URL) sits behind it is chosen by
 * `createPriceSources` in `prices.config.ts`.
 */

/** Platform assets that have a market price. USDT is one price for all its networks. */
export type AssetSymbol = 'TON' | 'USDT' | 'TRX' | 'ETH' | 'BNB';
export const ASSET_SYMBOLS: readonly AssetSymbol[] = ['TON', 'USDT', 'TRX', 'ETH', 'BNB'];

/** USD, or IRT = Iranian Toman (1 IRT = 10 IRR; every provider quoting Rial converts in its adapter). */
export type QuoteCurrency = 'USD' | 'IRT';
export const QUOTE_CURRENCIES: readonly QuoteCurrency[] = ['USD', 'IRT'];

export interface PriceQuote {
  symbol: AssetSymbol;
  quote: QuoteCurrency;
  /** Price of 1 unit of `symbol` in `quote`, exact (value × 10^-scale), as the provider stated it. */
  price: ScaledDecimal;
  /**
   * Change over 24 hours in percent, exact as the provider stated it ({ 363727894677354n, 14 } = +3.63727894677354 %).
   * null when the provider did not give one.
   */
  change24hPercent: ScaledDecimal | null;
  /** When the provider last updated this price (its own timestamp when it sends one, else when we received it). */
  observedAt: Date;
  /** Provider name ("coingecko", "coinmarketcap", "nobitex"). */
  source: string;
}

export interface QuoteRequestOptions {
  signal?: AbortSignal;
}

export interface PriceSource {
  readonly name: string;
  /** Quote currencies this source can price; `quotes` returns [] for any other. */
  readonly supportedQuotes: readonly QuoteCurrency[];
  /**
   * Latest prices of `symbols` in `quote`: at most one quote per symbol, in no particular order. A symbol the
   * provider did not price (unknown, delisted, market closed) is left out, not an error. Failures of the call
   * itself reject with a `ProviderError` subclass (timeout, rate limited, unavailable, response, parse, network).
   */
  quotes(symbols: readonly AssetSymbol[], quote: QuoteCurrency, options?: QuoteRequestOptions): Promise<PriceQuote[]>;
}

export function isAssetSymbol(value: string): value is AssetSymbol {
  return (ASSET_SYMBOLS as readonly string[]).includes(value);
}

/** One asset's USD figures as a provider reported them (`observedAt` null when it sent no timestamp). */
export interface ReportedUsdPrice {
  price: ScaledDecimal;
  change24hPercent: ScaledDecimal | null;
  observedAt: Date | null;
}

/**
 * The USD quotes for `wanted`, in that order, from what a provider answered: `reported` finds an asset's figures;
 * one it left out (or sent without a price) is logged and skipped, per the PriceSource contract.
 */
export function usdQuotesFrom(
  wanted: readonly AssetSymbol[],
  reported: (symbol: AssetSymbol) => ReportedUsdPrice | null | undefined,
  context: {
    source: string;
    receivedAt: Date;
    log?: Logger | undefined;
    idOf: (symbol: AssetSymbol) => string | number;
  },
): PriceQuote[] {
  const out: PriceQuote[] = [];
  for (const symbol of wanted) {
    const entry = reported(symbol);
    if (!entry) {
      context.log?.warn({ symbol, id: context.idOf(symbol) }, `${context.source} returned no USD price for asset`);
      continue;
    }
    out.push({
      symbol,
      quote: 'USD',
      price: entry.price,
      change24hPercent: entry.change24hPercent,
      observedAt: entry.observedAt ?? context.receivedAt,
      source: context.source,
    });
  }
  return out;
}
