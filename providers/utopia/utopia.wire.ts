import { z } from 'zod';

/**
 * The Utopia client's JSON API, as the `Sagleft/utopialib-go` SDK (v2) speaks it: `POST <host>:<port>/api/1.0/`
 * with `{ method, token, params }`; the answer is `{ result }` or `{ error: "<text>" }`.
 * - `createVoucher { amount, currency: "CRP" | "UUSD" }` → `result`: the creation's reference number (string);
 * - `getFinanceHistory { currency, filters, referenceNumber, fromDate, toDate, fromAmount, toAmount }` → `result`:
 *   an array of history rows (the SDK declares the row struct empty; the fields we read are listed below);
 * - `useVoucher { voucherid }` → `result`: a string (the activation's reference);
 * - `getBalance { currency? }` → `result`: a number (CRP; `currency: "USD"` for UUSD);
 * - `getFinanceSystemInformation` → `result.CRP` / `result.USD` with `vouchersMinAmount`, `vouchersCreateEnabled`,
 *   `vouchersUseEnabled`.
 */
export const PROVIDER = 'utopia';

/** `{ error }` first: `result: z.unknown()` would also accept a body without `result`. */
export const envelope = z.union([
  z.object({ error: z.string() }).passthrough(),
  z
    .object({ result: z.unknown() })
    .passthrough()
    .refine((b) => 'result' in b, 'result missing'),
]);

const amount = z.union([z.string(), z.number()]).transform((v) => String(v));

/**
 * A voucher row of `getFinanceHistory` (filters `ALL_VOUCHERS`). Inferred, not in the SDK: `referenceNumber`,
 * `amount` and the voucher id (the value `useVoucher` takes) as `voucherid`, like the `useVoucher` parameter.
 */
export const historyRow = z
  .object({
    referenceNumber: z.string(),
    amount: amount,
    voucherid: z.string().optional(),
  })
  .passthrough();

export const financeInfo = z
  .object({
    CRP: z
      .object({ vouchersMinAmount: z.number(), vouchersCreateEnabled: z.boolean(), vouchersUseEnabled: z.boolean() })
      .passthrough(),
    USD: z
      .object({ vouchersMinAmount: z.number(), vouchersCreateEnabled: z.boolean(), vouchersUseEnabled: z.boolean() })
      .passthrough(),
  })
  .passthrough();
