import { z } from 'zod';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { outboundProxy } from '../outbound-proxy.js';
import { finnotech, paystar } from '../payment-providers.js';
import { paymentDataKeys } from '../secrets.js';
import { subgraphSections } from './subgraph.js';

const digits = (n: number) => z.string().regex(new RegExp(`^[0-9]{${n}}$`), `${n} digits`);

export interface PaymentSettings {
  port: number;
  /**
   * The payment service's address as the user's browser reaches it: Paystar sends the browser back to
   * `<publicUrl>/payments/paystar/callback`.
   */
  publicUrl: string;
  /** Where the browser lands after the callback (`?payment=<id>&status=<status>` appended). */
  resultUrl: string;
  /** The platform's receiving card and IBAN shown for card-to-card and IBAN (Paya/Satna) deposits. */
  depositCard: string;
  depositIban: string;
  /** Withdrawals above this (Toman) wait for a `withdrawals:approve` approver who is not the requester. */
  approvalThresholdToman: bigint;
  /** Smallest withdrawal (Toman). */
  minWithdrawalToman: bigint;
  /** How long requestFiatWithdrawal waits for the ledger's hold answer before answering REQUESTED. */
  holdWaitMs: number;
}

/** The payment subgraph: Paystar card payments, bank cards and IBANs, statement deposits, Toman withdrawals. */
const payment = section(
  {
    PAYMENT_PORT: port.default(SERVICE_PORT_VARIABLES.payment[1]),
    PAYMENT_PUBLIC_URL: z.string().url().optional(),
    PAYMENT_RESULT_URL: z.string().url().optional(),
    PAYMENT_DEPOSIT_CARD: digits(16).default('6037990000000006'),
    PAYMENT_DEPOSIT_IBAN: z
      .string()
      .regex(/^IR[0-9]{24}$/, 'IR and 24 digits')
      .default('IR820540102680020817909002'),
    PAYMENT_APPROVAL_THRESHOLD_TOMAN: z.coerce.bigint().positive().default(10_000_000n),
    PAYMENT_MIN_WITHDRAWAL_TOMAN: z.coerce.bigint().positive().default(10_000n),
    PAYMENT_HOLD_WAIT_MS: positiveInt.default(5000),
  },
  (e, ctx): PaymentSettings => {
    const publicUrl = (e.PAYMENT_PUBLIC_URL ?? `http://${ctx.host}:${e.PAYMENT_PORT}`).replace(/\/+$/, '');
    return {
      port: e.PAYMENT_PORT,
      publicUrl,
      resultUrl: e.PAYMENT_RESULT_URL ?? `${publicUrl}/payments/result`,
      depositCard: e.PAYMENT_DEPOSIT_CARD,
      depositIban: e.PAYMENT_DEPOSIT_IBAN,
      approvalThresholdToman: e.PAYMENT_APPROVAL_THRESHOLD_TOMAN,
      minWithdrawalToman: e.PAYMENT_MIN_WITHDRAWAL_TOMAN,
      holdWaitMs: e.PAYMENT_HOLD_WAIT_MS,
    };
  },
);

export const paymentProcess = defineProcess('payment', {
  ...subgraphSections,
  payment,
  paymentDataKeys,
  paystar,
  finnotech,
  outboundProxy,
});
export type PaymentConfig = ConfigOf<typeof paymentProcess>;
