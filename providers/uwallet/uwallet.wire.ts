import { z } from 'zod';
import type { VoucherRefusal } from '../voucher-provider.port.js';

/**
 * uWallet's reseller API as transcribed by an open-source client of it (no public specification was found):
 * - `POST /v1/voucher` `{ coin, amount }` (amount a decimal string) → `{ code, transactionId }`;
 * - `POST /v1/voucher/use` `{ coin, code }` → `{ status: confirm | pending | reject, transactionId, receive, … }`;
 * - `GET /v1/transaction?id=` → an array of transactions (`status`, `receive`, `fee`, …);
 * - `GET /v1/wallet` → an array `{ coin, amount, free, blocked }`;
 * - header `authorization: <token>` (no scheme);
 * - errors: a non-2xx answer carrying a numbered code (the transcription reads `code`, `error_code`, `errorCode`
 *   or a numeric `message`; so do we).
 */
export const PROVIDER = 'uwallet';

const amountText = z.union([z.string(), z.number()]).transform((v) => String(v));

export const createdBody = z.object({ code: z.string().min(1), transactionId: z.union([z.string(), z.number()]) });

export const useBody = z.object({
  status: z.enum(['confirm', 'pending', 'reject']),
  transactionId: z.union([z.string(), z.number()]),
  receive: amountText.optional(),
});

export const transactionRow = z.object({
  status: z.string(),
  receive: amountText.optional(),
  fee: amountText.optional(),
});
export const transactionBody = z.union([z.array(transactionRow), z.object({ data: z.array(transactionRow) })]);

export const walletRow = z.object({
  coin: z.string(),
  amount: amountText,
  free: amountText,
  blocked: amountText.optional(),
});
export const walletBody = z.union([z.array(walletRow), z.object({ data: z.array(walletRow) })]);

/** uWallet's numbered errors (as transcribed) and what they mean for us. */
export const UWALLET_ERRORS: Record<number, { text: string; refusal: VoucherRefusal }> = {
  10009: { text: 'Code is not valid', refusal: 'INVALID_CODE' },
  10010: { text: 'Code is wrong', refusal: 'INVALID_CODE' },
  10018: { text: 'Amount is not valid', refusal: 'AMOUNT_OUT_OF_RANGE' },
  10019: { text: 'Coin does not exist', refusal: 'PROVIDER_SETUP' },
  10020: { text: 'Coin is not valid', refusal: 'PROVIDER_SETUP' },
  10022: { text: 'Insufficient balance', refusal: 'INSUFFICIENT_PROVIDER_BALANCE' },
  10028: { text: 'Code already exists', refusal: 'INVALID_CODE' },
  10029: { text: 'Minimum amount not met', refusal: 'AMOUNT_OUT_OF_RANGE' },
  10030: { text: 'Maximum amount exceeded', refusal: 'AMOUNT_OUT_OF_RANGE' },
  10035: { text: 'Currency is not valid', refusal: 'PROVIDER_SETUP' },
  10039: { text: 'Currency does not match', refusal: 'INVALID_CODE' },
  10049: { text: 'Code already used', refusal: 'ALREADY_USED' },
  10050: { text: 'Code is being processed', refusal: 'IN_PROGRESS' },
};

/** The numbered code of an error body, read the way the transcription does; null when there is none. */
export function errorCodeOf(text: string, httpStatus: number): number | null {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    return null;
  }
  if (typeof data !== 'object' || data === null) return null;
  const body = data as Record<string, unknown>;
  for (const key of ['code', 'error_code', 'errorCode']) {
    const value = Number(body[key]);
    if (Number.isInteger(value) && value > 0) return value;
  }
  if (typeof body.message === 'number' && body.message !== httpStatus) return body.message;
  return null;
}
