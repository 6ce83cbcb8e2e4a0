import { ProviderResponseError } from '../http/http.errors.js';
import { resilienceDefaults } from '../http/resilience.js';

/**
 * Why a provider refused to send a code. Not retryable: sending again gets the same answer.
 * - RECIPIENT: the number is not a mobile the provider accepts (the caller's input; show it to the user);
 * - TEMPLATE: the verification template is unknown, unapproved or does not take our parameter (operator);
 * - CREDIT: the account has no credit left (operator);
 * - CREDENTIALS: the API key is wrong, disabled or not allowed from this address (operator);
 * - REQUEST: anything else the provider rejected about the request (a bug on our side).
 */
export type OtpRefusalReason = 'RECIPIENT' | 'TEMPLATE' | 'CREDIT' | 'CREDENTIALS' | 'REQUEST';

/**
 * The provider answered and refused the message. A `ProviderResponseError` whose `status` is below 500, so the
 * resilient HTTP client neither retries it nor counts it against the circuit breaker. `providerStatus` is the
 * provider's own code (Kavenegar `return.status`, sms.ir `status`), kept for support.
 */
export class OtpRefusedError extends ProviderResponseError {
  constructor(
    provider: string,
    readonly reason: OtpRefusalReason,
    readonly providerStatus: number,
    httpStatus: number,
    bodySnippet: string,
    providerMessage: string,
  ) {
    super(
      provider,
      httpStatus >= 400 && httpStatus < 500 ? httpStatus : 400,
      bodySnippet,
      `${reason} (${providerStatus}: ${providerMessage})`,
    );
    Object.defineProperty(this, 'name', { value: 'OtpRefusedError' });
  }
}

/**
 * The provider said it cannot serve now (Kavenegar 409, sms.ir status 0 in a 2xx): a `ProviderResponseError`
 * with status 503, so it is retried and counts against the circuit breaker like any 5xx.
 */
export class OtpProviderBusyError extends ProviderResponseError {
  constructor(
    provider: string,
    readonly providerStatus: number,
    bodySnippet: string,
    providerMessage: string,
  ) {
    super(provider, 503, bodySnippet, `provider busy (${providerStatus}: ${providerMessage})`);
    Object.defineProperty(this, 'name', { value: 'OtpProviderBusyError' });
  }
}

/**
 * The resilience of every SMS client: one attempt may send an SMS, so the client waits a little longer than a price
 * poller and retries only failures that mean "not reached" or "try later" (timeouts, connection errors, 5xx, and
 * rate limits of at most a second); a retry after a timeout can deliver the same code twice, which is harmless for a
 * one-time code. Longer back-offs are refused at once.
 */
export const OTP_RESILIENCE = resilienceDefaults({
  timeoutMs: 8_000,
  retries: 2,
  rateLimit: { maxWaitMs: 1_000, defaultRetryAfterMs: 1_000 },
});
