import { setTimeout as sleep } from 'node:timers/promises';
import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  DelegateBackoff,
  IsolatedCircuitError,
  SamplingBreaker,
  circuitBreaker,
  handleWhen,
  retry,
  type CircuitBreakerPolicy,
  type IBackoff,
  type IRetryBackoffContext,
} from 'cockatiel';
import type { Logger } from 'pino';
import { exponentialBackoff, type BackoffOptions } from '../../platform/backoff.js';
import { bindOnce } from '../../platform/logger.js';
import {
  ProviderNetworkError,
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
  ProviderUnavailableError,
  snippet,
} from './http.errors.js';
import { JsonSyntaxError, parseJsonLossless } from './json-lossless.parser.js';
import { parseRetryAfter } from './retry-after.parser.js';

/** Opens after `failures` consecutive failed attempts. */
export interface ConsecutiveBreakerOptions {
  kind: 'consecutive';
  failures: number;
  /** How long the circuit stays open before one trial call is let through (half-open). */
  halfOpenAfterMs: number;
}

/**
 * Opens when more than `threshold` (exclusive 0..1) of the attempts within `durationMs` failed, provided the
 * window saw at least `minimumRps × durationMs / 1000` attempts. Without `minimumRps`, cockatiel requires
 * 5 failures per second, which a poller calling every few seconds never reaches: set it for low-traffic clients.
 */
export interface SamplingBreakerOptions {
  kind: 'sampling';
  threshold: number;
  durationMs: number;
  minimumRps?: number;
  halfOpenAfterMs: number;
}

export type BreakerOptions = ConsecutiveBreakerOptions | SamplingBreakerOptions;

/** What a provider hook sees of a response. */
export interface RawResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

export interface RateLimitOptions {
  /**
   * Provider-specific back-off, read from a non-2xx response (e.g. Nobitex's 429 body). Return milliseconds to
   * wait, or null when the response carries none. Called for every non-2xx response; a number marks the response
   * as a rate limit even if its status is not 429. Takes precedence over `Retry-After`.
   */
  retryAfterFromResponse?: (response: RawResponse) => number | null;
  /**
   * Back-offs up to this long are waited out inside `request` (when a retry is left); longer ones are refused at
   * once with `ProviderRateLimitedError`. Until a back-off has passed, every request of this client is refused
   * (or waits, under the same rule) without touching the network. Default 0: never wait, refuse.
   */
  maxWaitMs?: number;
  /** Back-off used for a 429 that says nothing about how long to wait. Default 1,000 ms. */
  defaultRetryAfterMs?: number;
}

export interface HttpClientOptions {
  /** Provider name, used in errors and logs ("coingecko"). */
  name: string;
  /** Absolute base URL; request paths are appended to it ("https://api.coingecko.com/api/v3"). */
  baseUrl: string;
  /** Per-attempt timeout (connect + headers + body). Default 5,000 ms. */
  timeoutMs?: number;
  /** Extra attempts after the first, for retryable failures of idempotent requests. Default 2. */
  retries?: number;
  backoff?: BackoffOptions;
  /** Circuit breaker over attempts; `false` for none. Default: consecutive, 5 failures, half-open after 30 s. */
  breaker?: BreakerOptions | false;
  /** Sent with every request (API keys, user agent). Per-request headers override these. */
  headers?: Record<string, string>;
  rateLimit?: RateLimitOptions;
  log?: Logger;
  /**
   * Extra `fetch` options for every request, e.g. `{ dispatcher }` to go through an HTTPS proxy
   * (`proxyFetchInit` in proxy.ts). Method, headers, body and signal are the client's own.
   */
  fetchInit?: Record<string, unknown>;
}

export type QueryValue = string | number | boolean | null | undefined | ReadonlyArray<string | number>;

export interface HttpRequest<T = unknown> {
  method?: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** Appended to `baseUrl` ("/simple/price"); '' for the base URL itself (JSON-RPC). */
  path: string;
  /** Query parameters; null/undefined are skipped, arrays are joined with ','. */
  query?: Record<string, QueryValue>;
  headers?: Record<string, string>;
  /** JSON request body (sets content-type: application/json). */
  json?: unknown;
  /** Raw request body; set your own content-type. Ignored when `json` is given. */
  body?: string | URLSearchParams;
  /**
   * How to parse a 2xx body: 'json' (default, `JSON.parse`), 'lossless' (numbers kept as exact text, see
   * `parseJsonLossless`) or 'text' (no parsing; `data` is the text). A body that does not parse is a
   * `ProviderParseError`.
   */
  parse?: 'json' | 'lossless' | 'text';
  /**
   * Turns the parsed body into the result `data`, inside the attempt: throw `ProviderParseError` for a body of the
   * wrong shape (counts against the circuit, not retried) or `ProviderResponseError` for an error envelope sent
   * with a 2xx status. `parseBody(provider, zodSchema, data, text)` from json.schemas.ts fits here.
   */
  decode?: (data: unknown, response: RawResponse) => T;
  /** Whether failed attempts may be retried. Default: true for GET, false otherwise. */
  idempotent?: boolean;
  /** Override the client's per-attempt timeout. */
  timeoutMs?: number;
  /** Caller cancellation; aborting it rejects with the signal's reason and is never retried. */
  signal?: AbortSignal;
}

export interface HttpResponse<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  /** The raw body, for exact decimal parsing or error envelopes. */
  readonly text: string;
  /** The parsed body (see `HttpRequest.parse`). Validate it before use: it is whatever the provider sent. */
  readonly data: T;
  readonly url: string;
}

export type CircuitStateName = 'closed' | 'open' | 'half-open' | 'isolated';

export interface HttpClient {
  readonly name: string;
  readonly baseUrl: string;
  /**
   * One logical request: up to `1 + retries` attempts. Resolves with a 2xx response; otherwise rejects with a
   * `ProviderError` subclass (or the caller's abort reason).
   */
  request<T = unknown>(request: HttpRequest<T>): Promise<HttpResponse<T>>;
  /** GET shorthand. */
  get<T = unknown>(path: string, options?: Omit<HttpRequest<T>, 'path' | 'method'>): Promise<HttpResponse<T>>;
  /** POST with a JSON body. Not retried unless `idempotent: true` (JSON-RPC reads are). */
  post<T = unknown>(
    path: string,
    json: unknown,
    options?: Omit<HttpRequest<T>, 'path' | 'method' | 'json'>,
  ): Promise<HttpResponse<T>>;
  circuitState(): CircuitStateName;
  /** Milliseconds until the current rate-limit back-off passes (0 when none). */
  rateLimitedForMs(): number;
}

const CIRCUIT_NAMES: Record<CircuitState, CircuitStateName> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

/** Failures that mean "the provider is unhealthy": they count towards opening the circuit and are retried. */
function isUnhealthy(error: unknown): boolean {
  return (
    error instanceof ProviderTimeoutError ||
    error instanceof ProviderNetworkError ||
    error instanceof ProviderParseError ||
    (error instanceof ProviderResponseError && error.status >= 500)
  );
}

function isRetryable(error: unknown): boolean {
  // A parse error counts against the circuit but is not retried: the same bytes would come back.
  return isUnhealthy(error) && !(error instanceof ProviderParseError);
}

function buildBreaker(options: BreakerOptions): CircuitBreakerPolicy {
  const breaker =
    options.kind === 'consecutive'
      ? new ConsecutiveBreaker(options.failures)
      : new SamplingBreaker({
          threshold: options.threshold,
          duration: options.durationMs,
          ...(options.minimumRps === undefined ? {} : { minimumRps: options.minimumRps }),
        });
  return circuitBreaker(handleWhen(isUnhealthy), { halfOpenAfter: options.halfOpenAfterMs, breaker });
}

export function buildUrl(baseUrl: string, path: string, query?: Record<string, QueryValue>): string {
  const base = baseUrl.replace(/\/+$/, '');
  const url = new URL(path === '' ? base : `${base}/${path.replace(/^\/+/, '')}`);
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === null || value === undefined) continue;
    url.searchParams.set(key, Array.isArray(value) ? value.join(',') : String(value));
  }
  return url.toString();
}

export const DEFAULT_BREAKER: ConsecutiveBreakerOptions = { kind: 'consecutive', failures: 5, halfOpenAfterMs: 30_000 };

export function createHttpClient(options: HttpClientOptions): HttpClient {
  const { name, baseUrl } = options;
  // Every line names the provider once: clients usually pass a logger already bound to it.
  const log = options.log && bindOnce(options.log, { provider: name });
  const timeoutMs = options.timeoutMs ?? 5_000;
  const retries = options.retries ?? 2;
  const maxWaitMs = options.rateLimit?.maxWaitMs ?? 0;
  const defaultRetryAfterMs = options.rateLimit?.defaultRetryAfterMs ?? 1_000;
  const retryAfterFromResponse = options.rateLimit?.retryAfterFromResponse;
  const breaker = options.breaker === false ? null : buildBreaker(options.breaker ?? DEFAULT_BREAKER);
  new URL(baseUrl); // fail at construction, not at the first call, on a bad URL

  // Retries of idempotent requests: a cockatiel retry policy with the platform's back-off (platform/backoff.ts). A
  // 429 whose back-off the client may wait out is retried at once: the rate-limit gate in the attempt waits it out.
  const jittered = exponentialBackoff(options.backoff);
  const retryPolicy =
    retries > 0
      ? retry(
          handleWhen((error) =>
            error instanceof ProviderRateLimitedError ? error.retryAfterMs <= maxWaitMs : isRetryable(error),
          ),
          {
            maxAttempts: retries,
            backoff: new DelegateBackoff<IRetryBackoffContext<unknown>, IBackoff<unknown> | undefined>(
              (context, state) => {
                if ('error' in context.result && context.result.error instanceof ProviderRateLimitedError)
                  return { delay: 0, state };
                const next = (state ?? jittered).next(undefined);
                return { delay: next.duration, state: next };
              },
            ),
          },
        )
      : null;
  retryPolicy?.onRetry((event) =>
    log?.warn(
      { attempt: event.attempt, delayMs: event.delay, err: 'error' in event ? event.error.message : undefined },
      'retrying provider call',
    ),
  );

  breaker?.onBreak(() => log?.warn('circuit opened'));
  breaker?.onHalfOpen(() => log?.info('circuit half-open, trying one call'));
  breaker?.onReset(() => log?.info('circuit closed'));

  let blockedUntil = 0;
  const rateLimitedForMs = (): number => Math.max(0, blockedUntil - Date.now());

  const noteRateLimit = (retryAfterMs: number): ProviderRateLimitedError => {
    blockedUntil = Math.max(blockedUntil, Date.now() + retryAfterMs);
    log?.warn({ retryAfterMs }, 'rate limited');
    return new ProviderRateLimitedError(name, retryAfterMs);
  };

  /** One network attempt; throws ProviderError subclasses. */
  const attempt = async <T>(req: HttpRequest<T>, url: string, init: RequestInit): Promise<HttpResponse<T>> => {
    const attemptTimeout = req.timeoutMs ?? timeoutMs;
    if (req.signal?.aborted) throw req.signal.reason;
    // One controller per attempt, fed by our timer and the caller's signal; both are detached in `finally`, so a
    // long-lived caller signal (a worker's shutdown signal) gathers no listeners (unlike AbortSignal.any on Node 20).
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, attemptTimeout);
    const onCallerAbort = (): void => controller.abort();
    req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    let status: number;
    let headers: Headers;
    let text: string;
    try {
      const res = await fetch(url, { ...init, signal: controller.signal });
      status = res.status;
      headers = res.headers;
      text = await res.text(); // the timeout covers the body too
    } catch (error) {
      if (req.signal?.aborted) throw req.signal.reason;
      if (timedOut) throw new ProviderTimeoutError(name, attemptTimeout);
      throw new ProviderNetworkError(name, error);
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    }

    if (status < 200 || status > 299) {
      const raw: RawResponse = { status, headers, text };
      const fromBody = retryAfterFromResponse?.(raw) ?? null;
      if (fromBody !== null) throw noteRateLimit(Math.max(0, fromBody));
      if (status === 429) throw noteRateLimit(parseRetryAfter(headers.get('retry-after')) ?? defaultRetryAfterMs);
      throw new ProviderResponseError(name, status, snippet(text));
    }

    const mode = req.parse ?? 'json';
    let data: unknown;
    try {
      data = mode === 'text' ? text : mode === 'lossless' ? parseJsonLossless(text) : JSON.parse(text);
    } catch (error) {
      const detail = error instanceof JsonSyntaxError || error instanceof SyntaxError ? error.message : 'invalid JSON';
      throw new ProviderParseError(name, detail, snippet(text), { cause: error });
    }
    const decoded = req.decode ? req.decode(data, { status, headers, text }) : data;
    return { status, headers, text, data: decoded as T, url };
  };

  /** Waits out (or refuses) a back-off in force before an attempt. */
  const passRateLimitGate = async (signal: AbortSignal | undefined): Promise<void> => {
    const remaining = rateLimitedForMs();
    if (remaining === 0) return;
    if (remaining > maxWaitMs) throw new ProviderRateLimitedError(name, remaining);
    await sleep(remaining, undefined, signal ? { signal } : {});
  };

  const request = async <T>(req: HttpRequest<T>): Promise<HttpResponse<T>> => {
    const method = req.method ?? 'GET';
    const url = buildUrl(baseUrl, req.path, req.query);
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers, ...req.headers };
    let body: string | URLSearchParams | undefined;
    if (req.json !== undefined) {
      body = JSON.stringify(req.json);
      headers['content-type'] ??= 'application/json';
    } else {
      body = req.body;
    }
    const init: RequestInit = {
      ...(options.fetchInit as RequestInit | undefined),
      method,
      headers,
      ...(body === undefined ? {} : { body }),
    };
    const idempotent = req.idempotent ?? method === 'GET';

    /** One attempt: the rate-limit gate, then the call through the circuit breaker. */
    const once = async (): Promise<HttpResponse<T>> => {
      await passRateLimitGate(req.signal);
      const run = (): Promise<HttpResponse<T>> => attempt<T>(req, url, init);
      try {
        return await (breaker ? breaker.execute(run) : run());
      } catch (error) {
        if (error instanceof BrokenCircuitError || error instanceof IsolatedCircuitError)
          throw new ProviderUnavailableError(name, { cause: error });
        throw error; // a ProviderError (retried when the policy says so), a caller abort, or a bug
      }
    };
    if (!idempotent || !retryPolicy) return once();
    return retryPolicy.execute(once, req.signal);
  };

  return {
    name,
    baseUrl,
    request,
    get: <T>(path: string, opts: Omit<HttpRequest<T>, 'path' | 'method'> = {}) =>
      request<T>({ ...opts, path, method: 'GET' }),
    post: <T>(path: string, json: unknown, opts: Omit<HttpRequest<T>, 'path' | 'method' | 'json'> = {}) =>
      request<T>({ ...opts, path, method: 'POST', json }),
    circuitState: () => (breaker ? CIRCUIT_NAMES[breaker.state] : 'closed'),
    rateLimitedForMs,
  };
}
