import { isIP } from 'node:net';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
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
  /** /metrics, detailed /health and /ready: never on the public port; loopback unless an operator opens it. */
  admin: { port: number; host: string };
  subgraphs: Record<string, string>;
  limits: {
    maxDepth: number;
    maxAliases: number;
    maxTokens: number;
    maxCost: number;
    maxBodyBytes: number;
    maxVariablesBytes: number;
    maxListLength: number;
  };
  rateLimits: { viewerPerMinute: number; ipPerMinute: number };
  /**
   * graphql-ws caps: sockets per viewer (per gateway process), operations running per socket; how far back a
   * subscription resumed with `after:` may reach (age of that event, stored events read to replay).
   */
  ws: {
    maxSocketsPerViewer: number;
    maxOperationsPerSocket: number;
    resume: { maxAgeMs: number; maxEvents: number };
  };
  /** Browser origins allowed to call the API; development also allows any localhost origin when none is listed. */
  cors: { origins: string[]; allowLocalhost: boolean };
  /** Reverse proxies whose X-Forwarded-For is believed (addresses or CIDR ranges). */
  trustedProxies: string[];
  playground: boolean;
  introspection: boolean;
  /** The Mini App's built files (clients/mini-app/dist), served at /app; null when off. */
  miniApp: { dist: string } | null;
}

/** Where `npm run build:mini-app` writes the Mini App, from this file's place in the repository. */
const MINI_APP_DIST = fileURLToPath(new URL('../../../clients/mini-app/dist', import.meta.url));

const gateway = section(
  {
    GATEWAY_PORT: port.default(SERVICE_PORT_VARIABLES.gateway[1]),
    GATEWAY_ADMIN_PORT: port.default(4001),
    GATEWAY_ADMIN_HOST: z.string().default('127.0.0.1'),
    ...subgraphUrls.shape,
    QUERY_MAX_DEPTH: positiveInt.default(10),
    QUERY_MAX_ALIASES: positiveInt.default(15),
    QUERY_MAX_TOKENS: positiveInt.default(1000),
    QUERY_MAX_COST: positiveInt.default(5000),
    RATE_LIMIT_VIEWER_PER_MINUTE: positiveInt.default(600),
    RATE_LIMIT_IP_PER_MINUTE: positiveInt.default(1200),
    WS_MAX_SOCKETS_PER_VIEWER: positiveInt.default(10),
    WS_MAX_OPERATIONS_PER_SOCKET: positiveInt.default(100),
    WS_RESUME_MAX_AGE_SECONDS: positiveInt.default(86_400),
    WS_RESUME_MAX_EVENTS: positiveInt.default(1000),
    GRAPHQL_MAX_BODY_BYTES: positiveInt.default(1_048_576),
    GRAPHQL_MAX_VARIABLES_BYTES: positiveInt.default(65_536),
    GRAPHQL_MAX_LIST_LENGTH: positiveInt.default(100),
    CORS_ORIGINS: z.string().optional(),
    TRUSTED_PROXIES: z.string().default(''),
    PLAYGROUND_ENABLED: bool.optional(),
    INTROSPECTION_ENABLED: bool.optional(),
    MINI_APP_ENABLED: bool.default('true'),
    MINI_APP_DIST: z.string().min(1).optional(),
  },
  (e, ctx): GatewaySettings => ({
    port: e.GATEWAY_PORT,
    admin: { port: e.GATEWAY_ADMIN_PORT, host: e.GATEWAY_ADMIN_HOST },
    subgraphs: subgraphUrls.build(e, ctx),
    limits: {
      maxDepth: e.QUERY_MAX_DEPTH,
      maxAliases: e.QUERY_MAX_ALIASES,
      maxTokens: e.QUERY_MAX_TOKENS,
      maxCost: e.QUERY_MAX_COST,
      maxBodyBytes: e.GRAPHQL_MAX_BODY_BYTES,
      maxVariablesBytes: e.GRAPHQL_MAX_VARIABLES_BYTES,
      maxListLength: e.GRAPHQL_MAX_LIST_LENGTH,
    },
    rateLimits: { viewerPerMinute: e.RATE_LIMIT_VIEWER_PER_MINUTE, ipPerMinute: e.RATE_LIMIT_IP_PER_MINUTE },
    ws: {
      maxSocketsPerViewer: e.WS_MAX_SOCKETS_PER_VIEWER,
      maxOperationsPerSocket: e.WS_MAX_OPERATIONS_PER_SOCKET,
      resume: { maxAgeMs: e.WS_RESUME_MAX_AGE_SECONDS * 1000, maxEvents: e.WS_RESUME_MAX_EVENTS },
    },
    cors: {
      origins: ctx.parse<string[]>('CORS_ORIGINS', [], () => parseOrigins(e.CORS_ORIGINS ?? '')),
      allowLocalhost: e.CORS_ORIGINS === undefined && !ctx.production,
    },
    trustedProxies: ctx.parse<string[]>('TRUSTED_PROXIES', [], () => parseAddressRanges(e.TRUSTED_PROXIES)),
    playground: e.PLAYGROUND_ENABLED ?? true,
    introspection: e.INTROSPECTION_ENABLED ?? !ctx.production,
    miniApp: e.MINI_APP_ENABLED ? { dist: e.MINI_APP_DIST ?? MINI_APP_DIST } : null,
  }),
);

/** `https://app.example.com, http://localhost:5173` → exact origins; a wildcard is refused (the gateway never answers `*`). */
export function parseOrigins(text: string): string[] {
  return text
    .split(',')
    .map((o) => o.trim())
    .filter(Boolean)
    .map((origin) => {
      if (origin.includes('*')) throw new Error('list each origin: a wildcard is not allowed');
      const url = new URL(origin);
      if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.origin !== origin.replace(/\/$/, '')) {
        throw new Error(`"${origin}" is not an origin such as https://app.example.com`);
      }
      return url.origin;
    });
}

/** `10.0.0.1, 10.1.0.0/16, ::1` → the same list, each an IP address or a CIDR range. */
export function parseAddressRanges(text: string): string[] {
  return text
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean)
    .map((range) => {
      const [address, prefix, extra] = range.split('/');
      const family = isIP(address ?? '');
      const bits = family === 6 ? 128 : 32;
      const badPrefix = prefix !== undefined && !(/^\d+$/.test(prefix) && Number(prefix) <= bits);
      if (!family || extra !== undefined || badPrefix) throw new Error(`"${range}" is not an IP address or CIDR range`);
      return range;
    });
}

export const gatewayProcess = defineProcess('gateway', {
  redis,
  nats,
  gateway,
  auth: accessTokens,
  internalTokens: internalTokenSigner,
});
export type GatewayConfig = ConfigOf<typeof gatewayProcess>;
