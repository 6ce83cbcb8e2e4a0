import type { PaymentConfig } from '../../platform/config/config.js';
import { buildSubgraph } from '../../platform/graphql/build-subgraph.js';
import type { Logger } from '../../platform/logger.js';
import type { SubgraphDefinition, SubgraphDeps } from '../../platform/service/subgraph.js';
import type { FinnotechBanking } from '../../providers/finnotech/finnotech.port.js';
import type { PaystarGateway } from '../../providers/paystar/paystar.port.js';
import { paymentMigrations } from '../../migrations/payment/index.js';
import type { PaymentServices } from './context.js';
import { CALLBACK_PATH, paystarCallbackRoute, RESULT_PATH, resultRoute } from './deposit/payment.callback.js';
import { PaymentService } from './deposit/payment.service.js';
import { paymentEntities } from './entities.js';
import { HolderService, startHolderConsumer } from './holder/holder.service.js';
import { SealedData } from './holder/sealed-data.js';
import { InstrumentService } from './instrument/instrument.service.js';
import { paymentProvidersOf } from './providers.js';
import {
  PaymentResolver,
  PaymentUser,
  PaymentUserResolver,
  paymentReference,
  userReference,
  withdrawalReference,
} from './payment.resolver.js';
import { StatementService } from './statement/statement.service.js';
import { startHoldConsumer } from './withdrawal/hold.consumer.js';
import { WithdrawalService } from './withdrawal/withdrawal.service.js';

/** The external banking APIs the payment subgraph and its workers use (real clients or the devnet simulators). */
export interface PaymentProviders {
  paystar: PaystarGateway;
  finnotech: FinnotechBanking;
}

export type PaymentProvidersFactory = (config: PaymentConfig, log: Logger) => PaymentProviders;

export function buildPaymentServices(config: PaymentConfig, log: Logger, providers: PaymentProviders): PaymentServices {
  const sealed = new SealedData(config.paymentDataKeys);
  const holders = new HolderService(sealed);
  const instruments = new InstrumentService(
    providers.finnotech,
    holders,
    sealed,
    log.child({ component: 'instruments' }),
  );
  const settings = config.payment;
  return {
    holders,
    instruments,
    payments: new PaymentService(
      providers.paystar,
      instruments,
      { callbackUrl: `${settings.publicUrl}${CALLBACK_PATH}` },
      log.child({ component: 'payments' }),
    ),
    statements: new StatementService(
      {
        depositNumber: config.finnotech.sourceDeposit,
        depositCard: settings.depositCard,
        depositIban: settings.depositIban,
      },
      log.child({ component: 'statement' }),
    ),
    withdrawals: new WithdrawalService(instruments, settings, log.child({ component: 'withdrawals' })),
  };
}

/** The subgraph schema alone (no connections): used by the server, schema emission and contract tests. */
export function buildPaymentSchema() {
  return buildSubgraph({
    resolvers: [PaymentResolver, PaymentUserResolver],
    orphanedTypes: [PaymentUser],
    references: { Payment: paymentReference, FiatWithdrawal: withdrawalReference, User: userReference },
  });
}

/** The payment subgraph with its providers (the registry passes the configured ones; tests may pass simulators'). */
export function definePaymentSubgraph(providersOf: PaymentProvidersFactory): SubgraphDefinition<PaymentConfig> {
  return {
    name: 'payment',
    entities: paymentEntities,
    migrations: paymentMigrations,
    async build(deps: SubgraphDeps<PaymentConfig>) {
      const providers = providersOf(deps.config, deps.log);
      const services = buildPaymentServices(deps.config, deps.log.child({ component: 'payment' }), providers);
      const schema = await buildPaymentSchema();
      const holders = await startHolderConsumer(deps, services.holders);
      const holds = await startHoldConsumer(deps, services.withdrawals);
      return {
        schema,
        background: [holders, holds],
        routes: {
          [CALLBACK_PATH]: paystarCallbackRoute(
            deps.orm,
            providers.paystar,
            services.payments,
            deps.config.payment.resultUrl,
            deps.log.child({ component: 'paystar-callback' }),
          ),
          [RESULT_PATH]: resultRoute(),
        },
        context: () => ({ payment: services }),
      };
    },
  };
}

/** The payment subgraph with the configured providers: what main.ts, the registry and `npm start` run. */
export const paymentSubgraph = definePaymentSubgraph(paymentProvidersOf);
