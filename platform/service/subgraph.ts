import type { IncomingMessage } from 'node:http';
import { ApolloServer } from '@apollo/server';
import {
  ApolloServerPluginInlineTraceDisabled,
  ApolloServerPluginLandingPageDisabled,
} from '@apollo/server/plugin/disabled';
import type { MigrationObject } from '@mikro-orm/core';
import type { Options } from '@mikro-orm/postgresql';
import type { GraphQLSchema } from 'graphql';
import {
  InternalTokenVerifier,
  INTERNAL_CONTEXT_HEADER,
  InvalidTokenError,
  REQUEST_ID_HEADER,
} from '../auth/tokens.js';
import { newId } from '../ids.js';
import {
  connectNats,
  requireEventStream,
  pingNats,
  runDurableConsumer,
  type DurableConsumerOptions,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
} from '../bus/nats.js';
import type { SubgraphConfig } from '../config/config.js';
import { ensureDatabase } from '../db/database.js';
import { databaseSource, migrateSubgraph, openSubgraphDatabase, pingDatabase, type MikroORM } from '../db/orm.js';
import { createErrorFormatter, unauthenticated } from '../errors.js';
import { argumentCheckPlugin } from '../graphql/argument-check.js';
import { graphqlHttpHandler } from '../graphql/http-handler.js';
import { Loaders } from '../graphql/loaders.js';
import type { SubgraphContext } from '../graphql/subgraph-context.js';
import { Metrics } from '../http/metrics.js';
import { createHttpServer, listen, type RouteHandler } from '../http/server.js';
import type { Logger } from '../logger.js';
import { createRedis, pingRedis, type Redis } from '../redis.js';
import { tracedRoute } from '../telemetry/http.js';

/** Connections a subgraph's services are built from. */
export interface SubgraphDeps<C extends SubgraphConfig = SubgraphConfig> {
  /** This subgraph's own configuration (processes/<name>.ts): nothing another process needs. */
  config: C;
  log: Logger;
  orm: MikroORM;
  redis: Redis;
  nats: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  metrics: Metrics;
}

export interface SubgraphApp {
  schema: GraphQLSchema;
  /** Background work the subgraph runs (event consumers); stopped on shutdown before connections close. */
  background?: { stop(): Promise<void> }[];
  routes?: Record<string, RouteHandler>;
  /** Adds the subgraph's services to every request context. */
  context?: () => Record<string, unknown>;
}

export interface SubgraphDefinition<C extends SubgraphConfig = SubgraphConfig> {
  /** Name in supergraph.yaml; also the Postgres schema it owns. */
  name: string;
  entities: NonNullable<Options['entities']>;
  migrations: MigrationObject[];
  /** False when the subgraph publishes nothing durable: its schema has no outbox table, so the relay skips it. */
  outbox?: false;
  build(deps: SubgraphDeps<C>): Promise<SubgraphApp>;
}

export interface RunningSubgraph<C extends SubgraphConfig = SubgraphConfig> {
  name: string;
  url: string;
  port: number;
  deps: SubgraphDeps<C>;
  app: SubgraphApp;
  close(): Promise<void>;
}

/** Everything main.ts and the in-process tests need: connect, migrate, build, serve. */
export async function startSubgraph<C extends SubgraphConfig>(
  definition: SubgraphDefinition<C>,
  config: C,
  log: Logger,
  port: number,
): Promise<RunningSubgraph<C>> {
  await ensureDatabase(config.database.url);
  const orm = await openSubgraphDatabase({
    schema: definition.name,
    url: config.database.url,
    poolMax: config.database.poolMax,
    entities: definition.entities,
    migrations: definition.migrations,
    log,
  });
  const applied = await migrateSubgraph(orm, definition.name);
  if (applied.length) log.info({ migrations: applied }, 'migrations applied');
  const redis = createRedis(config.redis.url, log);
  const nats = await connectNats(config.nats, definition.name, log);
  const jsm = await nats.jetstreamManager();
  await requireEventStream(jsm, config.nats.stream, config.nats.subjectPrefix);
  const js = nats.jetstream();
  const metrics = new Metrics(definition.name);
  metrics.trackDatabase(databaseSource(orm));
  const deps: SubgraphDeps<C> = { config, log, orm, redis, nats, js, jsm, metrics };
  const closeConnections = async () => {
    await nats.drain().catch(() => undefined);
    redis.disconnect();
    await orm.close(true);
  };
  let app: SubgraphApp;
  try {
    app = await definition.build(deps);
  } catch (err) {
    // A subgraph that refuses to start (e.g. a wrong key) must not leave its connections open.
    await closeConnections();
    throw err;
  }

  // The gateway's public key, and this subgraph's name as the audience: a token for another subgraph is refused.
  const internalTokens = new InternalTokenVerifier(config.internalTokens.publicKey, definition.name);
  const server = new ApolloServer<SubgraphContext>({
    schema: app.schema,
    introspection: true,
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginLandingPageDisabled(), ApolloServerPluginInlineTraceDisabled(), argumentCheckPlugin()],
    formatError: createErrorFormatter((err, requestId) =>
      log.error({ err, requestId }, 'unexpected error in resolver'),
    ),
  });
  await server.start();

  const context = async (req: IncomingMessage): Promise<SubgraphContext> => {
    const header = req.headers[INTERNAL_CONTEXT_HEADER];
    if (typeof header !== 'string' || !header) throw unauthenticated('Subgraphs are reached through the gateway only');
    try {
      const viewer = await internalTokens.verify(header);
      const given = req.headers[REQUEST_ID_HEADER];
      const requestId = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : newId('req');
      const base: SubgraphContext = {
        viewer,
        requestId,
        log: log.child({ requestId }),
        loaders: new Loaders(),
        em: orm.em.fork(),
      };
      return app.context ? { ...app.context(), ...base } : base;
    } catch (err) {
      if (err instanceof InvalidTokenError) throw unauthenticated('Invalid internal context');
      throw err;
    }
  };
  const http = createHttpServer({
    service: definition.name,
    log,
    metrics,
    health: { database: () => pingDatabase(orm), redis: () => pingRedis(redis), nats: () => pingNats(nats) },
    routes: {
      ...app.routes,
      // continues the gateway's trace (the traceparent header beside the internal token)
      '/graphql': tracedRoute(graphqlHttpHandler({ server, log, context }), {
        name: `${definition.name} /graphql`,
        continueIncoming: true,
      }),
    },
  });
  const running = await listen(http, port, config.host);
  log.info({ url: `${running.url}/graphql` }, `${definition.name} subgraph listening`);

  return {
    name: definition.name,
    url: `${running.url}/graphql`,
    port: running.port,
    deps,
    app,
    async close() {
      await running.close(config.shutdownGraceMs, config.shutdownUnreadyMs);
      await server.stop();
      for (const worker of app.background ?? []) await worker.stop();
      await closeConnections();
    },
  };
}

/**
 * A durable consumer of this subgraph's events: the JetStream handles, the stream and the subject prefix come from
 * its dependencies, and its log is a child naming the consumer unless one is given.
 */
export function runSubgraphConsumer(
  deps: Pick<SubgraphDeps, 'js' | 'jsm' | 'log'> & { config: { nats: { stream: string; subjectPrefix: string } } },
  options: Omit<DurableConsumerOptions, 'js' | 'jsm' | 'stream' | 'subjectPrefix' | 'log'> & { log?: Logger },
): Promise<{ stop(): Promise<void> }> {
  return runDurableConsumer({
    ...options,
    js: deps.js,
    jsm: deps.jsm,
    stream: deps.config.nats.stream,
    subjectPrefix: deps.config.nats.subjectPrefix,
    log: options.log ?? deps.log.child({ consumer: options.durable }),
  });
}
