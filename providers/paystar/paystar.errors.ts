import { ProviderResponseError } from '../http/http.errors.js';

/**
 * Paystar answered and refused the request (create/inquiry), or the gateway is misconfigured (`operator`: inactive
 * gateway, wrong gateway_id, empty fee wallet). A `ProviderResponseError` with a 4xx status: not retried, not
 * counted against the circuit breaker. `paystarStatus` is Paystar's own code.
 */
export class PaystarRefusedError extends ProviderResponseError {
  constructor(
    readonly reason: string,
    readonly paystarStatus: number | string,
    readonly operator: boolean,
    httpStatus: number,
    bodySnippet: string,
    paystarMessage: string,
  ) {
    super(
      'paystar',
      httpStatus >= 400 && httpStatus < 500 ? httpStatus : 400,
      bodySnippet,
      `${reason} (${String(paystarStatus)}: ${paystarMessage})`,
    );
    Object.defineProperty(this, 'name', { value: 'PaystarRefusedError' });
  }
}

/** The callback's query string / form body is not one Paystar sends (missing status, order_id or ref_num). */
export class PaystarCallbackError extends Error {
  constructor(message: string) {
    super(`paystar callback: ${message}`);
    Object.defineProperty(this, 'name', { value: 'PaystarCallbackError' });
  }
}
