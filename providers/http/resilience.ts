import type { HttpClientOptions } from './http.client.js';

/** What a provider client lets its caller tune: timeout, retries, back-off, circuit breaker, 429 handling. */
export type ResilienceOptions = Pick<HttpClientOptions, 'timeoutMs' | 'retries' | 'backoff' | 'breaker' | 'rateLimit'>;

/**
 * The settings every provider client starts from (5 s timeout, 2 retries with 250 ms → 4 s back-off, breaker
 * open after 5 consecutive failures for 30 s, no waiting on a 429), with what its API needs instead.
 */
export function resilienceDefaults(overrides: ResilienceOptions = {}): ResilienceOptions {
  return {
    timeoutMs: 5_000,
    retries: 2,
    backoff: { initialMs: 250, maxMs: 4_000 },
    breaker: { kind: 'consecutive', failures: 5, halfOpenAfterMs: 30_000 },
    rateLimit: { maxWaitMs: 0 },
    ...overrides,
  };
}
