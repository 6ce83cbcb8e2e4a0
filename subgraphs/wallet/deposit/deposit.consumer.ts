import { Counter, Histogram } from 'prom-client';
import { z } from 'zod';
import { applyOnce } from '../../../platform/bus/inbox.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';
import type { DepositService, LinkOutcome } from './deposit.service.js';

/** The ledger's answer to every commit; the wallet reads the ones about deposits. */
export const LEDGER_TRANSACTION_COMMITTED = 'ledger.transaction.committed';
export const DEPOSIT_CREDITS_CONSUMER = 'wallet-deposit-credits';

const committedSchema = z.object({
  transactionId: z.string().min(1),
  kind: z.string(),
  asset: z.string(),
  amount: z.string(),
  reference: z
    .string()
    .nullable()
    .optional()
    .transform((v) => v ?? null),
});

/**
 * Durable consumer of `ledger.transaction.committed`: a DEPOSIT posting moves its deposit to CREDITED
 * (with `wallet.deposit.credited`), a REVERSAL is linked to its deposit. Once per event (inbox), in one
 * transaction with the change. Observes `deposit_credit_latency_seconds` (credit requested → credited).
 */
export async function startDepositCreditConsumer(
  deps: SubgraphDeps,
  deposits: DepositService,
): Promise<{ stop(): Promise<void> }> {
  const log = deps.log.child({ consumer: DEPOSIT_CREDITS_CONSUMER });
  const latency = new Histogram({
    name: 'deposit_credit_latency_seconds',
    help: 'From the block that gave a deposit its required confirmations (credit requested) to the ledger credit being linked',
    labelNames: ['network'],
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300],
    registers: [deps.metrics.registry],
  });
  const credited = new Counter({
    name: 'deposits_credited_total',
    help: 'Deposits credited by the ledger',
    labelNames: ['network', 'asset'],
    registers: [deps.metrics.registry],
  });
  return runSubgraphConsumer(deps, {
    durable: DEPOSIT_CREDITS_CONSUMER,
    subjects: [LEDGER_TRANSACTION_COMMITTED],
    log,
    // Commits of different deposits are independent; one deposit's DEPOSIT and REVERSAL serialize on its row lock.
    concurrency: 16,
    handle: async (event) => {
      const parsed = committedSchema.safeParse(event.payload);
      if (!parsed.success) {
        log.error(
          { eventId: event.id, issues: parsed.error.issues },
          'unreadable ledger.transaction.committed: skipped',
        );
        return;
      }
      const { kind } = parsed.data;
      if (kind !== 'DEPOSIT' && kind !== 'REVERSAL') return;
      let outcome: LinkOutcome = { linked: 'none' };
      await applyOnce(deps.orm.em, DEPOSIT_CREDITS_CONSUMER, event, async (tx) => {
        outcome = await deposits.applyLedgerCommit(tx, { ...parsed.data, kind });
      });
      const done = outcome as LinkOutcome;
      if (done.linked === 'credited') {
        latency.observe(
          { network: done.deposit.network },
          Math.max(0, (Date.now() - done.confirmedAt.getTime()) / 1000),
        );
        credited.inc({ network: done.deposit.network, asset: done.deposit.asset });
        log.info({ depositId: done.deposit.id, transactionId: parsed.data.transactionId }, 'deposit credited');
      }
    },
  });
}
