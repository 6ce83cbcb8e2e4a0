import { Counter } from 'prom-client';
import type { PaymentsWorkerConfig } from '../../platform/config/config.js';
import { Metrics } from '../../platform/http/metrics.js';
import { createHttpServer, listen } from '../../platform/http/server.js';
import type { Logger } from '../../platform/logger.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import type { FinnotechBanking } from '../../providers/finnotech/finnotech.port.js';
import type { PaystarGateway } from '../../providers/paystar/paystar.port.js';
import { openPaymentJobs, type PaymentJobs } from '../../subgraphs/payment/ports.js';

/** How many payments or withdrawals one round takes; a full round runs again at once. */
const BATCH = 50;

export interface RunningPaymentsWorker {
  url: string;
  jobs: PaymentJobs;
  close(): Promise<void>;
}

export type PaymentsLoop = 'reconciler' | 'statement' | 'payout';

/**
 * The payments worker: three loops over the payment schema, each safe in several processes (leases,
 * compare-and-set, unique refCodes).
 * - reconciler: Paystar payments left INIT / CALLBACK_RECEIVED / VERIFYING → inquiry (and the one verify when paid
 *   and not verified yet); a payment verified that we failed to record is recorded here.
 * - statement: the platform account's FinnoTech statement, overlapping windows, each credit once per refCode.
 * - payout: APPROVED withdrawals → trackId stored, then transferTo; SENDING ones → transferInquiry only.
 */
export async function startPaymentsWorker(
  config: PaymentsWorkerConfig,
  log: Logger,
  port: number,
  providers: { paystar: PaystarGateway; finnotech: FinnotechBanking },
  options: { loops?: readonly PaymentsLoop[] } = {},
): Promise<RunningPaymentsWorker> {
  const s = config.paymentsWorker;
  const jobs = await openPaymentJobs({
    databaseUrl: config.database.url,
    poolMax: config.database.poolMax,
    log,
    paystar: providers.paystar,
    finnotech: providers.finnotech,
    settings: {
      dataKeys: config.paymentDataKeys,
      statementDepositNumber: config.finnotech.sourceDeposit,
      reconcileIdleSeconds: s.reconcileIdleSeconds,
      expireUnpaidAfterMinutes: s.expireUnpaidAfterMinutes,
      statementOverlapMs: s.statementOverlapMs,
      statementFirstLookbackMs: 24 * 3_600_000,
      payoutInquirySeconds: s.payoutInquirySeconds,
    },
  });
  const metrics = new Metrics('payments-worker');
  metrics.trackDatabase(jobs.database);
  const outcomes = new Counter({
    name: 'payments_worker_outcomes_total',
    help: 'What each loop did, by loop and outcome',
    labelNames: ['loop', 'outcome'],
    registers: [metrics.registry],
  });
  const count = (loop: string, tally: Record<string, number>) => {
    for (const [outcome, n] of Object.entries(tally)) outcomes.inc({ loop, outcome }, n);
  };
  const loops = new Set(options.loops ?? ['reconciler', 'statement', 'payout']);
  const running: { stop(): Promise<void> }[] = [];
  if (loops.has('reconciler'))
    running.push(
      runPeriodically('paystar-reconciler', s.reconcileIntervalMs, log, async () => {
        const r = await jobs.reconcile(BATCH);
        count('reconciler', r.outcomes);
        return r.checked === BATCH;
      }),
    );
  if (loops.has('statement'))
    running.push(
      runPeriodically('statement-poller', s.statementIntervalMs, log, async () => {
        const r = await jobs.pollStatement();
        count('statement', { CREDITED: r.credited, UNMATCHED: r.parked, DUPLICATE: r.duplicates });
        return false;
      }),
    );
  if (loops.has('payout'))
    running.push(
      runPeriodically('payout', s.payoutIntervalMs, log, async () => {
        const r = await jobs.payout(BATCH);
        count('payout', r.outcomes);
        return r.worked === BATCH;
      }),
    );
  const http = createHttpServer({
    service: 'payments-worker',
    log,
    metrics,
    health: { database: () => jobs.ping() },
    routes: {},
  });
  const server = await listen(http, port, config.host);
  log.info({ health: `${server.url}/health`, loops: [...loops] }, 'payments worker running');
  return {
    url: server.url,
    jobs,
    async close() {
      for (const loop of running) await loop.stop();
      await server.close(1000);
      await jobs.close();
    },
  };
}
