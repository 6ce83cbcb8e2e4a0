import { ASSETS, assetInfo } from '../money/assets.js';

/** The instant exchange's defaults; staff override spreads, caps and fees per pair or level at run time. */
export interface OrderFeeRule {
  level: number;
  /** Fixed part in US cents, converted to the asset the user receives at the quote's price (rounded up). */
  fixedUsdCents: bigint;
  bps: number;
}

export interface OrderRules {
  /** Seconds a quote can be placed after it was made. */
  quoteTtlSeconds: number;
  /** A price observed longer ago than this is PRICE_STALE for quotes and limit fills. */
  priceMaxAgeSeconds: number;
  /** Spread per pair (`BASE/QUOTE`, see tradingPair) in basis points; `*` for the rest. */
  spreads: Record<string, number>;
  defaultSpreadBps: number;
  /** Fee per user level (a level without an entry takes the highest entry below it). */
  fees: OrderFeeRule[];
}

export const DEFAULT_ORDER_SPREADS = '*:50';
export const DEFAULT_ORDER_FEES = '1:0:20,2:0:15,3:0:10';

/** Rank of an asset as the quote side of a pair: Toman, then USDT, then everything else. */
function quoteRank(symbol: string): number {
  if (symbol === 'IRT') return 2;
  return assetInfo(symbol)?.coin === 'USDT' ? 1 : 0;
}

/**
 * The canonical name of the pair two assets trade in, whichever way the order goes: the quote side is Toman if
 * present, else a USDT, else the alphabetically later symbol (`TON/IRT`, `ETH/USDT_ETH`, `ETH/TON`).
 */
export function tradingPair(a: string, b: string): string {
  const ra = quoteRank(a);
  const rb = quoteRank(b);
  const aIsQuote = ra > rb || (ra === rb && a > b);
  return aIsQuote ? `${b}/${a}` : `${a}/${b}`;
}

/** `BASE/QUOTE` of two different catalogue assets written canonically, or null. */
export function checkTradingPair(text: string): string | null {
  const [a, b, extra] = text.split('/');
  if (!a || !b || extra !== undefined || a === b || !assetInfo(a) || !assetInfo(b)) return null;
  return tradingPair(a, b) === text ? text : null;
}

function bpsOf(text: string, what: string): number {
  if (!/^\d+$/.test(text) || Number(text) >= 10_000) throw new Error(`${what}: basis points 0–9999, not "${text}"`);
  return Number(text);
}

/** LEDGER_ORDER_SPREADS: `BASE/QUOTE:BPS,…` (canonical pair names), `*:BPS` for every other pair. */
export function parseOrderSpreads(text: string): { spreads: Record<string, number>; defaultSpreadBps: number } {
  const spreads: Record<string, number> = {};
  let defaultSpreadBps = 0;
  for (const entry of text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const at = entry.lastIndexOf(':');
    if (at < 0) throw new Error(`"${entry}" is not PAIR:BPS`);
    const pair = entry.slice(0, at);
    const bps = bpsOf(entry.slice(at + 1), pair);
    if (pair === '*') defaultSpreadBps = bps;
    else if (checkTradingPair(pair)) spreads[pair] = bps;
    else throw new Error(`"${pair}" is not a pair like TON/IRT (quote side Toman, then USDT, then alphabetical)`);
  }
  return { spreads, defaultSpreadBps };
}

/** LEDGER_ORDER_FEES: `LEVEL:FIXED_USD:BPS,…` (FIXED in dollars, up to 2 decimals); level 1 required. */
export function parseOrderFees(text: string): OrderFeeRule[] {
  const rules = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((entry) => {
      const [level, fixed, bps, extra] = entry.split(':');
      if (!level || !/^\d+$/.test(level) || fixed === undefined || bps === undefined || extra !== undefined)
        throw new Error(`"${entry}" is not LEVEL:FIXED_USD:BPS`);
      const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(fixed);
      if (!m) throw new Error(`level ${level}: fixed fee "${fixed}" is not dollars with at most 2 decimals`);
      return {
        level: Number(level),
        fixedUsdCents: BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')),
        bps: bpsOf(bps, `level ${level}`),
      };
    })
    .sort((x, y) => x.level - y.level);
  if (rules[0]?.level !== 1) throw new Error('a fee for level 1 is required');
  return rules;
}

/** The fee rule of a level: its own entry, or the highest one below it. */
export function orderFeeFor(rules: readonly OrderFeeRule[], level: number): OrderFeeRule {
  let found = rules[0]!;
  for (const r of rules) if (r.level <= level) found = r;
  return found;
}

/** Every pair the exchange can quote: each unordered pair of distinct catalogue assets. */
export const ALL_TRADING_PAIRS: readonly string[] = ASSETS.flatMap((a, i) =>
  ASSETS.slice(i + 1).map((b) => tradingPair(a.symbol, b.symbol)),
);
