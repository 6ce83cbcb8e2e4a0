import { DomainError, ErrorCode } from '../../../platform/errors.js';
import type { PricePair } from './price.model.js';

/** Error codes of prices (listed in the market README). */
export const PriceErrorCode = {
  /** Sources answered, but none with an observation recent enough (PRICE_MAX_AGE_SECONDS): no old number is quoted. */
  PRICE_STALE: ErrorCode.PRICE_STALE,
  /** No source answered for the pair (all down, rate limited or circuit open). */
  PRICE_UNAVAILABLE: ErrorCode.PRICE_UNAVAILABLE,
} as const;

export function priceStale(pair: PricePair, lastObservedAt: Date | null, maxAgeSeconds: number): DomainError {
  return new DomainError(
    PriceErrorCode.PRICE_STALE,
    `The ${pair.coin}/${pair.quote} price is older than ${maxAgeSeconds}s and is not quoted`,
    {
      coin: pair.coin,
      quote: pair.quote,
      lastObservedAt: lastObservedAt?.toISOString() ?? null,
      maxAgeSeconds,
    },
  );
}

export function priceUnavailable(pair: PricePair): DomainError {
  return new DomainError(
    PriceErrorCode.PRICE_UNAVAILABLE,
    `No price source is answering for ${pair.coin}/${pair.quote}; try again shortly`,
    { coin: pair.coin, quote: pair.quote },
  );
}
