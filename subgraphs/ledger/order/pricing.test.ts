import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  checkTradingPair,
  parseOrderFees,
  parseOrderSpreads,
  tradingPair,
} from '../../../platform/config/order-rules.js';
import { parseDecimal } from '../../../providers/http/scaled-decimal.js';
import { PriceBook } from '../limits/price-book.js';
import { MarketRates } from './market-rate.js';
import { effectiveRate, quoteAmounts, ratioText, type QuoteTerms } from './pricing.js';

const terms = fc.record({
  rate: fc.record({ num: fc.bigInt(1n, 10n ** 30n), den: fc.bigInt(1n, 10n ** 30n) }),
  spreadBps: fc.integer({ min: 0, max: 2_000 }),
  feeFixed: fc.bigInt(0n, 10n ** 6n),
  feeBps: fc.integer({ min: 0, max: 1_000 }),
});

describe('quoteAmounts', () => {
  it('SPEND: pays exactly the amount, never gets more than the rate gives, loses less than one unit to rounding', () => {
    fc.assert(
      fc.property(terms, fc.bigInt(1n, 10n ** 24n), (t: QuoteTerms, amount) => {
        let q;
        try {
          q = quoteAmounts(t, 'SPEND', amount);
        } catch {
          return true; // too small to receive anything: refused, nothing to check
        }
        const eff = effectiveRate(t);
        expect(q.pay).toBe(amount);
        expect(q.gross).toBe(q.receive + q.fee);
        expect(q.receive).toBeGreaterThan(0n);
        // gross ≤ pay × eff < gross + 1
        expect(q.gross * eff.den <= q.pay * eff.num).toBe(true);
        expect(q.pay * eff.num < (q.gross + 1n) * eff.den).toBe(true);
        expect(q.fee).toBe(t.feeFixed + (q.gross * BigInt(t.feeBps) + 9_999n) / 10_000n);
        return true;
      }),
      { numRuns: 2_000 },
    );
  });

  it('RECEIVE: receives exactly the amount, pays the smallest amount that buys the gross', () => {
    fc.assert(
      fc.property(terms, fc.bigInt(1n, 10n ** 24n), (t: QuoteTerms, amount) => {
        const q = quoteAmounts(t, 'RECEIVE', amount);
        const eff = effectiveRate(t);
        expect(q.receive).toBe(amount);
        expect(q.gross).toBe(q.receive + q.fee);
        // the fee is what the schedule says on this gross
        expect(q.fee).toBe(t.feeFixed + (q.gross * BigInt(t.feeBps) + 9_999n) / 10_000n);
        // pay buys at least the gross; one unit less would not
        expect(q.pay * eff.num >= q.gross * eff.den).toBe(true);
        expect((q.pay - 1n) * eff.num < q.gross * eff.den).toBe(true);
        return true;
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses amounts that leave nothing after the fee', () => {
    expect(() =>
      quoteAmounts({ rate: { num: 1n, den: 1n }, spreadBps: 0, feeFixed: 10n, feeBps: 0 }, 'SPEND', 10n),
    ).toThrow(/too small/);
  });

  it('formats rates rounded down', () => {
    expect(ratioText({ num: 1n, den: 3n }, 6)).toBe('0.333333');
    expect(ratioText({ num: 398n, den: 100_000_000n }, 18)).toBe('0.00000398');
    expect(ratioText({ num: 5n, den: 1n }, 4)).toBe('5');
  });
});

describe('trading pairs and rules', () => {
  it('names a pair the same whichever way it is traded', () => {
    expect(tradingPair('IRT', 'TON')).toBe('TON/IRT');
    expect(tradingPair('TON', 'IRT')).toBe('TON/IRT');
    expect(tradingPair('USDT_ETH', 'ETH')).toBe('ETH/USDT_ETH');
    expect(tradingPair('USDT_TRON', 'IRT')).toBe('USDT_TRON/IRT');
    expect(tradingPair('TON', 'ETH')).toBe('ETH/TON');
    expect(checkTradingPair('IRT/TON')).toBeNull();
    expect(checkTradingPair('TON/IRT')).toBe('TON/IRT');
    expect(checkTradingPair('TON/TON')).toBeNull();
  });

  it('parses spreads and fees', () => {
    expect(parseOrderSpreads('TON/IRT:30,*:50')).toEqual({ spreads: { 'TON/IRT': 30 }, defaultSpreadBps: 50 });
    expect(() => parseOrderSpreads('IRT/TON:30')).toThrow(/not a pair/);
    expect(parseOrderFees('2:0.5:10,1:1:20')).toEqual([
      { level: 1, fixedUsdCents: 100n, bps: 20 },
      { level: 2, fixedUsdCents: 50n, bps: 10 },
    ]);
    expect(() => parseOrderFees('2:0:10')).toThrow(/level 1/);
    expect(() => parseOrderFees('1:0.001:10')).toThrow(/2 decimals/);
  });
});

describe('MarketRates', () => {
  const at = new Date('2026-12-07T09:00:00Z');
  const book = () => {
    const b = new PriceBook(900_000, () => at);
    const put = (coin: string, quote: string, v: string, ageS = 0) =>
      b.remember(coin, quote, { value: parseDecimal(v), observedAt: new Date(at.getTime() - ageS * 1000) });
    return { b, put };
  };

  it('tells a price never seen (PRICE_UNAVAILABLE) from one too old (PRICE_STALE)', () => {
    const { b, put } = book();
    const rates = new MarketRates(b, 60_000, () => at);
    expect(() => rates.rate('TON', 'IRT')).toThrow(expect.objectContaining({ code: 'PRICE_UNAVAILABLE' }));
    put('TON', 'IRT', '250000', 61);
    expect(() => rates.rate('TON', 'IRT')).toThrow(expect.objectContaining({ code: 'PRICE_STALE' }));
    put('TON', 'IRT', '250000', 10);
    // 1 nanoTON = 250,000 / 10⁹ Toman
    expect(rates.rate('TON', 'IRT')).toEqual({ num: 250000n, den: 1_000_000_000n });
  });

  it('prices Toman pairs in Toman, others in USD, and a coin without a Toman price through USDT', () => {
    const { b, put } = book();
    const rates = new MarketRates(b, 60_000, () => at);
    put('ETH', 'USD', '3000');
    put('USDT', 'USD', '1');
    put('USDT', 'IRT', '80000');
    // ETH → USDT_ETH: 3000 USD / 1 USD, 10¹⁸ wei → 10⁶ micro
    const swap = rates.rate('ETH', 'USDT_ETH');
    expect((swap.num * 10n ** 18n) / swap.den).toBe(3_000_000_000n);
    // no ETH/IRT: 3000 × 80000 Toman per ETH
    expect(rates.valueOf('ETH', 10n ** 18n, 'IRT')).toBe(240_000_000n);
    expect(rates.valueOf('IRT', 80_000n, 'USD')).toBe(100n); // cents
    expect(rates.fromUsdCents(150n, 'USDT_TRON')).toBe(1_500_000n);
  });
});
