import { NETWORK_ORDER } from '../platform/config/chains.js';
import {
  botProcess,
  chainWatcherProcess,
  devnetProcess,
  notifierProcess,
  outboxRelayProcess,
  paymentsWorkerProcess,
  priceFeedProcess,
  priceSimulatorsProcess,
  s3DevnetProcess,
  smsSimulatorProcess,
  telegramSimulatorProcess,
  paystarSimulatorProcess,
  finnotechSimulatorProcess,
  treasuryProcess,
  voucherSimulatorsProcess,
  type Env,
  type ProcessSpec,
  withdrawalBroadcasterProcess,
} from '../platform/config/config.js';

/**
 * Background processes `npm start` runs besides the subgraphs and the gateway (each its own entrypoint,
 * started after the subgraphs are healthy). Add a worker, a client process (the bot) or a devnet simulator here to
 * have it started.
 */
export interface RegisteredWorker {
  name: string;
  entry: string;
  /** Its own configuration: the variables `npm start` hands it (and nothing else). */
  config: ProcessSpec<unknown>;
  /** Only in development/test (simulators, local chains); never started when NODE_ENV=production. */
  devOnly?: boolean;
  /** Arguments after the entry (e.g. which network a chain watcher watches). */
  args?: string[];
  /** Started only when this says so under this environment (e.g. a chain watcher needs its network's endpoint). */
  enabled?: (env: Env) => boolean;
}

export const workers: RegisteredWorker[] = [
  { name: 'outbox-relay', entry: 'workers/outbox-relay/main.ts', config: outboxRelayProcess },
  { name: 'price-simulators', entry: 'devnet/prices/main.ts', config: priceSimulatorsProcess, devOnly: true },
  { name: 'price-feed', entry: 'workers/price-feed/main.ts', config: priceFeedProcess },
  { name: 'devnet-chains', entry: 'devnet/chains/main.ts', config: devnetProcess, devOnly: true },
  { name: 'devnet-evm', entry: 'devnet/evm/main.ts', config: devnetProcess, devOnly: true },
  {
    name: 's3-devnet',
    entry: 'devnet/s3/main.ts',
    config: s3DevnetProcess,
    devOnly: true,
    enabled: (env: Env) => s3DevnetProcess.load(env).storage.devnetPort !== null,
  },
  {
    name: 'sms-simulator',
    entry: 'devnet/sms/main.ts',
    config: smsSimulatorProcess,
    devOnly: true,
    enabled: (env: Env) => smsSimulatorProcess.load(env).sms.simulatorPort !== null,
  },
  {
    name: 'telegram-simulator',
    entry: 'devnet/telegram/main.ts',
    config: telegramSimulatorProcess,
    devOnly: true,
    enabled: (env: Env) => telegramSimulatorProcess.load(env).telegramBotApi.simulatorPort !== null,
  },
  ...NETWORK_ORDER.map((network) => ({
    name: `watcher-${network.toLowerCase()}`,
    entry: 'workers/chain-watchers/main.ts',
    config: chainWatcherProcess,
    args: ['--network', network],
    enabled: (env: Env) => chainWatcherProcess.load(env).chains.networks[network] !== null,
  })),
  { name: 'payments-worker', entry: 'workers/payments/main.ts', config: paymentsWorkerProcess },
  {
    name: 'paystar-simulator',
    entry: 'devnet/paystar/main.ts',
    config: paystarSimulatorProcess,
    devOnly: true,
    enabled: (env: Env) => paystarSimulatorProcess.load(env).paystar.simulatorPort !== null,
  },
  {
    name: 'finnotech-simulator',
    entry: 'devnet/finnotech/main.ts',
    config: finnotechSimulatorProcess,
    devOnly: true,
    enabled: (env: Env) => finnotechSimulatorProcess.load(env).finnotech.simulatorPort !== null,
  },
  // sweeps into hot, hot-wallet band (excess to cold): signs with custody keys (WALLET_MASTER_KEYS)
  { name: 'treasury', entry: 'workers/treasury/main.ts', config: treasuryProcess },
  {
    name: 'voucher-simulators',
    entry: 'devnet/vouchers/main.ts',
    config: voucherSimulatorsProcess,
    devOnly: true,
    enabled: (env: Env) => voucherSimulatorsProcess.load(env).voucherProviders.simulatorPorts !== null,
  },
  // The Telegram bot (clients/bot): a GraphQL client of the gateway; polls the Telegram simulator in development.
  { name: 'bot', entry: 'clients/bot/main.ts', config: botProcess },
  // Telegram messages to users (the simulator in development: TELEGRAM_API_URL / TELEGRAM_SIMULATOR_PORT)
  { name: 'notifier', entry: 'workers/notifier/main.ts', config: notifierProcess },
  {
    name: 'withdrawal-broadcaster',
    entry: 'workers/withdrawal-broadcaster/main.ts',
    config: withdrawalBroadcasterProcess,
    enabled: (env: Env) =>
      Object.values(withdrawalBroadcasterProcess.load(env).chains.networks).some((n) => n !== null),
  },
];
