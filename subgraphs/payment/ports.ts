import type { EntityManager } from '@mikro-orm/postgresql';
import { paymentMigrations } from '../../migrations/payment/index.js';
import type { PaymentDataKeys } from '../../platform/config/secrets.js';
import { ensureDatabase } from '../../platform/db/database.js';
import { databaseSource, migrateSubgraph, openSubgraphDatabase, pingDatabase } from '../../platform/db/orm.js';
import type { DatabaseSource } from '../../platform/http/metrics.js';
import type { Logger } from '../../platform/logger.js';
import type { FinnotechBanking } from '../../providers/finnotech/finnotech.port.js';
import type { PaystarGateway } from '../../providers/paystar/paystar.port.js';
import { PaymentService, type SettleOutcome } from './deposit/payment.service.js';
import { paymentEntities } from './entities.js';
import { HolderService } from './holder/holder.service.js';
import { SealedData } from './holder/sealed-data.js';
import { InstrumentService } from './instrument/instrument.service.js';
import { StatementService, type PollResult } from './statement/statement.service.js';
import type { FiatWithdrawalStatus } from './withdrawal/withdrawal.entity.js';
import { WithdrawalService } from './withdrawal/withdrawal.service.js';

/**
 * The payment subgraph's public port: what its workers (workers/payments) may use of it. The three jobs run the
 * subgraph's own services over the payment schema, so the callback route and the workers share one state machine.
 */

export type { PollResult, SettleOutcome, FiatWithdrawalStatus };
/** The configured Paystar and FinnoTech clients (the workers use the same ones as the subgraph). */
export { providersFromConfig } from './providers.js';

export interface PaymentJobsSettings {
  dataKeys: PaymentDataKeys;
  /** The platform's account whose statement is read. */
  statementDepositNumber: string;
  /** Open payments untouched this long are asked about (inquiry). */
  reconcileIdleSeconds: number;
  /** An unpaid payment older than this is FAILED (Paystar's session is long gone). */
  expireUnpaidAfterMinutes: number;
  /** Each statement read starts this much before the last one ended (late bookings; duplicates are ignored). */
  statementOverlapMs: number;
  /** The first read ever goes back this far. */
  statementFirstLookbackMs: number;
  /** A SENDING withdrawal idle this long is looked up (transferInquiry). */
  payoutInquirySeconds: number;
}

/** The background jobs of the payment subgraph, each safe to run in several processes at once. */
export interface PaymentJobs {
  /** Resolves open Paystar payments (inquiry, verify when paid and unverified). Returns how many it looked at. */
  reconcile(limit: number): Promise<{ checked: number; outcomes: Record<string, number> }>;
  /** One statement read: every page from the last window (with overlap) to now. */
  pollStatement(now?: Date): Promise<PollResult>;
  /** One payout step for each APPROVED or idle SENDING withdrawal. Returns how many it worked on. */
  payout(limit: number): Promise<{ worked: number; outcomes: Record<string, number> }>;
  ping(): Promise<void>;
  /** Its pool and statements, for `Metrics.trackDatabase`. */
  database: DatabaseSource;
  close(): Promise<void>;
}

/**
 * Opens the payment schema for the workers (creates the database if missing, applies the payment migrations: a
 * no-op when the subgraph already did) and returns the jobs over the given providers.
 */
export async function openPaymentJobs(options: {
  databaseUrl: string;
  poolMax?: number;
  log: Logger;
  settings: PaymentJobsSettings;
  paystar: PaystarGateway;
  finnotech: FinnotechBanking;
}): Promise<PaymentJobs> {
  const { databaseUrl, poolMax = 5, log, settings, paystar, finnotech } = options;
  await ensureDatabase(databaseUrl);
  const orm = await openSubgraphDatabase({
    schema: 'payment',
    url: databaseUrl,
    poolMax,
    entities: paymentEntities,
    migrations: paymentMigrations,
    log,
  });
  await migrateSubgraph(orm, 'payment');
  const em = () => orm.em.fork() as EntityManager;
  const sealed = new SealedData(settings.dataKeys);
  const instruments = new InstrumentService(
    finnotech,
    new HolderService(sealed),
    sealed,
    log.child({ component: 'instruments' }),
  );
  // The reconciler never starts a payment: the callback URL is not used here.
  const payments = new PaymentService(
    paystar,
    instruments,
    { callbackUrl: '' },
    log.child({ component: 'reconciler' }),
  );
  const statements = new StatementService(
    { depositNumber: settings.statementDepositNumber, depositCard: '', depositIban: '' },
    log.child({ component: 'statement-poller' }),
  );
  const withdrawals = new WithdrawalService(
    instruments,
    { approvalThresholdToman: 0n, minWithdrawalToman: 0n, holdWaitMs: 0 },
    log.child({ component: 'payout' }),
  );
  const tally = (outcomes: Record<string, number>, key: string) => (outcomes[key] = (outcomes[key] ?? 0) + 1);

  return {
    async reconcile(limit) {
      const ids = await payments.openPayments(em(), settings.reconcileIdleSeconds, limit);
      const outcomes: Record<string, number> = {};
      const expireUnpaidBefore = new Date(Date.now() - settings.expireUnpaidAfterMinutes * 60_000);
      for (const id of ids) tally(outcomes, await payments.settle(em(), id, { expireUnpaidBefore }));
      return { checked: ids.length, outcomes };
    },
    pollStatement(now = new Date()) {
      return statements.poll(em(), finnotech, {
        now,
        overlapMs: settings.statementOverlapMs,
        firstLookbackMs: settings.statementFirstLookbackMs,
      });
    },
    async payout(limit) {
      const ids = await withdrawals.payoutWork(em(), settings.payoutInquirySeconds, limit);
      const outcomes: Record<string, number> = {};
      for (const id of ids) tally(outcomes, await withdrawals.payoutStep(em(), finnotech, id));
      return { worked: ids.length, outcomes };
    },
    ping: () => pingDatabase(orm),
    database: databaseSource(orm),
    close: () => orm.close(true),
  };
}
