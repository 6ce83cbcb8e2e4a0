import type { GraphQLSchema } from 'graphql';
import {
  identityProcess,
  kycProcess,
  ledgerProcess,
  marketProcess,
  paymentProcess,
  walletProcess,
  supportProcess,
  voucherProcess,
  type Env,
  type ProcessSpec,
  type SubgraphConfig,
} from '../platform/config/config.js';
import type { Logger } from '../platform/logger.js';
import { startSubgraph, type RunningSubgraph, type SubgraphDefinition } from '../platform/service/subgraph.js';
import { buildIdentitySchema, identitySubgraph } from './identity/app.js';
import { buildKycSchema, kycSubgraph } from './kyc/app.js';
import { buildMarketSchema, marketSubgraph } from './market/app.js';
import { buildLedgerSchema, ledgerSubgraph } from './ledger/app.js';
import { buildWalletSchema, walletSubgraph } from './wallet/app.js';
import { buildSupportSchema, supportSubgraph } from './support/app.js';
import { buildPaymentSchema, paymentSubgraph } from './payment/app.js';
import { buildVoucherSchema, voucherSubgraph } from './voucher/app.js';

export interface RegisteredSubgraph {
  definition: SubgraphDefinition<never>;
  /** This subgraph's own configuration: the variables it reads (and `npm start` hands it). */
  config: ProcessSpec<SubgraphConfig>;
  /** The schema alone, for SDL emission and contract tests. */
  buildSchema(): Promise<GraphQLSchema>;
  /** The port it listens on under this environment (its own variable, e.g. IDENTITY_PORT). */
  port(env: Env): number;
  /** Loads its configuration from `env` and starts it (tests, in process). */
  start(env: Env, log: Logger, port: number): Promise<RunningSubgraph>;
  entry: string;
}

/** Pairs a subgraph with its own configuration, so it is always started with that one. */
function register<C extends SubgraphConfig>(
  definition: SubgraphDefinition<C>,
  spec: ProcessSpec<C>,
  portOf: (config: C) => number,
  buildSchema: () => Promise<GraphQLSchema>,
  entry: string,
): RegisteredSubgraph {
  return {
    definition,
    config: spec,
    buildSchema,
    port: (env) => portOf(spec.load(env)),
    start: (env, log, port) => startSubgraph(definition, spec.load(env), log, port),
    entry,
  };
}

/** Every subgraph of the supergraph, in supergraph.yaml order. */
export const subgraphs: RegisteredSubgraph[] = [
  register(
    identitySubgraph,
    identityProcess,
    (c) => c.identity.port,
    buildIdentitySchema,
    'subgraphs/identity/main.ts',
  ),
  register(walletSubgraph, walletProcess, (c) => c.wallet.port, buildWalletSchema, 'subgraphs/wallet/main.ts'),
  register(marketSubgraph, marketProcess, (c) => c.market.port, buildMarketSchema, 'subgraphs/market/main.ts'),
  register(ledgerSubgraph, ledgerProcess, (c) => c.ledger.port, buildLedgerSchema, 'subgraphs/ledger/main.ts'),
  register(kycSubgraph, kycProcess, (c) => c.kyc.port, buildKycSchema, 'subgraphs/kyc/main.ts'),
  register(supportSubgraph, supportProcess, (c) => c.support.port, buildSupportSchema, 'subgraphs/support/main.ts'),
  register(paymentSubgraph, paymentProcess, (c) => c.payment.port, buildPaymentSchema, 'subgraphs/payment/main.ts'),
  register(voucherSubgraph, voucherProcess, (c) => c.voucher.port, buildVoucherSchema, 'subgraphs/voucher/main.ts'),
];

/** The Postgres schemas whose outbox the relay drains: every subgraph that has one. */
export const outboxSchemas: string[] = subgraphs
  .filter((s) => s.definition.outbox !== false)
  .map((s) => s.definition.name);
