/**
 * Failure injection shared by the provider simulators. Each simulator renders a failure in its provider's own
 * wire format (e.g. the 429 body), so clients are tested against what the real API would send.
 */
export type FailureMode =
  /** HTTP 429 with the provider's back-off signal (Retry-After header and/or body field). */
  | 'rate-limit'
  /** HTTP 500 with the provider's error body. */
  | 'server-error'
  /** Accept the request and never answer (the client must time out). */
  | 'hang'
  /** HTTP 200 with a truncated JSON body. */
  | 'malformed-json';

export interface FailureSpec {
  mode: FailureMode;
  /** How many requests fail before the simulator recovers by itself. Default: until `setFailure(null)`. */
  times?: number;
  /** Back-off the simulator announces for 'rate-limit'. Default 1 s; fractions allowed where the format does. */
  retryAfterSeconds?: number;
}

export interface FailureSwitch {
  set(spec: FailureMode | FailureSpec | null): void;
  /** The failure to apply to the current request, if any (and counts it down). */
  take(): FailureSpec | null;
}

export function createFailureSwitch(initial: FailureMode | FailureSpec | null = null): FailureSwitch {
  let current: FailureSpec | null = null;
  let remaining = Number.POSITIVE_INFINITY;
  const set = (spec: FailureMode | FailureSpec | null): void => {
    current = spec === null ? null : typeof spec === 'string' ? { mode: spec } : spec;
    remaining = current?.times ?? Number.POSITIVE_INFINITY;
  };
  set(initial);
  return {
    set,
    take() {
      if (!current || remaining <= 0) return null;
      remaining -= 1;
      return current;
    },
  };
}

/** Options every provider simulator accepts. */
export interface SimulatorOptions {
  /** PRNG seed; the same seed and call sequence give the same prices. Default 1. */
  seed?: number;
  /** Largest relative price move per served request (0.01 = ±1 %). Default 0.005. */
  volatility?: number;
  /** Start in a failure mode. */
  failMode?: FailureMode | FailureSpec | null;
  /** Fixed port (devnet processes); default ephemeral. */
  port?: number;
}

/** What every provider simulator returns. */
export interface ProviderSimulator {
  readonly url: string;
  close(): Promise<void>;
  setFailure(spec: FailureMode | FailureSpec | null): void;
  /** Requests received so far (including failed ones), for asserting that a client refused locally. */
  requestCount(): number;
}
