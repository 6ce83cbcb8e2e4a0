import type { ScaledDecimal } from '../../providers/http/scaled-decimal.js';

/** mulberry32: a tiny seeded PRNG, uniform in [0, 1). Deterministic per seed; not for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface RandomWalkOptions {
  /** Starting price per key, exact. */
  start: Record<string, ScaledDecimal>;
  /** Largest relative move per step (0.01 = ±1 %). Default 0.005. */
  volatility?: number;
  /** Per-key multiplier of `volatility` (stablecoins move little). Default 1. */
  volatilityScale?: Record<string, number>;
  random: () => number;
}

export interface RandomWalk {
  /** Moves every price one step; returns the new prices. */
  step(): Record<string, ScaledDecimal>;
  /** Current prices without moving them. */
  current(): Record<string, ScaledDecimal>;
  /** The starting prices (the simulated 24 h open, for a 24 h change). */
  opening(): Record<string, ScaledDecimal>;
}

const PPB = 1_000_000_000n;

/**
 * Multiplicative random walk in exact integer arithmetic: each step multiplies a price by (1 + u) with
 * u uniform in ±volatility, rounded to parts per billion; the price keeps its scale and never reaches zero.
 * Only the random factor is a float (it is noise, not money).
 */
export function createRandomWalk(options: RandomWalkOptions): RandomWalk {
  const volatility = options.volatility ?? 0.005;
  const prices = new Map(Object.entries(options.start));
  const opening = Object.fromEntries(prices);
  return {
    step() {
      for (const [key, price] of prices) {
        const v = volatility * (options.volatilityScale?.[key] ?? 1);
        const factor = PPB + BigInt(Math.round((options.random() * 2 - 1) * v * 1e9));
        const next = (price.value * factor) / PPB;
        prices.set(key, { value: next > 0n ? next : 1n, scale: price.scale });
      }
      return Object.fromEntries(prices);
    },
    current: () => Object.fromEntries(prices),
    opening: () => opening,
  };
}

/**
 * Percent change from `from` to `to`, exact to `scale` fractional digits (truncated toward zero):
 * (to − from) / from × 100.
 */
export function percentChange(from: ScaledDecimal, to: ScaledDecimal, scale = 4): ScaledDecimal {
  const common = Math.max(from.scale, to.scale);
  const a = from.value * 10n ** BigInt(common - from.scale);
  const b = to.value * 10n ** BigInt(common - to.scale);
  return { value: ((b - a) * 100n * 10n ** BigInt(scale)) / a, scale };
}
