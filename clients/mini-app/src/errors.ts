import type { Language } from '../../sdk/index.js';
import { ApiError } from './api.js';
import { formatAmount, formatDate, digits } from './format.js';
import { strings } from './i18n.js';

/** The refusal data of a transfer (a union member), or a thrown API error, in words the user can act on. */
export interface Refusal {
  code: string;
  available?: string;
  required?: string;
  limit?: string;
  remaining?: string;
  currency?: string | null;
  period?: string;
  asset?: { symbol: string };
}

export function describeRefusal(refusal: Refusal, language: Language): string {
  const s = strings(language);
  const amount = (v: string | undefined) => formatAmount(v ?? '0', language);
  const symbol = refusal.asset?.symbol ?? '';
  switch (refusal.code) {
    case 'INSUFFICIENT_FUNDS':
      return s.errors.INSUFFICIENT_FUNDS(amount(refusal.available), amount(refusal.required), symbol);
    case 'LIMIT_EXCEEDED':
      return s.errors.LIMIT_EXCEEDED(
        amount(refusal.remaining),
        amount(refusal.limit),
        refusal.currency ?? symbol,
        s.periods[refusal.period ?? ''] ?? refusal.period ?? '',
      );
    case 'RECIPIENT_NOT_FOUND':
      return s.errors.RECIPIENT_NOT_FOUND;
    default:
      return s.errors.UNKNOWN;
  }
}

export function describeError(err: unknown, language: Language): string {
  const s = strings(language);
  if (!(err instanceof ApiError)) return s.errors.UNKNOWN;
  switch (err.code) {
    case 'RATE_LIMITED':
      return s.errors.RATE_LIMITED(digits(err.retryAfterSeconds ?? 60, language));
    case 'INSUFFICIENT_FUNDS':
    case 'LIMIT_EXCEEDED':
      return describeRefusal({ code: err.code, ...(err.extensions as Omit<Refusal, 'code'>) }, language);
    case 'ACCOUNT_FROZEN':
    case 'ASSET_DISABLED':
    case 'PRICE_UNAVAILABLE':
    case 'SERVICE_UNAVAILABLE':
    case 'UNAUTHENTICATED':
    case 'NETWORK':
    case 'RECIPIENT_NOT_FOUND':
    case 'QUOTE_EXPIRED':
    case 'TRADING_DISABLED':
    case 'PRICE_STALE':
    case 'CONFLICT':
    case 'NOT_FOUND':
    case 'VOUCHER_CODE_INVALID':
    case 'VOUCHER_CODE_USED':
    case 'RATE_STALE':
      return s.errors[err.code];
    case 'ADDRESS_COOLING_OFF':
      return s.errors.ADDRESS_COOLING_OFF(
        typeof err.extensions.usableAt === 'string' ? formatDate(err.extensions.usableAt, language) : '',
      );
    case 'WITHDRAWAL_BELOW_MINIMUM':
      return s.errors.WITHDRAWAL_BELOW_MINIMUM(formatAmount(String(err.extensions.minimum ?? '0'), language));
    case 'BAD_USER_INPUT':
      return err.message;
    default:
      return s.errors.UNKNOWN;
  }
}

/** Why the ledger refused to fill an order (a REJECTED order, not an error: nothing was traded). */
export function describeOrderRejection(code: string | null | undefined, paid: string, language: Language): string {
  const s = strings(language);
  switch (code) {
    case 'INSUFFICIENT_FUNDS':
      return s.errors.ORDER_INSUFFICIENT_FUNDS(paid);
    case 'LIMIT_EXCEEDED':
      return s.errors.ORDER_LIMIT_EXCEEDED;
    case 'EXPOSURE_LIMIT_EXCEEDED':
      return s.errors.EXPOSURE_LIMIT_EXCEEDED;
    default:
      return s.errors.UNKNOWN;
  }
}
