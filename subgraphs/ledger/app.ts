import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { LedgerConfig } from '../../platform/config/config.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import { ledgerMigrations } from '../../migrations/ledger/index.js';
import { AdminResolver } from './admin/admin.resolver.js';
import { AdminService } from './admin/admin.service.js';
import { balanceQueryCounter } from './balance/balance.metrics.js';
import { BalanceService } from './balance/balance.service.js';
import type { LedgerServices } from './context.js';
import { Ledger } from './core/ledger.js';
import { PRUNE_BATCH, PRUNE_INTERVAL_MS, pruneIdempotency } from './core/idempotency-retention.js';
import { OutboxWaker } from './core/outbox-waker.js';
import { runPeriodically } from '../../platform/service/periodic.js';
import { LedgerPoster } from './core/poster.js';
import { sealChain } from './core/verifier.js';
import { startFreezeConsumer } from './debt/debt.consumer.js';
import { DebtResolver } from './debt/debt.resolver.js';
import { DebtService } from './debt/debt.service.js';
import { startDirectoryConsumer } from './directory/directory.consumer.js';
import { startAccountRecoveryConsumer } from './recovery/recovery.consumer.js';
import { RecoveryService } from './recovery/recovery.service.js';
import { UserDirectory } from './directory/directory.service.js';
import { HoldService } from './hold/hold.service.js';
import { LevelLimits } from './limits/limits.service.js';
import { PriceBook, startPriceSubscription } from './limits/price-book.js';
import { startPaymentPostingsConsumer, startPostingsConsumer } from './postings/postings.consumer.js';
import { PostingsService } from './postings/postings.service.js';
import { startVoucherPostingsConsumer } from './postings/voucher-postings.consumer.js';
import { TransactionResolver, transactionReference } from './transaction/transaction.resolver.js';
import { TransactionService } from './transaction/transaction.service.js';
import { TransferResolver } from './transfer/transfer.resolver.js';
import { TransferService } from './transfer/transfer.service.js';
import { AssetSwitches, startAssetSwitchConsumer } from './transfer/asset-switches.js';
import { LimitsResolver } from './limits/limits.resolver.js';
import { BalanceResolver, LedgerUser, LedgerUserResolver, userReference } from './user/user.resolver.js';
import { MarketRates } from './order/market-rate.js';
import { OrderResolver, OrderUserResolver, orderReference } from './order/order.resolver.js';
import { OrderService } from './order/order.service.js';
import { LimitOrders, startLimitOrderTicks } from './order/limit.service.js';
import { TradingSettings } from './order/trading-settings.js';
import {
  AssetReserveLiabilityResolver,
  ReserveResolver,
  TreasuryLiabilityResolver,
  assetReserveReference,
  treasuryPositionReference,
} from './reserve/reserve.resolver.js';
import { ReserveService } from './reserve/reserve.service.js';
import { LedgerAssetReserve, LedgerTreasuryPosition } from './reserve/reserve.type.js';

/** Largest batch of transactions one commit carries. */
const MAX_BATCH = 100;

export function buildLedgerServices(
  deps: Pick<SubgraphDeps<LedgerConfig>, 'config' | 'orm' | 'log'> &
    Partial<Pick<SubgraphDeps<LedgerConfig>, 'metrics'>>,
): LedgerServices {
  const { config, orm } = deps;
  const log = deps.log.child({ component: 'ledger' });
  const waker = new OutboxWaker(orm.em, log);
  // A lane is a batch in flight on its own connection. Few lanes make big batches: on a 2-core database one
  // lane commits the most (BENCHMARKS.md); the rest of the pool serves reads and consumers.
  const lanes = Math.max(1, Math.min(config.ledger.postingLanes, config.database.poolMax - 1));
  const poster = new LedgerPoster(orm.em, { lanes, maxBatch: MAX_BATCH, log, onCommitted: () => waker.poke() });
  const transactions = new TransactionService();
  const ledger = new Ledger(poster, transactions);
  const directory = new UserDirectory();
  const holds = new HoldService(ledger);
  const assetSwitches = new AssetSwitches();
  const debts = new DebtService();
  const prices = new PriceBook(config.ledger.priceMaxAgeSeconds * 1000);
  const levelLimits = new LevelLimits(config.ledger.levelLimits, prices, directory);
  const postings = new PostingsService(ledger, holds, debts, levelLimits);
  const orders = new OrderService(
    postings,
    new MarketRates(prices, config.ledger.orders.priceMaxAgeSeconds * 1000),
    new TradingSettings(config.ledger.orders),
    levelLimits,
    directory,
    waker,
    assetSwitches,
  );
  const limitOrders = new LimitOrders(orders, holds, directory, waker, () => orm.em.fork(), log);
  return {
    ledger,
    transactions,
    balances: new BalanceService(deps.metrics ? balanceQueryCounter(deps.metrics.registry) : undefined),
    transfers: new TransferService(
      ledger,
      directory,
      config.ledger.fees,
      config.ledger.limits,
      log,
      debts,
      assetSwitches,
      levelLimits,
    ),
    assetSwitches,
    levelLimits,
    prices,
    admin: new AdminService(ledger, directory, log, config.ledger.adjustmentApprovalThresholds, waker),
    holds,
    postings,
    recovery: new RecoveryService(ledger, debts),
    debts,
    directory,
    waker,
    orders,
    limitOrders,
    reserves: new ReserveService(log.child({ component: 'reserves' })),
  };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildLedgerSchema() {
  return buildSubgraph({
    resolvers: [
      TransferResolver,
      AdminResolver,
      TransactionResolver,
      LedgerUserResolver,
      BalanceResolver,
      DebtResolver,
      LimitsResolver,
      OrderResolver,
      OrderUserResolver,
      ReserveResolver,
      AssetReserveLiabilityResolver,
      TreasuryLiabilityResolver,
    ],
    // User is reached only through other subgraphs' fields (me, user): no ledger field returns it.
    orphanedTypes: [LedgerUser, LedgerAssetReserve, LedgerTreasuryPosition],
    references: {
      Transaction: transactionReference,
      User: userReference,
      Order: orderReference,
      AssetReserve: assetReserveReference,
      TreasuryPosition: treasuryPositionReference,
    },
  });
}

export const ledgerSubgraph: SubgraphDefinition<LedgerConfig> = {
  name: 'ledger',
  entities: [],
  migrations: ledgerMigrations,
  async build(deps) {
    const services = buildLedgerServices(deps);
    const schema = await buildLedgerSchema();
    const log = deps.log.child({ component: 'ledger-background' });
    const sealer = runPeriodically(
      'seal-chain',
      deps.config.ledger.sealIntervalMs,
      log,
      async () => (await sealChain(deps.orm.em.fork())) > 0,
    );
    const expiry = runPeriodically('expire-holds', deps.config.ledger.holdSweepMs, log, async () => {
      const expired = await services.holds.expireDue(deps.orm.em.fork());
      if (expired) services.waker.poke();
      return expired > 0;
    });
    const retentionDays = deps.config.ledger.idempotencyRetentionDays;
    const pruner = runPeriodically('prune-idempotency', PRUNE_INTERVAL_MS, log, async () => {
      const pruned = await pruneIdempotency(deps.orm.em.fork(), retentionDays);
      if (pruned) log.info({ pruned, retentionDays }, 'forgot expired idempotency keys');
      const quotes = await services.orders.pruneQuotes(deps.orm.em.fork());
      return pruned === PRUNE_BATCH || quotes === 5_000;
    });
    await services.prices.load(deps.orm.em.fork());
    const priceUpdates = startPriceSubscription({
      nats: deps.nats,
      subjectPrefix: deps.config.nats.subjectPrefix,
      em: () => deps.orm.em.fork(),
      book: services.prices,
      log,
    });
    const limitTicks = startLimitOrderTicks({
      nats: deps.nats,
      subjectPrefix: deps.config.nats.subjectPrefix,
      limits: services.limitOrders,
      log,
    });
    const limitExpiry = runPeriodically('expire-limit-orders', deps.config.ledger.holdSweepMs, log, async () => {
      const expired = await services.limitOrders.expireDue();
      return expired > 0;
    });
    const directory = await startDirectoryConsumer(deps, services.directory);
    const postings = await startPostingsConsumer(deps, services.postings, services.waker);
    const assetSwitches = await startAssetSwitchConsumer(deps, services.assetSwitches);
    const freezes = await startFreezeConsumer(deps, services.debts);
    const recoveries = await startAccountRecoveryConsumer(deps, services.recovery, services.waker);
    const paymentPostings = await startPaymentPostingsConsumer(deps, services.postings, services.waker);
    const voucherPostings = await startVoucherPostingsConsumer(deps, services, services.waker);
    const waker = { stop: async () => services.waker.stop() };
    const reserveMinutes = deps.config.ledger.reserveSnapshotIntervalMinutes;
    const reservePublisher = reserveMinutes
      ? runPeriodically('publish-reserves', 60_000, log, async () => {
          await services.reserves.publishIfDue(deps.orm.em.fork(), reserveMinutes);
          return false;
        })
      : null;
    return {
      schema,
      background: [
        priceUpdates,
        directory,
        postings,
        assetSwitches,
        freezes,
        recoveries,
        paymentPostings,
        voucherPostings,
        sealer,
        expiry,
        pruner,
        limitTicks,
        limitExpiry,
        waker,
        ...(reservePublisher ? [reservePublisher] : []),
      ],
      context: () => ({ ledger: services }),
    };
  },
};
