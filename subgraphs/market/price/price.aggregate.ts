import {
  compareDecimal,
  normalizeDecimal,
  roundDecimal,
  widenScale,
  type ScaledDecimal,
} from '../../../providers/http/scaled-decimal.js';
import type { PriceQuote } from '../../../providers/price-source.port.js';
import { pairKey, type AggregatedPrice, type PricePair, type PriceProblem } from './price.model.js';

/** Observations stamped further in the future than this are not trusted (a provider clock gone wrong). */
const MAX_CLOCK_SKEW_MS = 60_000;

/**
 * Exact median: the middle value, or the mean of the two middle values (exact too: (a + b) / 2 is
 * (a + b) × 5 at one more decimal).
 */
export function medianDecimal(values: readonly ScaledDecimal[]): ScaledDecimal {
  if (!values.length) throw new RangeError('median of nothing');
  const sorted = [...values].sort(compareDecimal);
  const mid = Math.floor(sorted.length / 2);
  if (sorted.length % 2 === 1) return normalizeDecimal(sorted[mid]!);
  const a = sorted[mid - 1]!;
  const b = sorted[mid]!;
  const scale = Math.max(a.scale, b.scale);
  const sum = widenScale(a, scale).value + widenScale(b, scale).value;
  return normalizeDecimal({ value: sum * 5n, scale: scale + 1 });
}

export interface AggregateResult {
  prices: AggregatedPrice[];
  problems: PriceProblem[];
}

/**
 * Turns every source's quotes into one price per pair: only observations at most `maxAgeMs` old count
 * (a stale source is ignored, never averaged in), the value is their median, and `updatedAt` is the oldest
 * of them. A pair some source quoted but none freshly is `stale`; a pair nobody quoted is `unavailable`.
 */
export function aggregateQuotes(
  quotes: readonly PriceQuote[],
  pairs: readonly PricePair[],
  now: Date,
  maxAgeMs: number,
): AggregateResult {
  const byPair = new Map<string, PriceQuote[]>();
  for (const q of quotes) {
    const key = pairKey({ coin: q.symbol, quote: q.quote });
    const list = byPair.get(key);
    if (list) list.push(q);
    else byPair.set(key, [q]);
  }
  const prices: AggregatedPrice[] = [];
  const problems: PriceProblem[] = [];
  for (const pair of pairs) {
    const all = (byPair.get(pairKey(pair)) ?? []).filter(
      (q) => q.price.value > 0n && q.observedAt.getTime() <= now.getTime() + MAX_CLOCK_SKEW_MS,
    );
    // one observation per source (a provider answering twice in one round counts once: its newest)
    const perSource = new Map<string, PriceQuote>();
    for (const q of all) {
      const seen = perSource.get(q.source);
      if (!seen || q.observedAt > seen.observedAt) perSource.set(q.source, q);
    }
    const candidates = [...perSource.values()];
    const fresh = candidates.filter((q) => now.getTime() - q.observedAt.getTime() <= maxAgeMs);
    if (!fresh.length) {
      if (candidates.length) {
        const newest = Math.max(...candidates.map((q) => q.observedAt.getTime()));
        problems.push({ kind: 'stale', pair, newestObservedAt: new Date(newest) });
      } else {
        problems.push({ kind: 'unavailable', pair });
      }
      continue;
    }
    const changes = fresh.map((q) => q.change24hPercent).filter((c): c is ScaledDecimal => c !== null);
    const oldest = Math.min(...fresh.map((q) => Math.min(q.observedAt.getTime(), now.getTime())));
    prices.push({
      ...pair,
      value: medianDecimal(fresh.map((q) => q.price)),
      change24hPercent: changes.length ? normalizeDecimal(roundDecimal(medianDecimal(changes), 2)) : null,
      sources: fresh.map((q) => q.source).sort(),
      updatedAt: new Date(oldest),
      computedAt: now,
    });
  }
  return { prices, problems };
}
