/** Exponential back-off between retries. */
export interface BackoffOptions {
  /** Delay before the first retry, before jitter. Default 200 ms. */
  initialMs?: number;
  /** Upper bound of any delay. Default 5,000 ms. */
  maxMs?: number;
  /** Growth per retry. Default 2. */
  factor?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 200, maxMs: 5_000, factor: 2 };

/**
 * Delay before retry number `retry` (0 for the first retry): "equal jitter", i.e. half of the exponential step
 * plus a random share of the other half. Keeps a floor (so retries never stampede at 0 ms) while spreading clients.
 */
export function backoffDelay(retry: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs, maxMs, factor } = { ...DEFAULT_BACKOFF, ...options };
  const step = Math.min(maxMs, initialMs * factor ** retry);
  const half = step / 2;
  return Math.round(half + random() * half);
}
