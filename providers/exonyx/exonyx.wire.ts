import { z } from 'zod';
import { zDecimal } from '../http/json.schemas.js';

/**
 * Exonyx reseller API wire format. Its documentation is not public: the two endpoints, the `apiKey` header, the
 * balance list `{ data: [{ currency, balance }] }` and the withdrawal request fields come from another exchange's
 * open-source admin code (issue 13). Everything else here is INFERRED and marked so; see README.md.
 */
export const PROVIDER = 'exonyx';

export const WALLET_INDEX_PATH = '/api/v1/reseller/wallet/index';
export const WITHDRAW_CREATE_PATH = '/api/v1/reseller/withdraw/create';

/** The two networks the known request names (the spelling differs: "TRC-20" but "BEP20"). */
export type ExonyxNetwork = 'TRC-20' | 'BEP20';

/** `GET /api/v1/reseller/wallet/index` → `{ data: [{ currency, balance }] }` (balance: number or string, parsed exactly). */
export const walletIndexBody = z.object({
  data: z.array(z.object({ currency: z.string().min(1), balance: zDecimal }).passthrough()),
});

/** `POST /api/v1/reseller/withdraw/create` request body (known). */
export interface WithdrawCreateRequest {
  currency: string;
  network: ExonyxNetwork;
  /** Decimal string in the currency's unit (INFERRED: the admin code sends the amount the operator typed). */
  amount: string;
  to_address: string;
  /** Our payout reference: the API is taken to deduplicate by it (INFERRED from the field's name and use). */
  unique_param: string;
}

/**
 * The answer to withdraw/create (INFERRED): a `data` object describing the withdrawal; `status` and a chain
 * transaction id when Exonyx has one. Unknown members are kept (passthrough) and ignored.
 */
export const withdrawCreateBody = z.object({
  data: z
    .object({
      unique_param: z.string().optional(),
      status: z.string().optional(),
      tx_id: z.string().nullable().optional(),
    })
    .passthrough(),
});

/** An error envelope (INFERRED): `{ message }` with a non-2xx status. */
export const errorBody = z.object({ message: z.string() }).passthrough();
