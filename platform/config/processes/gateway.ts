import { bool, defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { nats, redis, SERVICE_PORT_VARIABLES, subgraphUrls } from '../pieces.js';
import { accessTokens, internalTokenSigner } from '../secrets.js';

/**
 * The gateway: verifies access tokens (JWT_SECRET), signs the internal context for each subgraph
 * (INTERNAL_TOKEN_PRIVATE_KEY, held by no other process), limits and rate limits, subscriptions over NATS.
 * No database, no custody keys, no bot token.
 */
export interface GatewaySettings {
  port: number;
  subgraphs: Record<string, string>;
  limits: { maxDepth: number; maxAliases: number; maxTokens: number; maxCost: number };
  rateLimits: { viewerPerMinute: number; ipPerMinute: number };
  /** graphql-ws caps: sockets per viewer (per gateway process), operations running per socket. */
  ws: { maxSocketsPerViewer: number; maxOperationsPerSocket: number };
  playground: boolean;
  introspection: boolean;
}

const gateway = section(
  {
    GATEWAY_PORT: port.default(SERVICE_PORT_VARIABLES.gateway[1]),
    ...subgraphUrls.shape,
    QUERY_MAX_DEPTH: positiveInt.default(10),
    QUERY_MAX_ALIASES: positiveInt.default(15),
    QUERY_MAX_TOKENS: positiveInt.default(1000),
    QUERY_MAX_COST: positiveInt.default(5000),
    RATE_LIMIT_VIEWER_PER_MINUTE: positiveInt.default(600),
    RATE_LIMIT_IP_PER_MINUTE: positiveInt.default(1200),
    WS_MAX_SOCKETS_PER_VIEWER: positiveInt.default(10),
    WS_MAX_OPERATIONS_PER_SOCKET: positiveInt.default(100),
    PLAYGROUND_ENABLED: bool.optional(),
    INTROSPECTION_ENABLED: bool.optional(),
  },
  (e, ctx): GatewaySettings => ({
    port: e.GATEWAY_PORT,
    subgraphs: subgraphUrls.build(e, ctx),
    limits: { maxDepth: e.QUERY_MAX_DEPTH, maxAliases: e.QUERY_MAX_ALIASES, maxTokens: e.QUERY_MAX_TOKENS, maxCost: e.QUERY_MAX_COST },
    rateLimits: { viewerPerMinute: e.RATE_LIMIT_VIEWER_PER_MINUTE, ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE },
    ws: { maxSocketsPerViewer: e.WS_MAX_SOCKETS_PER_VIEWER, maxOperationsPerSocket: e.WS_MAX_OPERATIONS_PER_SOCKET },
    playground: e.PLAYGROUND_ENABLED ?? true,
    introspection: e.INTROSPECTION_ENABLED ?? !ctx.production,
  }),
);

export const gatewayProcess = defineProcess('gateway', {
  redis,
  nats,
  gateway,
  auth: accessTokens,
  internalTokens: internalTokenSigner,
});
export type GatewayConfig = ConfigOf<typeof gatewayProcess>;

