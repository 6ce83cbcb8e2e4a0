import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { outboundProxy } from '../outbound-proxy.js';
import { finnotech, paystar } from '../payment-providers.js';
import { database } from '../pieces.js';
import { paymentDataKeys } from '../secrets.js';

/**
 * The payments worker: the Paystar reconciler, the bank statement poller and the payout worker, three loops in
 * one process (they share the payment schema's pool and the providers; each is safe to run in several).
 */
const paymentsWorker = section(
  {
    PAYMENTS_WORKER_PORT: port.default(4199),
    PAYMENT_RECONCILE_INTERVAL_MS: positiveInt.default(15_000),
    PAYMENT_RECONCILE_IDLE_SECONDS: positiveInt.default(120),
    PAYMENT_EXPIRE_UNPAID_MINUTES: positiveInt.default(60),
    PAYMENT_STATEMENT_INTERVAL_MS: positiveInt.default(60_000),
    PAYMENT_STATEMENT_OVERLAP_MINUTES: positiveInt.default(60),
    PAYMENT_PAYOUT_INTERVAL_MS: positiveInt.default(5_000),
    PAYMENT_PAYOUT_INQUIRY_SECONDS: positiveInt.default(60),
  },
  (e) => ({
    port: e.PAYMENTS_WORKER_PORT,
    reconcileIntervalMs: e.PAYMENT_RECONCILE_INTERVAL_MS,
    reconcileIdleSeconds: e.PAYMENT_RECONCILE_IDLE_SECONDS,
    expireUnpaidAfterMinutes: e.PAYMENT_EXPIRE_UNPAID_MINUTES,
    statementIntervalMs: e.PAYMENT_STATEMENT_INTERVAL_MS,
    statementOverlapMs: e.PAYMENT_STATEMENT_OVERLAP_MINUTES * 60_000,
    payoutIntervalMs: e.PAYMENT_PAYOUT_INTERVAL_MS,
    payoutInquirySeconds: e.PAYMENT_PAYOUT_INQUIRY_SECONDS,
  }),
);

export const paymentsWorkerProcess = defineProcess('payments-worker', {
  database,
  paymentDataKeys,
  paystar,
  finnotech,
  outboundProxy,
  paymentsWorker,
});
export type PaymentsWorkerConfig = ConfigOf<typeof paymentsWorkerProcess>;
