import { connect, type NatsConnection } from 'nats';
import type { Config, Env } from '../platform/config/config.js';
import { startGateway, type RunningGateway } from '../gateway/app.js';
import { startOutboxRelayWorker, type RunningRelay } from '../workers/outbox-relay/relay-worker.js';
import { outboxSchemas, subgraphs as registry } from '../subgraphs/registry.js';
import { startSubgraph, type RunningSubgraph } from '../platform/service/subgraph.js';
import { createTestEnv } from './test-env.js';
import type { Logger } from '../platform/logger.js';

export interface TestStack {
  config: Config;
  log: Logger;
  gateway: RunningGateway;
  graphqlUrl: string;
  wsUrl: string;
  subgraphs: Map<string, RunningSubgraph>;
  relay: RunningRelay;
  close(): Promise<void>;
}

/**
 * The whole supergraph in this process on ephemeral ports: every registered subgraph (real Postgres,
 * Redis, NATS), the outbox relay and the gateway wired to them.
 */
export async function startStack(overrides: Env = {}, options: { log?: Logger } = {}): Promise<TestStack> {
  const env = await createTestEnv(overrides);
  const { config } = env;
  // A test may pass its own logger (e.g. one that captures every line at trace level).
  const log = options.log ?? env.log;
  const subgraphs = new Map<string, RunningSubgraph>();
  for (const entry of registry) subgraphs.set(entry.definition.name, await startSubgraph(entry.definition, config, log.child({ service: entry.definition.name }), 0));
  for (const [name, running] of subgraphs) config.gateway.subgraphs[name] = running.url;
  const relay = await startOutboxRelayWorker(config, log, outboxSchemas, 0);
  const gateway = await startGateway({ config, log, port: 0 });
  return {
    config,
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
      await removeStream(config);
      await env.cleanup();
    },
  };
}

async function removeStream(config: Config): Promise<void> {
  let nc: NatsConnection | null = null;
  try {
    nc = await connect({ servers: config.nats.url });
    const jsm = await nc.jetstreamManager();
    await jsm.streams.delete(config.nats.stream).catch(() => undefined);
  } finally {
    await nc?.close();
  }
}
