import { adminCreateProcess } from './admin-create.js';
import { botProcess } from './bot.js';
import { chainWatcherProcess } from './chain-watcher.js';
import { devInitDataProcess } from './dev-init-data.js';
import { devnetProcess } from './devnet.js';
import { gatewayProcess } from './gateway.js';
import { identityProcess } from './identity.js';
import { kycProcess } from './kyc.js';
import { ledgerProcess } from './ledger.js';
import { marketProcess } from './market.js';
import { migrateProcess } from './migrate.js';
import { notifierProcess } from './notifier.js';
import { paymentProcess } from './payment.js';
import { paymentsWorkerProcess } from './payments-worker.js';
import { outboxRelayProcess } from './outbox-relay.js';
import { priceFeedProcess } from './price-feed.js';
import { priceSimulatorsProcess } from './price-simulators.js';
import { s3DevnetProcess } from './s3-devnet.js';
import { smsSimulatorProcess } from './sms-simulator.js';
import { walletCommandsProcess } from './wallet-commands.js';
import { walletProcess } from './wallet.js';
import { supportProcess } from './support.js';
import { telegramSimulatorProcess } from './telegram-simulator.js';
import { paystarSimulatorProcess } from './paystar-simulator.js';
import { finnotechSimulatorProcess } from './finnotech-simulator.js';
import { treasuryProcess } from './treasury.js';
import { voucherSimulatorsProcess } from './voucher-simulators.js';
import { voucherProcess } from './voucher.js';
import { withdrawalBroadcasterProcess } from './withdrawal-broadcaster.js';

/** Every process and command with its own configuration (README's configuration table is grouped the same way). */
export const PROCESSES = {
  gateway: gatewayProcess,
  identity: identityProcess,
  wallet: walletProcess,
  market: marketProcess,
  ledger: ledgerProcess,
  kyc: kycProcess,
  'outbox-relay': outboxRelayProcess,
  'price-feed': priceFeedProcess,
  'price-simulators': priceSimulatorsProcess,
  'sms-simulator': smsSimulatorProcess,
  'chain-watcher': chainWatcherProcess,
  devnet: devnetProcess,
  's3-devnet': s3DevnetProcess,
  migrate: migrateProcess,
  'admin-create': adminCreateProcess,
  'wallet-commands': walletCommandsProcess,
  'dev-init-data': devInitDataProcess,
  support: supportProcess,
  'telegram-simulator': telegramSimulatorProcess,
  payment: paymentProcess,
  'payments-worker': paymentsWorkerProcess,
  'paystar-simulator': paystarSimulatorProcess,
  'finnotech-simulator': finnotechSimulatorProcess,
  treasury: treasuryProcess,
  'voucher-simulators': voucherSimulatorsProcess,
  voucher: voucherProcess,
  'withdrawal-broadcaster': withdrawalBroadcasterProcess,
  bot: botProcess,
  notifier: notifierProcess,
} as const;

export type { AdminCreateConfig } from './admin-create.js';
export type { BotConfig } from './bot.js';
export type { ChainWatcherConfig } from './chain-watcher.js';
export type { DevInitDataConfig } from './dev-init-data.js';
export type { DevnetConfig } from './devnet.js';
export type { GatewayConfig, GatewaySettings } from './gateway.js';
export type { IdentityConfig, LevelRule } from './identity.js';
export type { KycConfig, KycPhoneSettings } from './kyc.js';
export type { LedgerConfig, LedgerSettings } from './ledger.js';
export type { MarketConfig } from './market.js';
export type { MigrateConfig } from './migrate.js';
export type { NotifierConfig } from './notifier.js';
export type { OutboxRelayConfig } from './outbox-relay.js';
export type { PriceFeedConfig } from './price-feed.js';
export type { PriceSimulatorsConfig } from './price-simulators.js';
export type { S3DevnetConfig } from './s3-devnet.js';
export type { SmsSimulatorConfig } from './sms-simulator.js';
export type { SubgraphConfig } from './subgraph.js';
export type { WalletCommandsConfig } from './wallet-commands.js';
export type { WalletConfig } from './wallet.js';
export type { SupportConfig, SupportSettings } from './support.js';
export type { TelegramSimulatorConfig } from './telegram-simulator.js';
export type { PaymentConfig, PaymentSettings } from './payment.js';
export type { PaymentsWorkerConfig } from './payments-worker.js';
export type { PaystarSimulatorConfig } from './paystar-simulator.js';
export type { FinnotechSimulatorConfig } from './finnotech-simulator.js';
export type { TreasuryConfig } from './treasury.js';
export type { VoucherSimulatorsConfig } from './voucher-simulators.js';
export type { VoucherConfig, VoucherSettings, VoucherCodeKeys } from './voucher.js';
export type { WithdrawalBroadcasterConfig } from './withdrawal-broadcaster.js';
export {
  adminCreateProcess,
  chainWatcherProcess,
  devInitDataProcess,
  devnetProcess,
  gatewayProcess,
  identityProcess,
  kycProcess,
  ledgerProcess,
  marketProcess,
  migrateProcess,
  notifierProcess,
  outboxRelayProcess,
  priceFeedProcess,
  priceSimulatorsProcess,
  s3DevnetProcess,
  smsSimulatorProcess,
  walletCommandsProcess,
  walletProcess,
  supportProcess,
  telegramSimulatorProcess,
  paymentProcess,
  paymentsWorkerProcess,
  paystarSimulatorProcess,
  finnotechSimulatorProcess,
  treasuryProcess,
  voucherSimulatorsProcess,
  voucherProcess,
  withdrawalBroadcasterProcess,
  botProcess,
};
