export {
  createHttpClient,
  buildUrl,
  DEFAULT_BREAKER,
  type HttpClient,
  type HttpClientOptions,
  type HttpRequest,
  type HttpResponse,
  type RawResponse,
  type RateLimitOptions,
  type BreakerOptions,
  type ConsecutiveBreakerOptions,
  type SamplingBreakerOptions,
  type CircuitStateName,
  type QueryValue,
} from './http.client.js';
export { exponentialBackoff, BackoffLoop, DEFAULT_BACKOFF, type BackoffOptions } from '../../platform/backoff.js';
export {
  ProviderError,
  ProviderTimeoutError,
  ProviderRateLimitedError,
  ProviderUnavailableError,
  ProviderNetworkError,
  ProviderResponseError,
  ProviderParseError,
  snippet,
  type ProviderErrorCode,
} from './http.errors.js';
export { parseRetryAfter } from './retry-after.parser.js';
export {
  parseJsonLossless,
  JsonNumber,
  JsonSyntaxError,
  MAX_DEPTH,
  type LosslessJsonValue,
} from './json-lossless.parser.js';
export {
  parseDecimal,
  decimalFromJson,
  formatDecimal,
  normalizeDecimal,
  divideByPowerOfTen,
  widenScale,
  compareDecimal,
  decimalEquals,
  roundDecimal,
  DecimalFormatError,
  type ScaledDecimal,
  type DecimalLimits,
} from './scaled-decimal.js';
export { stringifyJsonLossless, jsonNumber } from './json-lossless.stringify.js';
export {
  zJsonNumber,
  zDecimal,
  zDecimalNumber,
  zDecimalString,
  zSafeInteger,
  zUnixSeconds,
  zUnixMillis,
  zIsoDate,
  parseBody,
} from './json.schemas.js';
