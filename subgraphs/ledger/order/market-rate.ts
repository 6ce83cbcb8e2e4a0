import { DomainError, ErrorCode } from '../../../platform/errors.js';
import { assetInfo } from '../../../platform/money/assets.js';
import type { PriceBook } from '../limits/price-book.js';
import type { Ratio } from './pricing.js';

export type QuoteCurrency = 'USD' | 'IRT';

/**
 * Exact prices for trading from the ledger's PriceBook (the market's median per pair, fed over core NATS), with
 * trading's own freshness: a pair never seen is PRICE_UNAVAILABLE, one seen only longer than `maxAgeMs` ago is
 * PRICE_STALE. Both are retryable and nothing is quoted or filled.
 */
export class MarketRates {
  constructor(
    private readonly book: PriceBook,
    private readonly maxAgeMs: number,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Whether an observation is recent enough to trade on. */
  isFresh(entry: { observedAt: Date }): boolean {
    return this.now().getTime() - entry.observedAt.getTime() <= this.maxAgeMs;
  }

  /** Whole units of `quote` per whole unit of `asset` (USDT_* as USDT; Toman in USD via USDT). */
  unitPrice(asset: string, quote: QuoteCurrency): Ratio {
    const info = assetInfo(asset);
    if (!info) throw new Error(`unknown asset ${asset}`);
    if (info.coin === quote) return { num: 1n, den: 1n };
    if (info.coin === 'IRT' && quote === 'USD') {
      const usdtUsd = this.pair('USDT', 'USD');
      const usdtIrt = this.pair('USDT', 'IRT');
      return { num: usdtUsd.num * usdtIrt.den, den: usdtUsd.den * usdtIrt.num };
    }
    try {
      return this.pair(info.coin, quote);
    } catch (err) {
      // no fresh <coin>/IRT (Nobitex): the coin's USD price in Toman through USDT, when those are fresh
      if (quote !== 'IRT' || info.coin === 'USDT') throw err;
      try {
        const usd = this.pair(info.coin, 'USD');
        const usdtUsd = this.pair('USDT', 'USD');
        const usdtIrt = this.pair('USDT', 'IRT');
        return {
          num: usd.num * usdtIrt.num * usdtUsd.den,
          den: usd.den * usdtIrt.den * usdtUsd.num,
        };
      } catch {
        throw err;
      }
    }
  }

  /**
   * Minor units of `to` per minor unit of `from` at the market's mid price. Priced in Toman when either side is
   * Toman (Nobitex's books), otherwise in USD.
   */
  rate(from: string, to: string): Ratio {
    const quote: QuoteCurrency = from === 'IRT' || to === 'IRT' ? 'IRT' : 'USD';
    const pf = this.unitPrice(from, quote);
    const pt = this.unitPrice(to, quote);
    const df = BigInt(assetInfo(from)!.decimals);
    const dt = BigInt(assetInfo(to)!.decimals);
    return { num: pf.num * pt.den * 10n ** dt, den: pf.den * pt.num * 10n ** df };
  }

  /** `amount` minor units of `asset` in `quote`'s minor units (cents, Toman), rounded down. */
  valueOf(asset: string, amount: bigint, quote: QuoteCurrency): bigint {
    const p = this.unitPrice(asset, quote);
    const dq = quote === 'USD' ? 2n : 0n;
    return (amount * p.num * 10n ** dq) / (p.den * 10n ** BigInt(assetInfo(asset)!.decimals));
  }

  /** `cents` US cents in minor units of `asset`, rounded up (a fixed fee never rounds to less than it is). */
  fromUsdCents(cents: bigint, asset: string): bigint {
    if (cents === 0n) return 0n;
    const p = this.unitPrice(asset, 'USD');
    const num = cents * p.den * 10n ** BigInt(assetInfo(asset)!.decimals);
    const den = p.num * 100n;
    return (num + den - 1n) / den;
  }

  private pair(coin: string, quote: QuoteCurrency): Ratio {
    const entry = this.book.observation(coin, quote);
    const pair = `${coin}/${quote}`;
    if (!entry)
      throw new DomainError(ErrorCode.PRICE_UNAVAILABLE, `No ${pair} price is known yet; try again shortly`, {
        pair,
        retryable: true,
      });
    if (this.now().getTime() - entry.observedAt.getTime() > this.maxAgeMs)
      throw new DomainError(
        ErrorCode.PRICE_STALE,
        `The ${pair} price is older than ${Math.round(this.maxAgeMs / 1000)}s; no quote until it is fresh again`,
        { pair, observedAt: entry.observedAt.toISOString(), retryable: true },
      );
    return { num: entry.value.value, den: 10n ** BigInt(entry.value.scale) };
  }
}
