import { DomainError, ErrorCode } from '../../platform/errors.js';

/** The payment subgraph's error codes (platform/errors.ts lists them for every client). */
export const PaymentErrors = {
  invalidCard: (problem: string) =>
    new DomainError(
      ErrorCode.CARD_NUMBER_INVALID,
      problem === 'CHECKSUM' ? 'The card number fails its check digit' : 'A card number is 16 digits',
      {
        reason: problem,
        field: 'cardNumber',
      },
    ),
  invalidIban: (problem: string) =>
    new DomainError(
      ErrorCode.IBAN_INVALID,
      problem === 'CHECKSUM' ? 'The IBAN fails its mod-97 check' : 'An Iranian IBAN is IR followed by 24 digits',
      { reason: problem, field: 'iban' },
    ),
  kycRequired: () => new DomainError(ErrorCode.KYC_REQUIRED, 'An approved KYC (your name) is needed first'),
  holderMismatch: (what: 'card' | 'iban') =>
    new DomainError(
      ErrorCode.HOLDER_NAME_MISMATCH,
      what === 'card'
        ? "The card's holder is not the name you verified in KYC"
        : "The account's owner is not the name you verified in KYC",
    ),
  instrumentTaken: (what: 'card' | 'iban') =>
    new DomainError(ErrorCode.CONFLICT, `This ${what === 'card' ? 'card' : 'IBAN'} is registered to another account`, {
      reason: what === 'card' ? 'CARD_TAKEN' : 'IBAN_TAKEN',
    }),
  bankUnavailable: () =>
    new DomainError(ErrorCode.SERVICE_UNAVAILABLE, 'The bank inquiry service does not answer; try again later'),
  insufficientFunds: (details: Record<string, unknown>) =>
    new DomainError(ErrorCode.INSUFFICIENT_FUNDS, 'Not enough Toman available for this withdrawal', details),
  limitExceeded: (details: Record<string, unknown>) =>
    new DomainError(ErrorCode.LIMIT_EXCEEDED, 'This withdrawal is above your limits', details),
  accountFrozen: (details: Record<string, unknown>) =>
    new DomainError(ErrorCode.ACCOUNT_FROZEN, 'Money cannot leave this account now', details),
};
