import { ProviderResponseError } from '../http/http.errors.js';

/**
 * FinnoTech answered `status: FAILED` for a read (card holder, cardToIban, ibanInquiry, statement) or refused a
 * token. A `ProviderResponseError` with a 4xx status: not retried, not counted against the breaker. `reason` is
 * FinnoTech's `error.code` (e.g. VALIDATION_ERROR) or the card service's `result` code; `trackId` the call's id.
 */
export class FinnotechRefusedError extends ProviderResponseError {
  constructor(
    readonly reason: string,
    readonly finnotechMessage: string,
    readonly trackId: string | null,
    httpStatus: number,
    bodySnippet: string,
  ) {
    super(
      'finnotech',
      httpStatus >= 400 && httpStatus < 500 ? httpStatus : 400,
      bodySnippet,
      `${reason}: ${finnotechMessage}`,
    );
    Object.defineProperty(this, 'name', { value: 'FinnotechRefusedError' });
  }
}

/** The client's credentials or the statement's refresh token were refused (an operator problem, not transient). */
export class FinnotechAuthError extends ProviderResponseError {
  constructor(
    readonly tokenType: 'CLIENT-CREDENTIAL' | 'CODE',
    httpStatus: number,
    bodySnippet: string,
    detail: string,
  ) {
    super(
      'finnotech',
      httpStatus >= 400 && httpStatus < 500 ? httpStatus : 401,
      bodySnippet,
      `${tokenType} token: ${detail}`,
    );
    Object.defineProperty(this, 'name', { value: 'FinnotechAuthError' });
  }
}
