import type { RuntimeConfig } from '../env.js';
import { database, nats, redis, type DatabaseConfig, type NatsConfig, type RedisConfig } from '../pieces.js';
import { internalTokenVerifier, type InternalTokenVerifierConfig } from '../secrets.js';

/** What every subgraph process has: the engines and the gateway's public key (never a private one). */
export const subgraphSections = { database, redis, nats, internalTokens: internalTokenVerifier };

export interface SubgraphConfig extends RuntimeConfig {
  database: DatabaseConfig;
  redis: RedisConfig;
  nats: NatsConfig;
  internalTokens: InternalTokenVerifierConfig;
}
