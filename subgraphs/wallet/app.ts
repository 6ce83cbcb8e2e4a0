import type { WalletConfig } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { Metrics } from '../../platform/http/metrics.js';
import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import type { SubgraphDefinition } from '../../platform/service/subgraph.js';
import { createChainBalanceReader, type ChainBalanceReader } from '../../providers/chain-balance/index.js';
import { walletMigrations } from '../../migrations/wallet/index.js';
import { AddressResolver } from './address/address.resolver.js';
import { OnChainBalanceService } from './balance/on-chain-balance.service.js';
import type { WalletServices } from './context.js';
import type { MasterKeyring } from './custody/index.js';
import { CustodyVault } from './custody-root/custody-vault.js';
import { buildKeyring } from './custody-root/keyring.js';
import { walletEntities } from './entities.js';
import { startDepositCreditConsumer } from './deposit/deposit.consumer.js';
import { startAssetMinimumConsumer } from './deposit/asset-minimum.consumer.js';
import { depositEntities } from './deposit/deposit.entity.js';
import { depositReference } from './deposit/deposit.reference.js';
import { DepositResolver, DepositUserResolver } from './deposit/deposit.resolver.js';
import { DepositService } from './deposit/deposit.service.js';
import { WithdrawalFreezeResolver } from './deposit/freeze.resolver.js';
import { WithdrawalFreezeService } from './deposit/freeze.service.js';
import { walletReference, walletUserReference } from './wallet/wallet.reference.js';
import { WalletResolver, WalletUserResolver } from './wallet/wallet.resolver.js';
import { WalletUser } from './wallet/wallet.type.js';
import { walletCreatedCounter } from './wallet/wallet.metrics.js';
import { WalletService } from './wallet/wallet.service.js';
import { PriceBook, startPriceSubscription } from '../../platform/money/price-book.js';
import type { Network } from '../../chains/network.js';
import type { ChainPayout } from './payout/payout.port.js';
import { createChainPayouts } from './payout/payouts.factory.js';
import { startWithdrawalHoldConsumer } from './withdrawal/withdrawal.consumer.js';
import { withdrawalReference } from './withdrawal/withdrawal.reference.js';
import { WithdrawalResolver, WithdrawalUserResolver } from './withdrawal/withdrawal.resolver.js';
import { WithdrawalService } from './withdrawal/withdrawal.service.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { HoldingsService } from './reserves/holdings.service.js';
import { ReserveResolver, assetReserveReference } from './reserves/reserve.resolver.js';
import { treasuryAddresses } from './treasury/treasury-addresses.js';
import { TreasuryResolver } from './treasury/treasury.resolver.js';
import { TreasuryService } from './treasury/treasury.service.js';
import { MoveStore } from './sweep/move.store.js';
import { randomBytes } from 'node:crypto';
import { FieldSealer } from '../../platform/crypto/sealed-field.js';
import { startVerifiedPhoneConsumer, VerifiedPhones } from './phone/verified-phone.js';
import { AddressConfirmations } from './withdrawal/address-confirmation.js';
import { createOtpSender } from '../../providers/sms/index.js';

/** The chain balance port over the configured endpoints; null unless all four networks have one. */
export function buildChainBalanceReader(config: Pick<WalletConfig, 'chains'>, log: Logger): ChainBalanceReader | null {
  const { ETH, BSC, TRON, TON } = config.chains.networks;
  if (!ETH || !BSC || !TRON || !TON) return null;
  return createChainBalanceReader(
    {
      eth: { rpcUrl: ETH.url },
      bsc: { rpcUrl: BSC.url },
      tron: { baseUrl: TRON.url, apiKey: TRON.apiKey },
      ton: { baseUrl: TON.url, apiKey: TON.apiKey },
      usdtContracts: { ETH: ETH.usdtContract, BSC: BSC.usdtContract, TRON: TRON.usdtContract, TON: TON.usdtContract },
    },
    { log },
  );
}

export interface WalletServiceDeps {
  config: Pick<WalletConfig, 'wallet' | 'chains' | 'redis' | 'coldWallets' | 'hotBands'>;
  log: Logger;
  redis: Redis;
  keyring: MasterKeyring;
  /** Defaults to the reader over the configured chain endpoints. */
  chainBalances?: ChainBalanceReader | null;
  /** The payout backend per network (the hot wallet's address); none = no hot wallet counted. */
  payouts?: Partial<Record<Network, ChainPayout>>;
  /** Where `wallets_created_total` is counted (the subgraph's own registry). */
  metrics?: Metrics;
}

export function buildWalletServices({
  config,
  log,
  redis,
  keyring,
  chainBalances,
  payouts = {},
  metrics,
}: WalletServiceDeps): WalletServices {
  const vault = new CustodyVault(keyring, log.child({ component: 'custody-vault' }));
  const wallets = new WalletService(vault, {
    maxWalletsPerNetwork: config.wallet.maxWalletsPerNetwork,
    ...(metrics ? { onCreated: walletCreatedCounter(metrics.registry) } : {}),
  });
  const reader =
    chainBalances === undefined
      ? buildChainBalanceReader(config, log.child({ component: 'chain-balance' }))
      : chainBalances;
  const balances = new OnChainBalanceService(
    reader,
    redis,
    { keyPrefix: config.redis.keyPrefix, cacheSeconds: config.wallet.balanceCacheSeconds },
    log.child({ component: 'on-chain-balance' }),
  );
  const addresses = treasuryAddresses(config.coldWallets, payouts);
  const holdings = new HoldingsService(reader, addresses, log.child({ component: 'reserves' }));
  const treasury = new TreasuryService(
    new MoveStore(),
    new Map(Object.entries(payouts) as [Network, ChainPayout][]),
    reader,
    addresses,
    config.hotBands,
    log.child({ component: 'treasury' }),
  );
  return { vault, wallets, balances, addresses, holdings, treasury };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildWalletSchema() {
  return buildSubgraph({
    resolvers: [
      WalletResolver,
      WalletUserResolver,
      AddressResolver,
      DepositResolver,
      DepositUserResolver,
      WithdrawalFreezeResolver,
      ReserveResolver,
      TreasuryResolver,
      WithdrawalResolver,
      WithdrawalUserResolver,
    ],
    orphanedTypes: [WalletUser],
    references: {
      Wallet: walletReference,
      User: walletUserReference,
      Deposit: depositReference,
      AssetReserve: assetReserveReference,
      Withdrawal: withdrawalReference,
    },
  });
}

/**
 * The withdrawal service of a wallet process: fee quotes through `payouts` (default: one ChainPayout per
 * configured network), prices from `wallet.price`.
 */
export function buildWithdrawalService(options: {
  config: Pick<WalletConfig, 'wallet'>;
  payouts: ReadonlyMap<Network, ChainPayout>;
  prices: PriceBook;
  log: Logger;
}): WithdrawalService {
  const { withdrawals } = options.config.wallet;
  return new WithdrawalService(
    options.payouts,
    options.prices,
    {
      addressCoolOffSeconds: withdrawals.addressCoolOffSeconds,
      approvalThresholdUsd: withdrawals.approvalThresholdUsd,
      holdWaitMs: withdrawals.holdWaitMs,
    },
    options.log,
  );
}

export const walletSubgraph: SubgraphDefinition<WalletConfig> = {
  name: 'wallet',
  entities: [...walletEntities, ...depositEntities],
  migrations: walletMigrations,
  async build(deps) {
    const keyring = buildKeyring(deps.config);
    try {
      // The hot wallet's address per network (reserves, treasury) comes from the payout backends.
      const payouts = createChainPayouts({
        em: () => deps.orm.em.fork() as EntityManager,
        keyring,
        chains: deps.config.chains,
        payouts: deps.config.payouts,
        log: deps.log,
      });
      const services = buildWalletServices({
        config: deps.config,
        log: deps.log,
        redis: deps.redis,
        keyring,
        payouts: Object.fromEntries(payouts),
        metrics: deps.metrics,
      });
      // Refuses to start (CustodyStartupError) on a wrong or missing master key or a root that fails to open.
      const status = await services.vault.initialize(deps.orm.em.fork());
      deps.log.info(
        {
          rootId: status.activeRootId,
          fingerprint: status.fingerprint,
          roots: status.roots,
          masterKeyId: keyring.currentId,
        },
        'custody roots verified',
      );
      if (status.notOnCurrentKey.length) {
        deps.log.warn(
          { roots: status.notOnCurrentKey, currentKeyId: keyring.currentId },
          'custody roots wrapped by an older master key: run npm run wallet:rotate-key',
        );
      }
      const schema = await buildWalletSchema();
      const deposits = new DepositService(deps.log.child({ component: 'deposits' }));
      const freezes = new WithdrawalFreezeService(deps.log.child({ component: 'withdrawal-freezes' }));
      const prices = new PriceBook('wallet.price', deps.config.wallet.withdrawals.priceMaxAgeSeconds * 1000);
      await prices.load(deps.orm.em.fork());
      // The wallet keeps no value it looks up by fingerprint: the sealer's fingerprint key is a throwaway.
      const phones = new VerifiedPhones(new FieldSealer(deps.config.walletDataKeys, randomBytes(32)));
      const addressConfirmations = new AddressConfirmations(
        phones,
        createOtpSender(deps.config.sms, deps.log.child({ component: 'sms' })),
        deps.redis,
        deps.config.redis.keyPrefix,
        deps.config.wallet.addressCodes,
        deps.log.child({ component: 'address-codes' }),
      );
      const withdrawals = buildWithdrawalService({
        config: deps.config,
        payouts,
        prices,
        log: deps.log.child({ component: 'withdrawals' }),
      });
      const depositCredits = await startDepositCreditConsumer(deps, deposits);
      const assetMinimums = await startAssetMinimumConsumer(deps);
      const holdAnswers = await startWithdrawalHoldConsumer(deps);
      const verifiedPhones = await startVerifiedPhoneConsumer(deps, phones);
      const priceUpdates = startPriceSubscription({
        nats: deps.nats,
        subjectPrefix: deps.config.nats.subjectPrefix,
        em: () => deps.orm.em.fork(),
        book: prices,
        log: deps.log.child({ component: 'prices' }),
      });
      return {
        schema,
        background: [
          depositCredits,
          assetMinimums,
          holdAnswers,
          verifiedPhones,
          priceUpdates,
          { stop: async () => keyring.destroy() },
        ],
        context: () => ({ wallet: services, deposits, freezes, withdrawals, addressConfirmations }),
      };
    } catch (err) {
      keyring.destroy();
      throw err;
    }
  },
};
