import { readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { ApolloGateway } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginLandingPageDisabled } from '@apollo/server/plugin/disabled';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import { AccessTokens, InternalTokenSigner, REQUEST_ID_HEADER } from '../platform/auth/tokens.js';
import { connectNats, pingNats, type NatsConnection } from '../platform/bus/nats.js';
import type { GatewayConfig } from '../platform/config/config.js';
import { createErrorFormatter } from '../platform/errors.js';
import { graphqlHttpHandler } from '../platform/graphql/http-handler.js';
import { Metrics } from '../platform/http/metrics.js';
import { Readiness } from '../platform/http/readiness.js';
import { createHttpServer, listen } from '../platform/http/server.js';
import { newId } from '../platform/ids.js';
import type { Logger } from '../platform/logger.js';
import { createRedis, pingRedis } from '../platform/redis.js';
import { tracedRoute } from '../platform/telemetry/http.js';
import { Authenticator } from './auth/authenticate.js';
import type { GatewayContext } from './context.js';
import { originAllowed, withCors } from './cors.js';
import { InternalContextDataSource } from './data-source.js';
import { createSubgraphFetcher } from './subgraph-fetcher.js';
import { serviceUnavailableStatusPlugin } from './service-unavailable.js';
import { guardPlugin, type GuardOptions } from './guard-plugin.js';
import { clientIpResolver } from './limits/client-ip.js';
import { RateLimiter } from './limits/rate-limit.js';
import { fallbackRule, permissions } from './permissions/permissions.js';
import { miniAppHandler } from './mini-app/mini-app.js';
import { playgroundHandler } from './playground/playground.js';
import { EventHub } from './subscriptions/event-hub.js';
import { JetStreamEventLog } from './subscriptions/event-log.js';
import { liveFields } from './subscriptions/live-fields.js';
import { startLiveServer } from './subscriptions/live-server.js';
import { bindInputScalars } from './scalars.js';
import { buildSubscriptionSchema } from './subscriptions/subscription-schema.js';

export const SUPERGRAPH_PATH = new URL('../supergraph.graphql', import.meta.url);

export interface RunningGateway {
  url: string;
  port: number;
  /** The admin port's base URL: /metrics, detailed /health, /ready, /live. */
  adminUrl: string;
  close(): Promise<void>;
  sockets(): number;
}

export interface GatewayOptions {
  /** The gateway's own configuration (platform/config/processes/gateway.ts). */
  config: GatewayConfig;
  log: Logger;
  port: number;
  /** Default GATEWAY_ADMIN_PORT; 0 = ephemeral (tests). */
  adminPort?: number;
  supergraphSdl?: string;
}

/**
 * Builds and starts the gateway: HTTP GraphQL, graphql-ws subscriptions and the playground on the public port
 * (plus a bare `/health` for load balancers); metrics, detailed health and readiness on the admin port.
 */
export async function startGateway({
  config,
  log,
  port,
  adminPort = config.gateway.admin.port,
  supergraphSdl,
}: GatewayOptions): Promise<RunningGateway> {
  // Only the gateway holds the private key; each subgraph gets tokens with its own name as the audience.
  const internalTokens = new InternalTokenSigner(config.internalTokens.privateKey, config.internalTokens.ttlSeconds);
  const subgraphFetcher = createSubgraphFetcher();
  const gateway = new ApolloGateway({
    supergraphSdl: supergraphSdl ?? readFileSync(SUPERGRAPH_PATH, 'utf8'),
    buildService: ({ name, url }) => {
      const target = config.gateway.subgraphs[name] ?? url;
      if (!target) throw new Error(`no URL for subgraph ${name}: set SUBGRAPH_URLS`);
      return new InternalContextDataSource(name, target, internalTokens, subgraphFetcher.fetcher, log);
    },
    logger: log.child({ component: 'apollo-gateway' }),
  });
  const guard: GuardOptions = {
    limits: config.gateway.limits,
    input: {
      maxVariablesBytes: config.gateway.limits.maxVariablesBytes,
      maxListLength: config.gateway.limits.maxListLength,
    },
    permissions,
    fallbackRule,
    introspectionForAll: config.gateway.introspection,
  };
  const apollo = new ApolloServer<GatewayContext>({
    gateway,
    csrfPrevention: true,
    introspection: true, // access is decided per viewer by the guard plugin
    includeStacktraceInErrorResponses: false,
    parseOptions: { maxTokens: config.gateway.limits.maxTokens },
    plugins: [ApolloServerPluginLandingPageDisabled(), guardPlugin(guard), serviceUnavailableStatusPlugin()],
    formatError: createErrorFormatter((err, requestId) => log.error({ err, requestId }, 'unexpected gateway error')),
  });
  let apiSchema: GraphQLSchema | null = null;
  let subscriptionSchema: GraphQLSchema | null = null;
  gateway.onSchemaLoadOrUpdate(({ apiSchema: schema }) => {
    bindInputScalars(schema);
    apiSchema = schema;
    subscriptionSchema = buildSubscriptionSchema(schema, liveFields);
  });
  await apollo.start();

  const redis = createRedis(config.redis.url, log);
  const nats: NatsConnection = await connectNats(config.nats, 'gateway', log);
  const limiter = new RateLimiter({ redis, prefix: config.redis.keyPrefix, ...config.gateway.rateLimits });
  const authenticator = new Authenticator(
    new AccessTokens(config.auth.jwtSecret, config.auth.accessTokenTtlSeconds),
    limiter,
    config.redis.keyPrefix,
  );
  const metrics = new Metrics('gateway');
  const clientIp = clientIpResolver(config.gateway.trustedProxies);

  const context = async (req: IncomingMessage): Promise<GatewayContext> => {
    const header = req.headers.authorization;
    const { viewer } = await authenticator.authenticate(Array.isArray(header) ? header[0] : header, clientIp(req));
    const given = req.headers[REQUEST_ID_HEADER];
    const requestId = typeof given === 'string' && /^[\w-]{1,64}$/.test(given) ? given : newId('req');
    return { viewer, requestId, _shield: { cache: {} } };
  };

  const routes: Parameters<typeof createHttpServer>[0]['routes'] = {
    // Each request starts a trace; the subgraph calls it makes continue it (data-source.ts).
    '/graphql': tracedRoute(
      withCors(
        config.gateway.cors,
        graphqlHttpHandler({ server: apollo, log, context, maxBodyBytes: config.gateway.limits.maxBodyBytes }),
      ),
      { name: 'gateway /graphql', continueIncoming: false },
    ),
  };
  if (config.gateway.playground) routes['/playground'] = playgroundHandler();
  if (config.gateway.miniApp) {
    const miniApp = miniAppHandler(config.gateway.miniApp.dist);
    routes['/app'] = miniApp;
    routes['/app/*'] = miniApp;
  }
  const health = {
    supergraph: async () => {
      if (!apiSchema) throw new Error('supergraph not loaded');
    },
    redis: () => pingRedis(redis),
    nats: () => pingNats(nats),
  };
  const readiness = new Readiness();
  // The public port answers clients and load balancers only: what the process runs on is nobody else's business.
  const http = createHttpServer({ service: 'gateway', log, metrics, health, routes, exposure: 'public', readiness });
  const admin = createHttpServer({ service: 'gateway', log, metrics, health, routes: {}, readiness });

  const hub = new EventHub(nats, log, config.nats.subjectPrefix);
  let jsm: ReturnType<NatsConnection['jetstreamManager']> | null = null;
  const events = new JetStreamEventLog({
    // created on the first resume (and again after a failure), not at start-up
    jsm: () => (jsm ??= nats.jetstreamManager().catch((err: unknown) => ((jsm = null), Promise.reject(err)))),
    stream: config.nats.stream,
    subjectPrefix: config.nats.subjectPrefix,
    window: config.gateway.ws.resume,
  });
  const execute = async (
    document: DocumentNode,
    variables: Record<string, unknown>,
    ctx: GatewayContext,
  ): Promise<ExecutionResult> => {
    const response = await apollo.executeOperation({ query: document, variables }, { contextValue: ctx });
    if (response.body.kind !== 'single') throw new Error('incremental delivery is not supported on subscriptions');
    return response.body.singleResult as ExecutionResult;
  };
  const live = await startLiveServer({
    httpServer: http,
    path: '/graphql',
    log,
    hub,
    events,
    fields: liveFields,
    guard,
    metrics,
    schema: () => {
      if (!subscriptionSchema) throw new Error('supergraph not loaded');
      return subscriptionSchema;
    },
    execute,
    authenticate: (credential, ip) => authenticator.authenticate(credential, ip),
    maxTokens: config.gateway.limits.maxTokens,
    maxSocketsPerViewer: config.gateway.ws.maxSocketsPerViewer,
    maxOperationsPerSocket: config.gateway.ws.maxOperationsPerSocket,
    revocations: { redis, keyPrefix: config.redis.keyPrefix },
    originAllowed: (origin, host) => originAllowed(config.gateway.cors, origin, host),
    clientIp,
  });

  const running = await listen(http, port, config.host);
  const adminRunning = await listen(admin, adminPort, config.gateway.admin.host);
  log.info(
    {
      graphql: `${running.url}/graphql`,
      playground: config.gateway.playground ? `${running.url}/playground` : null,
      metrics: `${adminRunning.url}/metrics`,
      miniApp: config.gateway.miniApp ? `${running.url}/app` : null,
    },
    'gateway listening',
  );
  return {
    url: running.url,
    port: running.port,
    adminUrl: adminRunning.url,
    sockets: live.sockets,
    async close() {
      readiness.markDraining(); // before the sockets close: a load balancer stops sending new clients first
      if (config.shutdownUnreadyMs > 0) await new Promise((resolve) => setTimeout(resolve, config.shutdownUnreadyMs));
      await live.close();
      await running.close(config.shutdownGraceMs);
      await adminRunning.close(config.shutdownGraceMs);
      hub.close();
      await apollo.stop();
      await nats.drain().catch(() => undefined);
      redis.disconnect();
      subgraphFetcher.close();
    },
  };
}
