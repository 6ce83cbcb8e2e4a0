import {
  ExponentialBackoff,
  halfJitterGenerator,
  handleWhen,
  retry,
  type IBackoff,
  type IBackoffFactory,
} from 'cockatiel';

/**
 * The platform's one back-off style, for every retry loop (provider HTTP retries, chain watcher rounds, the outbox
 * relay): exponential (×2 per failure) from `initialMs`, capped at `maxMs`, with equal jitter — each delay is half
 * the exponential step plus a random share of the other half, so retries never stampede at 0 ms yet spread out.
 * Built on cockatiel's ExponentialBackoff with its half-jitter generator.
 */
export interface BackoffOptions {
  /** The first delay's exponential step (the delay itself lies in [initialMs/2, initialMs]). Default 200 ms. */
  initialMs?: number;
  /** Upper bound of any delay. Default 5,000 ms. */
  maxMs?: number;
}

export const DEFAULT_BACKOFF: Required<BackoffOptions> = { initialMs: 200, maxMs: 5_000 };

/** A cockatiel back-off factory in the platform's style (for cockatiel `retry` policies). */
export function exponentialBackoff(options: BackoffOptions = {}): IBackoffFactory<unknown> {
  const { initialMs, maxMs } = { ...DEFAULT_BACKOFF, ...options };
  return new ExponentialBackoff({ generator: halfJitterGenerator, initialDelay: initialMs, maxDelay: maxMs });
}

/**
 * The back-off of a long-running loop (poll, fail, wait, poll again): `next()` after each failure gives the delay
 * before the next round and grows it; `reset()` after a success starts over.
 */
export class BackoffLoop {
  private readonly factory: IBackoffFactory<unknown>;
  private current: IBackoff<unknown> | null = null;

  constructor(options: BackoffOptions = {}) {
    this.factory = exponentialBackoff(options);
  }

  next(): number {
    this.current = (this.current ?? this.factory).next(undefined);
    return this.current.duration;
  }

  reset(): void {
    this.current = null;
  }
}

/**
 * A policy for work that can lose a race the database detects (serialization failure, deadlock): run again, up to
 * `retries` more times, after short delays in the platform's back-off style (a few ms: the rival transaction is
 * about to commit). `isRace` says which errors are such losses; anything else fails at once.
 */
export function raceRetryPolicy(
  retries: number,
  isRace: (err: unknown) => boolean,
  delays: BackoffOptions = { initialMs: 5, maxMs: 20 },
) {
  return retry(
    handleWhen((err) => isRace(err)),
    { maxAttempts: retries, backoff: exponentialBackoff(delays) },
  );
}
