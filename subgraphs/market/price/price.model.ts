import { formatDecimal, parseDecimal, type ScaledDecimal } from '../../../providers/http/scaled-decimal.js';
import {
  ASSET_SYMBOLS,
  QUOTE_CURRENCIES,
  type AssetSymbol,
  type QuoteCurrency,
} from '../../../providers/price-source.port.js';

export type Coin = AssetSymbol;
export type Quote = QuoteCurrency;
export const PRICED_COINS: readonly Coin[] = ASSET_SYMBOLS;
export const QUOTES: readonly Quote[] = QUOTE_CURRENCIES;

/** A (coin, quote) market such as TON/IRT. */
export interface PricePair {
  coin: Coin;
  quote: Quote;
}

export const pairKey = (p: PricePair): string => `${p.coin}/${p.quote}`;

export const ALL_PAIRS: readonly PricePair[] = PRICED_COINS.flatMap((coin) => QUOTES.map((quote) => ({ coin, quote })));

/** The platform's price of one pair: the median of the sources that were fresh when it was computed. */
export interface AggregatedPrice extends PricePair {
  value: ScaledDecimal;
  /** Percent, rounded to 2 decimals; null when no fresh source gave one. */
  change24hPercent: ScaledDecimal | null;
  /** Names of the fresh sources the median was taken over. */
  sources: string[];
  /** The oldest observation that went into the price: every input is at least this recent. */
  updatedAt: Date;
  /** When the platform computed it. */
  computedAt: Date;
}

/** Why a pair has no price. */
export type PriceProblem =
  { kind: 'stale'; pair: PricePair; newestObservedAt: Date } | { kind: 'unavailable'; pair: PricePair };

/** What the Redis cache holds per pair: a price, or the reason there is none (kept briefly). */
export type CachedEntry = { price: AggregatedPrice } | { problem: PriceProblem };

interface PriceJson {
  v: string;
  c: string | null;
  s: string[];
  u: number;
  at: number;
}
interface ProblemJson {
  e: 'stale' | 'unavailable';
  n?: number;
}

export function encodeEntry(entry: CachedEntry): string {
  if ('price' in entry) {
    const p = entry.price;
    const json: PriceJson = {
      v: formatDecimal(p.value),
      c: p.change24hPercent ? formatDecimal(p.change24hPercent) : null,
      s: p.sources,
      u: p.updatedAt.getTime(),
      at: p.computedAt.getTime(),
    };
    return JSON.stringify(json);
  }
  const json: ProblemJson =
    entry.problem.kind === 'stale' ? { e: 'stale', n: entry.problem.newestObservedAt.getTime() } : { e: 'unavailable' };
  return JSON.stringify(json);
}

export function decodeEntry(pair: PricePair, text: string): CachedEntry {
  const json = JSON.parse(text) as Partial<PriceJson & ProblemJson>;
  if (json.e === 'stale') return { problem: { kind: 'stale', pair, newestObservedAt: new Date(json.n ?? 0) } };
  if (json.e === 'unavailable') return { problem: { kind: 'unavailable', pair } };
  if (typeof json.v !== 'string' || typeof json.u !== 'number' || typeof json.at !== 'number' || !Array.isArray(json.s))
    throw new Error(`malformed cached price for ${pairKey(pair)}`);
  return {
    price: {
      ...pair,
      value: parseDecimal(json.v),
      change24hPercent: typeof json.c === 'string' ? parseDecimal(json.c) : null,
      sources: json.s,
      updatedAt: new Date(json.u),
      computedAt: new Date(json.at),
    },
  };
}

/** Core NATS subject (not JetStream: prices are ephemeral), before config.nats.subjectPrefix. */
export const PRICE_UPDATED_SUBJECT = 'market.price.updated';

/** Payload of `market.price.updated`: the pair (the key) plus the new figures for consumers that want them. */
export interface PriceUpdatedPayload {
  coin: Coin;
  quote: Quote;
  value: string;
  change24h: string | null;
  sourceCount: number;
  updatedAt: string;
}
