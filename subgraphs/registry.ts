import type { GraphQLSchema } from 'graphql';
import type { Config } from '../platform/config/config.js';
import type { SubgraphDefinition } from '../platform/service/subgraph.js';
import { buildIdentitySchema, identitySubgraph } from './identity/app.js';
import { buildMarketSchema, marketSubgraph } from './market/app.js';
import { buildLedgerSchema, ledgerSubgraph } from './ledger/app.js';
import { buildWalletSchema, walletSubgraph } from './wallet/app.js';

export interface RegisteredSubgraph {
  definition: SubgraphDefinition;
  /** The schema alone, for SDL emission and contract tests. */
  buildSchema(): Promise<GraphQLSchema>;
  port(config: Config): number;
  entry: string;
}

/** Every subgraph of the supergraph, in supergraph.yaml order. */
export const subgraphs: RegisteredSubgraph[] = [
  { definition: identitySubgraph, buildSchema: buildIdentitySchema, port: (c) => c.identity.port, entry: 'subgraphs/identity/main.ts' },
  { definition: walletSubgraph, buildSchema: buildWalletSchema, port: (c) => c.wallet.port, entry: 'subgraphs/wallet/main.ts' },
  { definition: marketSubgraph, buildSchema: buildMarketSchema, port: (c) => c.market.port, entry: 'subgraphs/market/main.ts' },
  { definition: ledgerSubgraph, buildSchema: buildLedgerSchema, port: (c) => c.ledger.port, entry: 'subgraphs/ledger/main.ts' },
];

/** The Postgres schemas whose outbox the relay drains: every subgraph that has one. */
export const outboxSchemas: string[] = subgraphs.filter((s) => s.definition.outbox !== false).map((s) => s.definition.name);
