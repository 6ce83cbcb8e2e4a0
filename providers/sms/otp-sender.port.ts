/**
 * The port every SMS provider that sends one-time codes implements (Kavenegar's verify/lookup, sms.ir's
 * send/verify). The kyc subgraph depends on this interface only; `createOtpSender` (providers/sms/index.ts)
 * chooses the real client or the devnet simulator's URL from configuration.
 */
export interface OtpMessage {
  /** The mobile number in E.164 form (`+989121234567`); each client writes it the way its provider wants. */
  phone: string;
  /** The one-time code (digits only). Never logged, never stored by the client. */
  code: string;
}

export interface OtpReceipt {
  /** Provider name ("kavenegar", "smsir"). */
  provider: string;
  /** The provider's id for the message, kept for support (never the code). */
  messageId: string;
}

export interface OtpSender {
  readonly name: string;
  /**
   * Sends the code with the provider's verification template. Throws a ProviderError subclass
   * (providers/http/http.errors.ts): a refused number or template is the caller's/operator's problem
   * (not retried); timeouts, 5xx and rate limits are retryable and surface as SERVICE_UNAVAILABLE.
   */
  sendCode(message: OtpMessage, options?: { signal?: AbortSignal }): Promise<OtpReceipt>;
}
