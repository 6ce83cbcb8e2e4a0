import { connect, type NatsConnection } from 'nats';
import {
  gatewayProcess,
  outboxRelayProcess,
  type Env,
  type GatewayConfig,
  type IdentityConfig,
  type KycConfig,
  type LedgerConfig,
  type MarketConfig,
  type WalletConfig,
} from '../platform/config/config.js';
import { startGateway, type RunningGateway } from '../gateway/app.js';
import { startOutboxRelayWorker, type RunningRelay } from '../workers/outbox-relay/relay-worker.js';
import { outboxSchemas, subgraphs as registry } from '../subgraphs/registry.js';
import type { RunningSubgraph } from '../platform/service/subgraph.js';
import { createTestEnv, type TestConfig } from './test-env.js';
import type { Logger } from '../platform/logger.js';

/** The running subgraphs by name, each typed with its own configuration. */
export interface RunningSubgraphs extends Map<string, RunningSubgraph> {
  get(name: 'identity'): RunningSubgraph<IdentityConfig> | undefined;
  get(name: 'wallet'): RunningSubgraph<WalletConfig> | undefined;
  get(name: 'market'): RunningSubgraph<MarketConfig> | undefined;
  get(name: 'ledger'): RunningSubgraph<LedgerConfig> | undefined;
  get(name: 'kyc'): RunningSubgraph<KycConfig> | undefined;
  get(name: string): RunningSubgraph | undefined;
}

export interface TestStack {
  /** Every process's configuration merged (shared values: NATS, Redis, database, limits). */
  config: TestConfig;
  /** The environment variables every process loaded its own configuration from. */
  vars: Env;
  /** The gateway's own configuration (it alone holds the internal-token private key). */
  gatewayConfig: GatewayConfig;
  log: Logger;
  gateway: RunningGateway;
  graphqlUrl: string;
  wsUrl: string;
  subgraphs: RunningSubgraphs;
  relay: RunningRelay;
  close(): Promise<void>;
}

/**
 * The whole supergraph in this process on ephemeral ports: every registered subgraph (real Postgres,
 * Redis, NATS), the outbox relay and the gateway wired to them, each started with its own configuration
 * loaded from the one test environment, as `npm start` does.
 */
export async function startStack(overrides: Env = {}, options: { log?: Logger } = {}): Promise<TestStack> {
  const env = await createTestEnv(overrides);
  const { config, vars } = env;
  // A test may pass its own logger (e.g. one that captures every line at trace level).
  const log = options.log ?? env.log;
  const subgraphs = new Map<string, RunningSubgraph>() as RunningSubgraphs;
  for (const entry of registry)
    subgraphs.set(entry.definition.name, await entry.start(vars, log.child({ service: entry.definition.name }), 0));
  const gatewayConfig = gatewayProcess.load(vars);
  for (const [name, running] of subgraphs) gatewayConfig.gateway.subgraphs[name] = running.url;
  const relay = await startOutboxRelayWorker(outboxRelayProcess.load(vars), log, outboxSchemas, 0);
  const gateway = await startGateway({ config: gatewayConfig, log, port: 0, adminPort: 0 });
  return {
    config,
    vars,
    gatewayConfig,
    log,
    gateway,
    graphqlUrl: `${gateway.url}/graphql`,
    wsUrl: `${gateway.url.replace('http', 'ws')}/graphql`,
    subgraphs,
    relay,
    async close() {
      await gateway.close();
      await relay.close();
      for (const running of subgraphs.values()) await running.close();
      await removeStream(config.nats.url, config.nats.stream);
      await env.cleanup();
    },
  };
}

async function removeStream(url: string, stream: string): Promise<void> {
  let nc: NatsConnection | null = null;
  try {
    nc = await connect({ servers: url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(stream).catch(() => undefined);
  } finally {
    await nc?.close();
  }
}
