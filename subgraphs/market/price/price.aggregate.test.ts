import { describe, expect, it } from 'vitest';
import { formatDecimal, parseDecimal } from '../../../providers/http/scaled-decimal.js';
import type { PriceQuote } from '../../../providers/price-source.port.js';
import { aggregateQuotes, medianDecimal } from './price.aggregate.js';
import { decodeEntry, encodeEntry, type PricePair } from './price.model.js';

const d = parseDecimal;
const NOW = new Date('2026-11-22T12:00:00.000Z');
const ago = (s: number) => new Date(NOW.getTime() - s * 1000);
const q = (source: string, price: string, observedSecondsAgo: number, extra: Partial<PriceQuote> = {}): PriceQuote => ({
  symbol: 'TON',
  quote: 'USD',
  price: d(price),
  change24hPercent: null,
  observedAt: ago(observedSecondsAgo),
  source,
  ...extra,
});
const TON_USD: PricePair = { coin: 'TON', quote: 'USD' };

describe('medianDecimal', () => {
  it('is the middle value for an odd count and the exact mean of the middle two for an even count', () => {
    expect(formatDecimal(medianDecimal([d('3'), d('1'), d('2')]))).toBe('2');
    expect(formatDecimal(medianDecimal([d('5.21834712'), d('5.2199123')]))).toBe('5.21912971');
    // (0.1 + 0.2) / 2 with no float in sight
    expect(formatDecimal(medianDecimal([d('0.1'), d('0.2')]))).toBe('0.15');
    expect(formatDecimal(medianDecimal([d('1'), d('2')]))).toBe('1.5');
    expect(formatDecimal(medianDecimal([d('0.000000000000000001'), d('0.000000000000000002')]))).toBe(
      '0.0000000000000000015',
    );
  });

  it('ignores the scale sources state numbers with', () => {
    expect(formatDecimal(medianDecimal([d('1.50'), d('1.5000'), d('9')]))).toBe('1.5');
  });
});

describe('aggregateQuotes', () => {
  it('takes the median of the fresh sources only; an outlier cannot drag it', () => {
    const { prices, problems } = aggregateQuotes(
      [q('a', '5.20', 10), q('b', '5.22', 5), q('c', '500', 1)],
      [TON_USD],
      NOW,
      60_000,
    );
    expect(problems).toEqual([]);
    expect(prices).toHaveLength(1);
    expect(formatDecimal(prices[0]!.value)).toBe('5.22');
    expect(prices[0]!.sources).toEqual(['a', 'b', 'c']);
    expect(prices[0]!.updatedAt).toEqual(ago(10)); // the oldest input
  });

  it('leaves a stale source out of the median, and reports a pair with only stale sources as stale', () => {
    const mixed = aggregateQuotes([q('a', '5', 61), q('b', '6', 59)], [TON_USD], NOW, 60_000);
    expect(formatDecimal(mixed.prices[0]!.value)).toBe('6');
    expect(mixed.prices[0]!.sources).toEqual(['b']);

    const stale = aggregateQuotes([q('a', '5', 600), q('b', '6', 120)], [TON_USD], NOW, 60_000);
    expect(stale.prices).toEqual([]);
    expect(stale.problems).toEqual([{ kind: 'stale', pair: TON_USD, newestObservedAt: ago(120) }]);
  });

  it('reports a pair nobody quoted as unavailable, and keeps pairs apart', () => {
    const { prices, problems } = aggregateQuotes(
      [q('a', '5', 1), q('n', '527843.1', 1, { quote: 'IRT' })],
      [TON_USD, { coin: 'TON', quote: 'IRT' }, { coin: 'ETH', quote: 'USD' }],
      NOW,
      60_000,
    );
    expect(prices.map((p) => [p.coin, p.quote, formatDecimal(p.value)])).toEqual([
      ['TON', 'USD', '5'],
      ['TON', 'IRT', '527843.1'],
    ]);
    expect(problems).toEqual([{ kind: 'unavailable', pair: { coin: 'ETH', quote: 'USD' } }]);
  });

  it('counts one observation per source (its newest) and rejects observations from the future', () => {
    const { prices } = aggregateQuotes(
      [q('a', '1', 30), q('a', '3', 2), q('b', '5', 1), q('c', '100', -3600)],
      [TON_USD],
      NOW,
      60_000,
    );
    expect(formatDecimal(prices[0]!.value)).toBe('4'); // median of a=3 and b=5; c is an hour ahead of our clock
    expect(prices[0]!.sources).toEqual(['a', 'b']);
  });

  it('gives the median 24 h change, rounded to 2 decimals (half to even), or null when no source had one', () => {
    const withChange = aggregateQuotes(
      [
        q('a', '5', 1, { change24hPercent: d('3.63727894677354') }),
        q('b', '5', 1, { change24hPercent: d('-1.005') }),
        q('c', '5', 1),
      ],
      [TON_USD],
      NOW,
      60_000,
    );
    expect(formatDecimal(withChange.prices[0]!.change24hPercent!)).toBe('1.32'); // (3.63727894677354 - 1.005) / 2 = 1.31613947338677
    expect(aggregateQuotes([q('a', '5', 1)], [TON_USD], NOW, 60_000).prices[0]!.change24hPercent).toBeNull();
  });

  it('survives the cache round trip exactly', () => {
    const { prices } = aggregateQuotes(
      [q('a', '0.000000123456789012345', 1, { change24hPercent: d('-0.5') })],
      [TON_USD],
      NOW,
      60_000,
    );
    const back = decodeEntry(TON_USD, encodeEntry({ price: prices[0]! }));
    expect(back).toEqual({ price: prices[0] });
    const problem = { kind: 'stale' as const, pair: TON_USD, newestObservedAt: ago(500) };
    expect(decodeEntry(TON_USD, encodeEntry({ problem }))).toEqual({ problem });
  });
});
