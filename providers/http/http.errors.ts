/**
 * Typed failures of an outbound provider call. Every error names the provider (`provider`) and carries a
 * stable `code`, so a caller can switch on either `instanceof` or `code` (e.g. to fall back to another source).
 */
export type ProviderErrorCode =
  | 'PROVIDER_TIMEOUT'
  | 'PROVIDER_RATE_LIMITED'
  | 'PROVIDER_UNAVAILABLE'
  | 'PROVIDER_NETWORK'
  | 'PROVIDER_RESPONSE'
  | 'PROVIDER_PARSE';

export abstract class ProviderError extends Error {
  abstract readonly code: ProviderErrorCode;
  constructor(
    readonly provider: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(`${provider}: ${message}`, options);
  }
}

/** One attempt took longer than the client's `timeoutMs` (the request was aborted). */
export class ProviderTimeoutError extends ProviderError {
  readonly code = 'PROVIDER_TIMEOUT';
  override readonly name = 'ProviderTimeoutError';
  constructor(
    provider: string,
    readonly timeoutMs: number,
  ) {
    super(provider, `no response within ${timeoutMs} ms`);
  }
}

/**
 * The provider asked us to back off (HTTP 429, or a provider-specific signal), or an earlier back-off has not
 * passed yet. `retryAfterMs` is how long from now the client will keep refusing to call the provider.
 */
export class ProviderRateLimitedError extends ProviderError {
  readonly code = 'PROVIDER_RATE_LIMITED';
  override readonly name = 'ProviderRateLimitedError';
  constructor(
    provider: string,
    readonly retryAfterMs: number,
  ) {
    super(provider, `rate limited, retry after ${retryAfterMs} ms`);
  }
}

/** The circuit breaker is open (or isolated): the call was refused without touching the network. */
export class ProviderUnavailableError extends ProviderError {
  readonly code = 'PROVIDER_UNAVAILABLE';
  override readonly name = 'ProviderUnavailableError';
  constructor(provider: string, options?: { cause?: unknown }) {
    super(provider, 'circuit open, provider considered down', options);
  }
}

/** The connection failed (DNS, refused, reset) before a complete response arrived. */
export class ProviderNetworkError extends ProviderError {
  readonly code = 'PROVIDER_NETWORK';
  override readonly name = 'ProviderNetworkError';
  constructor(provider: string, cause: unknown) {
    super(provider, `network error: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/**
 * The provider answered with a non-2xx status (other than a rate limit), or with a well-formed body that reports
 * an error (a provider client may throw this for an error envelope such as CoinMarketCap's `status.error_code`).
 */
export class ProviderResponseError extends ProviderError {
  readonly code = 'PROVIDER_RESPONSE';
  override readonly name = 'ProviderResponseError';
  constructor(
    provider: string,
    readonly status: number,
    readonly bodySnippet: string,
    detail?: string,
  ) {
    super(provider, `HTTP ${status}${detail ? `: ${detail}` : ''}`);
  }
}

/** The body is not valid JSON, or does not have the documented shape. */
export class ProviderParseError extends ProviderError {
  readonly code = 'PROVIDER_PARSE';
  override readonly name = 'ProviderParseError';
  constructor(
    provider: string,
    detail: string,
    readonly bodySnippet: string,
    options?: { cause?: unknown },
  ) {
    super(provider, `unparseable response: ${detail}`, options);
  }
}

const SNIPPET_CHARS = 512;

/** The first characters of a body, for error messages and logs. */
export function snippet(text: string): string {
  return text.length <= SNIPPET_CHARS ? text : `${text.slice(0, SNIPPET_CHARS)}…`;
}
