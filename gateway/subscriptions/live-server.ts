import type { IncomingMessage, Server } from 'node:http';
import type { DocumentNode, ExecutionResult, GraphQLSchema } from 'graphql';
import type { WebSocket } from 'ws';
import { ANONYMOUS, type Viewer } from '../../platform/auth/viewer.js';
import type { Metrics } from '../../platform/http/metrics.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { Redis } from '../../platform/redis.js';
import type { GatewayContext } from '../context.js';
import { guardOperation, type GuardOptions } from '../guard-plugin.js';
import { DocumentCache } from './documents.js';
import type { EventHub } from './event-hub.js';
import type { EventLog } from './event-log.js';
import { FanOutFields } from './fan-out-fields.js';
import type { LiveField } from './live-fields.js';
import { liveMetrics } from './live-metrics.js';
import { OperationRunner } from './operations.js';
import { listenForRevocations } from './revocations.js';
import { SocketAuth, type LiveConnection, type SocketState } from './socket-auth.js';
import { acceptUpgrades } from './upgrade.js';
import { serveGraphQLWs } from './ws-protocol.js';

export { CLOSE_FORBIDDEN, CLOSE_TOKEN_EXPIRED, CLOSE_TOO_MANY_SOCKETS } from './socket-auth.js';
/** The socket did not read what it was sent (more unsent bytes than the limit). */
export const CLOSE_SLOW_CONSUMER = 4408;

export interface LiveServerOptions {
  httpServer: Server;
  path: string;
  log: Logger;
  hub: EventHub;
  /** The stored events that subscriptions resumed with `after:` replay (the events stream); none: no resuming. */
  events?: EventLog;
  fields: LiveField[];
  guard: GuardOptions;
  schema(): GraphQLSchema;
  /** Runs an operation through the gateway (its plugins, planner and subgraphs). */
  execute(document: DocumentNode, variables: Record<string, unknown>, ctx: GatewayContext): Promise<ExecutionResult>;
  /**
   * The gateway's HTTP authenticator, called at `connection_init` and again before every operation with the
   * socket's credential (`Bearer <access token>` or null) and the client's address.
   */
  authenticate(credential: string | null, ip: string): Promise<{ viewer: Viewer; expiresAt: Date | null }>;
  /** Parser token limit, the same as HTTP's (`QUERY_MAX_TOKENS`). */
  maxTokens: number;
  /** Sockets one viewer may hold open on this process. Default 10. */
  maxSocketsPerViewer?: number;
  /** Operations one socket may have running at once (subscriptions, and queries in flight). Default 100. */
  maxOperationsPerSocket?: number;
  /** Unsent bytes a socket may hold before it is closed as a slow consumer. Default 128 KiB. */
  maxBufferedBytesPerSocket?: number;
  /** graphql-ws keep-alive ping interval. Default 12 s. */
  keepAliveMs?: number;
  /** Adds live_* counters and gauges to the process metrics. */
  metrics?: Metrics;
  /** Where the identity subgraph announces revocations (sign-out, access reduced): closes those sockets. */
  revocations?: { redis: Redis; keyPrefix: string };
  /**
   * Whether a browser page may open a socket (the same origin rules as HTTP's CORS): a cross-site page cannot
   * ride a user's network position into the API. Upgrades without an Origin (servers, the bot) always may.
   */
  originAllowed?: (origin: string, host: string | undefined) => boolean;
  /** The client's address behind trusted proxies (X-Forwarded-For only from TRUSTED_PROXIES), as on HTTP. */
  clientIp?: (request: IncomingMessage) => string;
}

/**
 * graphql-ws (protocol graphql-transport-ws) on the gateway's port and path, assembled from parts with one
 * job each: `acceptUpgrades` (routing of HTTP upgrades), `SocketAuth` (who may hold a socket and run each
 * operation, caps per viewer, revocation and expiry), `OperationRunner` (checks and runs each operation),
 * `FanOutFields` (public live fields served by topic) and `DocumentCache` (parsed documents, LRU-bounded).
 */
export async function startLiveServer(
  options: LiveServerOptions,
): Promise<{ close(): Promise<void>; sockets(): number }> {
  const { log } = options;
  const metrics = liveMetrics(options.metrics);
  const maxBufferedBytes = options.maxBufferedBytesPerSocket ?? 128 * 1024;
  const wss = acceptUpgrades(options.httpServer, options.path, { originAllowed: options.originAllowed });
  const newContext = (viewer: Viewer): GatewayContext => ({ viewer, requestId: newId('req'), _shield: { cache: {} } });
  const execute = (document: DocumentNode, variables: Record<string, unknown>, viewer: Viewer) =>
    options.execute(document, variables, newContext(viewer));

  const closeSlow = (socket: WebSocket, context: { viewer?: string | null; field: string }): void => {
    metrics.slowConsumers.inc();
    log.warn({ ...context, buffered: socket.bufferedAmount }, 'slow subscriber dropped');
    socket.close(CLOSE_SLOW_CONSUMER, 'Slow consumer');
  };

  const auth = new SocketAuth({
    log,
    metrics,
    credential: credentialOf,
    authenticate: options.authenticate,
    maxSocketsPerViewer: options.maxSocketsPerViewer ?? 10,
  });
  const fanOuts = new FanOutFields({
    log,
    hub: options.hub,
    fields: options.fields,
    metrics,
    maxBufferedBytes,
    onSlowConsumer: (socket, field) => closeSlow(socket, { field }),
    execute,
    allowsAnonymous: async (schema, document, operation, variables) =>
      (await guardOperation(options.guard, schema, document, operation, variables, newContext(ANONYMOUS))) === null,
  });
  const runner = new OperationRunner({
    log,
    hub: options.hub,
    fields: options.fields,
    documents: new DocumentCache({ maxTokens: options.maxTokens }),
    fanOuts,
    events: options.events ?? null,
    schema: options.schema,
    authorize: (connection) => auth.authorize(connection),
    guard: (schema, document, operation, variables, viewer) =>
      guardOperation(options.guard, schema, document, operation, variables, newContext(viewer)),
    execute,
    maxOperationsPerSocket: options.maxOperationsPerSocket ?? 100,
    dropIfSlow: (connection: LiveConnection, field: string) => {
      if (connection.socket.bufferedAmount <= maxBufferedBytes) return false;
      closeSlow(connection.socket, { viewer: connection.state?.viewer.userId, field });
      return true;
    },
  });

  const revocations = options.revocations
    ? await listenForRevocations(options.revocations.redis, options.revocations.keyPrefix, log, (r) => auth.revoked(r))
    : null;
  const server = serveGraphQLWs<SocketState>(
    wss,
    {
      connect: (connection, params) => auth.connect(connection, params),
      subscribe: (connection, id, payload) => runner.start(connection, id, payload),
      closed: (connection) => auth.closed(connection),
      // in-band token refresh: `ping` with `{ accessToken }` (README); any other ping payload is echoed
      ping: (connection, payload) =>
        'accessToken' in payload || 'authorization' in payload
          ? auth.refresh(connection, payload)
          : Promise.resolve(payload),
    },
    { log, keepAliveMs: options.keepAliveMs, clientIp: options.clientIp },
  );
  metrics.sockets?.setCollector(() => server.connections());
  auth.start();
  return {
    sockets: () => server.connections(),
    async close() {
      auth.stop();
      revocations?.close();
      await server.close();
    },
  };
}

/** The access token of `connection_init`'s params: `authorization: "Bearer …"` (either case) or `accessToken`. */
function credentialOf(params: Record<string, unknown> | undefined): string | null {
  const raw =
    params?.authorization ??
    params?.Authorization ??
    (typeof params?.accessToken === 'string' ? `Bearer ${params.accessToken}` : undefined);
  return typeof raw === 'string' ? raw : null;
}
