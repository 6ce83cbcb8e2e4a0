import { AsyncLocalStorage } from 'node:async_hooks';
import { GraphQLError, type GraphQLFormattedError } from 'graphql';

/** Stable codes a client can switch on; listed in each subgraph README. */
export const ErrorCode = {
  BAD_USER_INPUT: 'BAD_USER_INPUT',
  UNAUTHENTICATED: 'UNAUTHENTICATED',
  FORBIDDEN: 'FORBIDDEN',
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  INSUFFICIENT_FUNDS: 'INSUFFICIENT_FUNDS',
  RATE_LIMITED: 'RATE_LIMITED',
  QUERY_TOO_COMPLEX: 'QUERY_TOO_COMPLEX',
  GRAPHQL_PARSE_FAILED: 'GRAPHQL_PARSE_FAILED',
  GRAPHQL_VALIDATION_FAILED: 'GRAPHQL_VALIDATION_FAILED',
  PERSISTED_QUERY_NOT_SUPPORTED: 'PERSISTED_QUERY_NOT_SUPPORTED',
  /** A request body over the server's limit (HTTP 413). */
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  /** gateway: several operations and no operationName, or no operation of that name. */
  OPERATION_RESOLUTION_FAILURE: 'OPERATION_RESOLUTION_FAILURE',
  /** gateway: a browser page on an origin that is not in CORS_ORIGINS. */
  ORIGIN_NOT_ALLOWED: 'ORIGIN_NOT_ALLOWED',
  /**
   * gateway: a subscription resumed with `after:` an event the gateway can no longer replay from (older than
   * `WS_RESUME_MAX_AGE_SECONDS`, more than `WS_RESUME_MAX_EVENTS` events since, or not an event of this field);
   * `reason` says which: TOO_OLD, TOO_MANY, UNKNOWN. Refetch with a query, then subscribe without `after`.
   */
  RESUME_WINDOW_EXCEEDED: 'RESUME_WINDOW_EXCEEDED',
  /** gateway: a subscription sent over HTTP (they run over graphql-ws). */
  SUBSCRIPTION_OVER_HTTP: 'SUBSCRIPTION_OVER_HTTP',
  /** A subgraph (or the service behind it) could not be reached: retry later with the same idempotency key. */
  SERVICE_UNAVAILABLE: 'SERVICE_UNAVAILABLE',
  /** market: the sources answered, but no observation is recent enough to quote. */
  PRICE_STALE: 'PRICE_STALE',
  /** market: no price source is answering. */
  PRICE_UNAVAILABLE: 'PRICE_UNAVAILABLE',
  /** identity: this Telegram initData already signed in once (replay). */
  INIT_DATA_REUSED: 'INIT_DATA_REUSED',
  /** identity: nobody grants or revokes their own roles or claims. */
  SELF_ACCESS_CHANGE: 'SELF_ACCESS_CHANGE',
  /** market/ledger: the asset is switched off by staff; no new transfers in it. */
  ASSET_DISABLED: 'ASSET_DISABLED',
  /** ledger: the user may not send money out (a withdrawal freeze or a debt after a reorg; `reason` says which). */
  ACCOUNT_FROZEN: 'ACCOUNT_FROZEN',
  /** ledger: an adjustment request past its expiry cannot be approved. */
  ADJUSTMENT_EXPIRED: 'ADJUSTMENT_EXPIRED',
  /** kyc: the phone code is wrong (`attemptsLeft` says how many guesses remain). */
  PHONE_CODE_INVALID: 'PHONE_CODE_INVALID',
  /** kyc: the phone code is past its expiry, or none was sent: ask for a new one. */
  PHONE_CODE_EXPIRED: 'PHONE_CODE_EXPIRED',
  /** kyc: too many wrong guesses: this code is dead, ask for a new one after `retryAfterSeconds`. */
  PHONE_LOCKED: 'PHONE_LOCKED',
  /** kyc: another account already verified this phone number. */
  PHONE_TAKEN: 'PHONE_TAKEN',
  /** kyc: a submission needs a verified phone first. */
  PHONE_NOT_VERIFIED: 'PHONE_NOT_VERIFIED',
  /** kyc: the uploaded file is not an accepted document (too big, not JPEG/PNG/PDF by its bytes, missing); it was deleted. */
  DOCUMENT_REJECTED: 'DOCUMENT_REJECTED',
  /** support: the uploaded file is not an accepted attachment (too big, not JPEG/PNG/PDF by its bytes, infected, missing); it was deleted. */
  ATTACHMENT_REJECTED: 'ATTACHMENT_REJECTED',
  /** ledger/wallet/payment: over a level limit (`period`, `limit`, `remaining`, `currency` say which and what is left). */
  LIMIT_EXCEEDED: 'LIMIT_EXCEEDED',
  /** wallet: a withdrawal below the asset's minimum (`minimum`, in the asset's unit). */
  WITHDRAWAL_BELOW_MINIMUM: 'WITHDRAWAL_BELOW_MINIMUM',
  /** wallet: a new withdrawal address is not usable before `usableAt` (the cooling-off period). */
  ADDRESS_COOLING_OFF: 'ADDRESS_COOLING_OFF',
  INTERNAL_SERVER_ERROR: 'INTERNAL_SERVER_ERROR',
  /** ledger: placing a quote past its expiry; ask for a new quote. */
  QUOTE_EXPIRED: 'QUOTE_EXPIRED',
  /** ledger: staff switched the trading pair off; no quotes or orders in it. */
  TRADING_DISABLED: 'TRADING_DISABLED',
  /** ledger: the fill would push the exchange's position past the pair's exposure cap (an order's rejection code). */
  EXPOSURE_LIMIT_EXCEEDED: 'EXPOSURE_LIMIT_EXCEEDED',
  /** payment: not a card number (16 digits) or its Luhn check digit is wrong (`reason`: FORMAT, CHECKSUM). */
  CARD_NUMBER_INVALID: 'CARD_NUMBER_INVALID',
  /** payment: not an Iranian IBAN (IR + 24 digits) or its mod-97 check fails (`reason`: FORMAT, CHECKSUM). */
  IBAN_INVALID: 'IBAN_INVALID',
  /** payment: the bank's holder of the card or IBAN is not the user's KYC name. */
  HOLDER_NAME_MISMATCH: 'HOLDER_NAME_MISMATCH',
  /** payment: cards and IBANs are checked against the KYC name: an approved KYC is needed first. */
  KYC_REQUIRED: 'KYC_REQUIRED',
  /** voucher: no rate in force for this type, side and currency (none set, or past its validity window). */
  RATE_STALE: 'RATE_STALE',
  /** voucher: the platform's balance at the provider cannot pay for this voucher now. */
  VOUCHER_PROVIDER_BALANCE_LOW: 'VOUCHER_PROVIDER_BALANCE_LOW',
  /** voucher: the provider says this is not a valid code of this type. */
  VOUCHER_CODE_INVALID: 'VOUCHER_CODE_INVALID',
  /** voucher: the code was already used (here, at the provider, or is being redeemed right now). */
  VOUCHER_CODE_USED: 'VOUCHER_CODE_USED',
  /** voucher: a staff resolution names a voucher that is not a purchase UNDER_REVIEW (`status` says what it is). */
  VOUCHER_NOT_UNDER_REVIEW: 'VOUCHER_NOT_UNDER_REVIEW',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode] | (string & {});

/** A failure the caller can act on. Services throw these; the mapper turns them into GraphQL errors. */
export class DomainError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'DomainError';
  }
}

export const badInput = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError(ErrorCode.BAD_USER_INPUT, message, details);
export const unauthenticated = (message = 'Authentication required') =>
  new DomainError(ErrorCode.UNAUTHENTICATED, message);
export const forbidden = (message = 'Not allowed') => new DomainError(ErrorCode.FORBIDDEN, message);
export const notFound = (what: string, id?: string) =>
  new DomainError(ErrorCode.NOT_FOUND, `${what} not found`, id ? { id } : {});
export const conflict = (message: string, details: Record<string, unknown> = {}) =>
  new DomainError(ErrorCode.CONFLICT, message, details);

export function toGraphQLError(err: DomainError): GraphQLError {
  return new GraphQLError(err.message, { extensions: { code: err.code, ...err.details } });
}

const PASS_THROUGH_CODES = new Set<string>([
  ErrorCode.GRAPHQL_PARSE_FAILED,
  ErrorCode.GRAPHQL_VALIDATION_FAILED,
  ErrorCode.BAD_USER_INPUT,
  'BAD_REQUEST',
  'OPERATION_RESOLUTION_FAILURE',
  ErrorCode.PERSISTED_QUERY_NOT_SUPPORTED,
]);

const requestScope = new AsyncLocalStorage<string>();

/** Runs one GraphQL request's work with its request id in scope, so an unexpected error is logged with it. */
export function withRequestId<T>(requestId: string | undefined, run: () => T): T {
  return requestId ? requestScope.run(requestId, run) : run();
}

/**
 * The one error mapper: domain errors keep their code and message; GraphQL request errors keep theirs;
 * anything unexpected is logged with the request id (see withRequestId) and masked, so no stack or internal text
 * leaks.
 */
export function createErrorFormatter(onUnexpected: (error: unknown, requestId: string | undefined) => void) {
  return (formatted: GraphQLFormattedError, error: unknown): GraphQLFormattedError => {
    const original = unwrap(error);
    if (original instanceof DomainError) {
      return {
        message: original.message,
        locations: formatted.locations,
        path: formatted.path,
        extensions: { ...original.details, code: original.code },
      };
    }
    const code = formatted.extensions?.code;
    if (
      typeof code === 'string' &&
      (PASS_THROUGH_CODES.has(code) || Object.values(ErrorCode).includes(code as never))
    ) {
      if (code !== ErrorCode.INTERNAL_SERVER_ERROR) {
        const { stacktrace: _omit, exception: _ex, ...extensions } = formatted.extensions ?? {};
        return { ...formatted, extensions };
      }
    }
    if (
      original instanceof GraphQLError &&
      original.extensions?.code &&
      code !== ErrorCode.INTERNAL_SERVER_ERROR &&
      original.originalError === undefined
    ) {
      const { stacktrace: _omit, ...extensions } = formatted.extensions ?? {};
      return { ...formatted, extensions };
    }
    onUnexpected(original, requestScope.getStore());
    return {
      message: 'Internal server error',
      locations: formatted.locations,
      path: formatted.path,
      extensions: { code: ErrorCode.INTERNAL_SERVER_ERROR },
    };
  };
}

function unwrap(error: unknown): unknown {
  let current = error;
  for (let i = 0; i < 5; i++) {
    if (current instanceof GraphQLError && current.originalError) current = current.originalError;
    else break;
  }
  return current;
}
