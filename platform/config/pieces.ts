import { z } from 'zod';
import { port, positiveInt, section } from './env.js';
import { buildNatsAuth, type NatsAuth } from './nats-auth.js';

/**
 * The small shared sections processes are composed from: the engines (PostgreSQL, Redis, NATS) and the
 * ports the services listen on. Secrets live in secrets.ts; each process's own settings in processes/.
 */

export interface DatabaseConfig {
  url: string;
  poolMax: number;
}

export const database = section(
  {
    DATABASE_URL: z.string().url().default('postgres://postgres@127.0.0.1:5432/custody_dev'),
    DATABASE_POOL_MAX: positiveInt.default(10),
  },
  (e): DatabaseConfig => ({ url: e.DATABASE_URL, poolMax: e.DATABASE_POOL_MAX }),
);

export interface RedisConfig {
  url: string;
  keyPrefix: string;
}

export const redis = section(
  {
    REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
    REDIS_KEY_PREFIX: z.string().default('csg:'),
  },
  (e): RedisConfig => ({ url: e.REDIS_URL, keyPrefix: e.REDIS_KEY_PREFIX }),
);

/** subjectPrefix isolates environments sharing one NATS (tests, staging); empty in production. */
export interface NatsConfig {
  url: string;
  stream: string;
  subjectPrefix: string;
  /** How this process proves who it is to nats-server (platform/bus/permissions.ts says what each user may do). */
  auth: NatsAuth;
  /** Port of the authorized nats-server `npm start` runs when NATS_URL is not set (development). */
  devServerPort: number;
}

export const nats = section(
  {
    NATS_URL: z.string().default('nats://127.0.0.1:4222'),
    NATS_STREAM: z
      .string()
      .regex(/^[A-Za-z0-9_-]+$/)
      .default('EVENTS'),
    NATS_SUBJECT_PREFIX: z
      .string()
      .regex(/^([a-z0-9_-]+\.)?$/, 'must be empty or end with a dot, e.g. "staging."')
      .default(''),
    NATS_USER: z
      .string()
      .regex(/^[a-z0-9_-]+$/)
      .optional(),
    NATS_PASSWORD: z.string().min(1).optional(),
    NATS_CREDS: z.string().optional(),
    NATS_DEV_PORT: port.default(4223),
  },
  (e, ctx): NatsConfig => {
    const problems: string[] = [];
    const auth = buildNatsAuth({ ...e, NODE_ENV: ctx.env }, problems);
    for (const problem of problems) {
      const colon = problem.indexOf(': ');
      ctx.problem(problem.slice(0, colon), problem.slice(colon + 2));
    }
    return {
      url: e.NATS_URL,
      stream: e.NATS_STREAM,
      subjectPrefix: e.NATS_SUBJECT_PREFIX,
      auth,
      devServerPort: e.NATS_DEV_PORT,
    };
  },
);

/** Each service's own port variable, with its default. */
export const SERVICE_PORT_VARIABLES = {
  gateway: ['GATEWAY_PORT', 4000],
  identity: ['IDENTITY_PORT', 4101],
  wallet: ['WALLET_PORT', 4102],
  market: ['MARKET_PORT', 4103],
  ledger: ['LEDGER_PORT', 4104],
  kyc: ['KYC_PORT', 4105],
  support: ['SUPPORT_PORT', 4108],
  payment: ['PAYMENT_PORT', 4106],
  voucher: ['VOUCHER_PORT', 4107],
} as const;

export const SUBGRAPH_NAMES = [
  'identity',
  'wallet',
  'market',
  'ledger',
  'kyc',
  'support',
  'payment',
  'voucher',
] as const;
export type SubgraphName = (typeof SUBGRAPH_NAMES)[number];

/** The port one service listens on (PORT overrides it at run time). */
export function servicePort<N extends keyof typeof SERVICE_PORT_VARIABLES>(name: N) {
  const [variable, fallback] = SERVICE_PORT_VARIABLES[name] as readonly [(typeof SERVICE_PORT_VARIABLES)[N][0], number];
  const shape = { [variable]: port.default(fallback) } as {
    [K in (typeof SERVICE_PORT_VARIABLES)[N][0]]: z.ZodDefault<typeof port>;
  };
  return section(shape, (e) => (e as Record<string, number>)[variable]!);
}

/** Where each subgraph is reached: HOST and its port, or SUBGRAPH_URLS / IDENTITY_URL. */
export const subgraphUrls = section(
  {
    IDENTITY_PORT: port.default(SERVICE_PORT_VARIABLES.identity[1]),
    WALLET_PORT: port.default(SERVICE_PORT_VARIABLES.wallet[1]),
    MARKET_PORT: port.default(SERVICE_PORT_VARIABLES.market[1]),
    LEDGER_PORT: port.default(SERVICE_PORT_VARIABLES.ledger[1]),
    KYC_PORT: port.default(SERVICE_PORT_VARIABLES.kyc[1]),
    SUPPORT_PORT: port.default(SERVICE_PORT_VARIABLES.support[1]),
    PAYMENT_PORT: port.default(SERVICE_PORT_VARIABLES.payment[1]),
    VOUCHER_PORT: port.default(SERVICE_PORT_VARIABLES.voucher[1]),
    /** `name=url,…`: overrides the HOST:port default per subgraph. */
    SUBGRAPH_URLS: z.string().optional(),
    IDENTITY_URL: z.string().url().optional(),
  },
  (e, ctx): Record<string, string> =>
    ctx.parse('SUBGRAPH_URLS', {}, () => {
      const urls = parseSubgraphUrls(e.SUBGRAPH_URLS, ctx.host, {
        identity: e.IDENTITY_PORT,
        wallet: e.WALLET_PORT,
        market: e.MARKET_PORT,
        ledger: e.LEDGER_PORT,
        kyc: e.KYC_PORT,
        support: e.SUPPORT_PORT,
        payment: e.PAYMENT_PORT,
        voucher: e.VOUCHER_PORT,
      });
      if (e.IDENTITY_URL) urls.identity = e.IDENTITY_URL;
      return urls;
    }),
);

export function parseSubgraphUrls(
  text: string | undefined,
  host: string,
  ports: Record<string, number>,
): Record<string, string> {
  const urls: Record<string, string> = Object.fromEntries(
    Object.entries(ports).map(([name, p]) => [name, `http://${host}:${p}/graphql`]),
  );
  if (!text) return urls;
  for (const pair of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`"${pair}" is not name=url`);
    const url = pair.slice(eq + 1);
    new URL(url);
    urls[pair.slice(0, eq)] = url;
  }
  return urls;
}
