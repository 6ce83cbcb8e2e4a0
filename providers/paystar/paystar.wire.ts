import { z } from 'zod';

/**
 * Paystar IPG wire format (core.paystar.ir/api/pardakht). Sources: docs.paystar.ir (IPG guide and its status
 * table "جدول کد های وضعیت"), Paystar's sample integrations and drivers on GitHub (create/verify bodies and signs,
 * the masked card in the callback, the answer envelopes). See README.md for what rests on which source.
 */
export const PROVIDER = 'paystar';

export const PAYSTAR_BASE_URL = 'https://core.paystar.ir/api/pardakht';

/** Paystar refuses smaller payments (Rial). */
export const PAYSTAR_MIN_AMOUNT_RIAL = 5_000n;

const rial = z.union([z.number().int().nonnegative(), z.string().regex(/^\d+$/)]);
/** Paystar sends `status` as a number (1, -5) and sometimes as a string ("1", "unauthenticated"). */
const status = z.union([z.number().int(), z.string()]);

export const envelope = z.object({ status, message: z.string().nullish(), data: z.unknown().optional() });

export const createData = z.object({
  token: z.string().min(1),
  ref_num: z.string().min(1),
  order_id: z.union([z.string(), z.number()]).transform(String).optional(),
  payment_amount: rial.optional(),
});

export const verifyData = z.object({
  price: rial,
  ref_num: z.string().min(1),
  card_number: z.string().nullish(),
});

export const inquiryData = z.object({
  ref_num: z.string().min(1),
  status: z.union([z.number().int(), z.string().regex(/^-?\d+$/)]).transform(Number),
  payment_amount: rial.nullish(),
  order_id: z.union([z.string(), z.number()]).transform(String).nullish(),
  tracking_code: z.string().nullish(),
  card_number: z.string().nullish(),
  hashed_card_number: z.string().nullish(),
  payment_date: z.union([z.string(), z.number()]).nullish(),
  ref_id: z.union([z.string(), z.number()]).nullish(),
});

/**
 * The status codes of docs.paystar.ir ("جدول کد های وضعیت"), used by every endpoint and by the callback's `status`.
 * `kind` is how the client treats a non-success answer:
 * - REFUSAL: a definite answer about this payment (verify → REFUSED; create → PaystarRefusedError);
 * - OPERATOR: the gateway or our account is misconfigured (never the user's fault; thrown, not retried);
 * - REQUEST: the request was invalid (for verify this is also what a forged callback produces: REFUSED).
 */
export const PAYSTAR_STATUS: Record<
  number,
  { code: string; message: string; kind: 'REFUSAL' | 'OPERATOR' | 'REQUEST' }
> = {
  [-1]: { code: 'INVALID_REQUEST', message: 'درخواست نامعتبر (خطا در پارامترهای ورودی)', kind: 'REQUEST' },
  [-2]: { code: 'GATEWAY_INACTIVE', message: 'درگاه فعال نیست', kind: 'OPERATOR' },
  [-3]: { code: 'DUPLICATE_TOKEN', message: 'توکن تکراری است', kind: 'REFUSAL' },
  [-4]: { code: 'AMOUNT_OVER_LIMIT', message: 'مبلغ بیشتر از سقف مجاز درگاه است', kind: 'REFUSAL' },
  [-5]: { code: 'INVALID_REF_NUM', message: 'شناسه ref_num معتبر نیست', kind: 'REFUSAL' },
  [-6]: { code: 'ALREADY_VERIFIED', message: 'تراکنش قبلا وریفای شده است', kind: 'REFUSAL' },
  [-7]: { code: 'INVALID_PARAMETERS', message: 'پارامترهای ارسال شده نامعتبر است', kind: 'REQUEST' },
  [-8]: { code: 'NOT_VERIFIABLE', message: 'تراکنش را نمیتوان وریفای کرد', kind: 'REFUSAL' },
  [-9]: { code: 'NOT_VERIFIED', message: 'تراکنش وریفای نشد', kind: 'REFUSAL' },
  [-16]: { code: 'FEE_WALLET_EMPTY', message: 'موجودی کیف پول کارمزد درگاه کافی نیست', kind: 'OPERATOR' },
  [-98]: { code: 'FAILED', message: 'تراکنش ناموفق', kind: 'REFUSAL' },
  [-99]: { code: 'FAILED', message: 'تراکنش ناموفق', kind: 'REFUSAL' },
};

export const PAYSTAR_SUCCESS = 1;

/** What a status means; unknown codes are treated as a refusal about this payment (never as success). */
export function describeStatus(value: number | string): {
  code: string;
  message: string;
  kind: 'REFUSAL' | 'OPERATOR' | 'REQUEST';
} {
  if (value === 'unauthenticated')
    return { code: 'UNAUTHENTICATED', message: 'gateway_id is not valid', kind: 'OPERATOR' };
  const n = typeof value === 'number' ? value : Number(value);
  return (
    PAYSTAR_STATUS[n] ?? {
      code: `STATUS_${String(value)}`,
      message: `Paystar status ${String(value)}`,
      kind: 'REFUSAL',
    }
  );
}

export function isSuccess(value: number | string): boolean {
  return value === PAYSTAR_SUCCESS || value === String(PAYSTAR_SUCCESS);
}

/** Card as Paystar shows it in the callback and verify answers: first 6 and last 4 digits (603799******5278). */
export function maskCard(card: string): string {
  return card.length === 16 ? `${card.slice(0, 6)}******${card.slice(12)}` : card;
}
