import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { z } from 'zod';
import { INTERNAL_TOKEN_MAX_TTL_SECONDS } from '../auth/tokens.js';
import { positiveInt, section, type ConfigContext } from './env.js';
import { parseMasterKeys, type MasterKeySet } from './master-keys.js';

/**
 * The secrets, one section each, so a process lists exactly the ones it uses:
 * - JWT_SECRET: identity signs access tokens, the gateway verifies them (accessTokens);
 * - INTERNAL_TOKEN_PRIVATE_KEY: the gateway signs the internal context (internalTokenSigner);
 * - INTERNAL_TOKEN_PUBLIC_KEY: every subgraph verifies it (internalTokenVerifier);
 * - TELEGRAM_BOT_TOKEN: identity verifies Mini App initData (telegram); the notifier sends with it (notifierBot);
 * - WALLET_MASTER_KEYS: the wallet subgraph and its commands unwrap custody roots (masterKeys);
 * - KYC_DATA_KEYS, KYC_BLIND_INDEX_KEY: the kyc subgraph seals personal data and indexes national IDs (kycDataKeys).
 * Outside production each falls back to a dev-only value (logged loudly); production requires a real one
 * and refuses the dev-only value.
 */

/** Dev-only values: public in this repository, they protect nothing but development and test data. */
export const DEV_SECRETS = {
  JWT_SECRET: 'dev-only-jwt-secret-change-me-0123456789abcdef',
  TELEGRAM_BOT_TOKEN: '1000000001:DEV-only-bot-token-change-me',
  BOT_SERVICE_CREDENTIAL: 'bsc_dev-only-telegram-bot-service-credential-change-me',
  WALLET_MASTER_KEYS: 'dev-only:4wK7FSHKJxxO6wz9mNx30umgiiC/4Bnfm2IYxQz3E70=',
  KYC_DATA_KEYS: 'dev-only:ZqQ0a3Y1fW2TgHbS8cN4dE7rJ6kL9mP0oQ1sU2vX3yA=',
  KYC_BLIND_INDEX_KEY: 'c2V2ZW4gZGV2LW9ubHkga3ljIGluZGV4IGtleSAwMDE=',
  PAYMENT_DATA_KEYS: 'dev-only:cGF5bWVudCBkZXYtb25seSBkYXRhIGtleSAwMDAwMDE=',
  PAYMENT_CARD_INDEX_KEY: 'cGF5bWVudCBkZXYtb25seSBjYXJkIGluZGV4IGtleTE=',
  INTERNAL_TOKEN_PRIVATE_KEY:
    '-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEIMFa1IQElT0MgpbnXxyO10YUggZL9lqmvs41m4i2HRoQ\n-----END PRIVATE KEY-----\n',
  INTERNAL_TOKEN_PUBLIC_KEY:
    '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA2gIhURwVunqu58sguPuyBZSMxO1iW091BVARBG8nC5E=\n-----END PUBLIC KEY-----\n',
} as const;
export type DevSecretName = keyof typeof DEV_SECRETS;

export { INTERNAL_TOKEN_MAX_TTL_SECONDS };

const TELEGRAM_PRODUCTION_PUBLIC_KEY = 'e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d';

/** The configured value; outside production the dev-only default; in production a problem when missing. */
function secretOrDevDefault(ctx: ConfigContext, name: DevSecretName, value: string | undefined): string | null {
  if (value) return value;
  if (ctx.production) {
    ctx.problem(name, 'required in production (no dev default is used there)');
    return null;
  }
  ctx.usedDevDefault(name);
  return DEV_SECRETS[name];
}

function refuseDevValueInProduction(
  ctx: ConfigContext,
  name: DevSecretName,
  isDevValue: boolean,
  what = 'default',
): void {
  if (ctx.production && isDevValue) ctx.problem(name, `the dev-only ${what} is refused in production`);
}

const secretText = z.string().min(32, 'must be at least 32 characters');

export interface AccessTokenConfig {
  jwtSecret: string;
  accessTokenTtlSeconds: number;
}

/** Access tokens (HS256 JWT): identity signs them, the gateway verifies them. */
export const accessTokens = section(
  {
    JWT_SECRET: secretText.optional(),
    ACCESS_TOKEN_TTL_SECONDS: positiveInt.default(900),
  },
  (e, ctx): AccessTokenConfig => {
    refuseDevValueInProduction(ctx, 'JWT_SECRET', e.JWT_SECRET === DEV_SECRETS.JWT_SECRET);
    return {
      jwtSecret: secretOrDevDefault(ctx, 'JWT_SECRET', e.JWT_SECRET) ?? ctx.invalid<string>(),
      accessTokenTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS,
    };
  },
);

const KEY_HELP = 'generate a pair with: npm run -s keys:internal-token';

/** An Ed25519 key from PKCS8/SPKI PEM (literal \n accepted, for one-line variables) or a JWK. */
export function parseEd25519Key(text: string, kind: 'private' | 'public'): KeyObject {
  const trimmed = text.trim();
  let key: KeyObject;
  if (trimmed.startsWith('{')) {
    let jwk: Record<string, unknown>;
    try {
      jwk = JSON.parse(trimmed) as Record<string, unknown>;
    } catch {
      throw new Error(`not a PEM key or a JSON Web Key; ${KEY_HELP}`);
    }
    if (kind === 'public' && 'd' in jwk) throw new Error('this is a private key: subgraphs hold only the public key');
    try {
      key =
        kind === 'private'
          ? createPrivateKey({ key: jwk as never, format: 'jwk' })
          : createPublicKey({ key: jwk as never, format: 'jwk' });
    } catch {
      throw new Error(`not a valid JSON Web Key; ${KEY_HELP}`);
    }
  } else {
    const pem = trimmed.replace(/\\n/g, '\n');
    if (kind === 'public' && /PRIVATE KEY-----/.test(pem))
      throw new Error('this is a private key: subgraphs hold only the public key');
    const label = kind === 'private' ? 'PRIVATE KEY' : 'PUBLIC KEY';
    if (!pem.includes(`-----BEGIN ${label}-----`))
      throw new Error(
        `expected a PEM "${label}" (${kind === 'private' ? 'PKCS8' : 'SPKI'}) or a JSON Web Key; ${KEY_HELP}`,
      );
    try {
      key = kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem);
    } catch {
      throw new Error(`not a valid PEM key; ${KEY_HELP}`);
    }
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new Error(`must be an Ed25519 key, not ${key.asymmetricKeyType ?? 'unknown'}; ${KEY_HELP}`);
  return key;
}

/** A fresh Ed25519 pair as the two variables' values: PEM on one line (\n escaped), for .env files and compose. */
export function generateInternalTokenKeys(): { INTERNAL_TOKEN_PRIVATE_KEY: string; INTERNAL_TOKEN_PUBLIC_KEY: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  const oneLine = (pem: string | Buffer) => pem.toString().trim().replace(/\n/g, '\\n');
  return {
    INTERNAL_TOKEN_PRIVATE_KEY: oneLine(privateKey.export({ format: 'pem', type: 'pkcs8' })),
    INTERNAL_TOKEN_PUBLIC_KEY: oneLine(publicKey.export({ format: 'pem', type: 'spki' })),
  };
}

/** The Ed25519 public key's bytes, to compare keys. */
function publicBytes(key: KeyObject): string {
  const pub = key.type === 'private' ? createPublicKey(key) : key;
  return String(pub.export({ format: 'jwk' }).x);
}

const DEV_PUBLIC_KEY_X = publicBytes(parseEd25519Key(DEV_SECRETS.INTERNAL_TOKEN_PUBLIC_KEY, 'public'));

export interface InternalTokenSignerConfig {
  /** Ed25519 private key; only the gateway has it. */
  privateKey: KeyObject;
  ttlSeconds: number;
}

/** The gateway's key for the internal context it sends each subgraph. */
export const internalTokenSigner = section(
  {
    INTERNAL_TOKEN_PRIVATE_KEY: z.string().optional(),
    INTERNAL_TOKEN_TTL_SECONDS: positiveInt
      .max(INTERNAL_TOKEN_MAX_TTL_SECONDS, `must be at most ${INTERNAL_TOKEN_MAX_TTL_SECONDS}`)
      .default(INTERNAL_TOKEN_MAX_TTL_SECONDS),
  },
  (e, ctx): InternalTokenSignerConfig => {
    const text = secretOrDevDefault(ctx, 'INTERNAL_TOKEN_PRIVATE_KEY', e.INTERNAL_TOKEN_PRIVATE_KEY);
    if (text === null) return ctx.invalid();
    const privateKey = ctx.parse<KeyObject | null>('INTERNAL_TOKEN_PRIVATE_KEY', null, () =>
      parseEd25519Key(text, 'private'),
    );
    if (!privateKey) return ctx.invalid();
    refuseDevValueInProduction(
      ctx,
      'INTERNAL_TOKEN_PRIVATE_KEY',
      publicBytes(privateKey) === DEV_PUBLIC_KEY_X,
      'key pair',
    );
    return { privateKey, ttlSeconds: e.INTERNAL_TOKEN_TTL_SECONDS };
  },
);

export interface InternalTokenVerifierConfig {
  /** The gateway's Ed25519 public key. */
  publicKey: KeyObject;
}

/** Every subgraph: the public key the gateway's internal context must verify under. */
export const internalTokenVerifier = section(
  {
    INTERNAL_TOKEN_PUBLIC_KEY: z.string().optional(),
  },
  (e, ctx): InternalTokenVerifierConfig => {
    const text = secretOrDevDefault(ctx, 'INTERNAL_TOKEN_PUBLIC_KEY', e.INTERNAL_TOKEN_PUBLIC_KEY);
    if (text === null) return ctx.invalid();
    const publicKey = ctx.parse<KeyObject | null>('INTERNAL_TOKEN_PUBLIC_KEY', null, () =>
      parseEd25519Key(text, 'public'),
    );
    if (!publicKey) return ctx.invalid();
    refuseDevValueInProduction(
      ctx,
      'INTERNAL_TOKEN_PUBLIC_KEY',
      publicBytes(publicKey) === DEV_PUBLIC_KEY_X,
      'key pair',
    );
    return { publicKey };
  },
);

export interface TelegramConfig {
  botToken: string;
  botId: string | null;
  publicKeyHex: string;
  authMaxAgeSeconds: number;
}

/** Telegram Mini App initData: the bot token (HMAC form) and Telegram's public key (Ed25519 form). */
export const telegram = section(
  {
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like <bot id>:<secret>')
      .optional(),
    TELEGRAM_BOT_ID: z.string().regex(/^\d+$/).optional(),
    TELEGRAM_PUBLIC_KEY: z
      .string()
      .regex(/^[0-9a-f]{64}$/i)
      .default(TELEGRAM_PRODUCTION_PUBLIC_KEY),
    TELEGRAM_AUTH_MAX_AGE_SECONDS: positiveInt.default(3600),
  },
  (e, ctx): TelegramConfig => {
    refuseDevValueInProduction(ctx, 'TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN === DEV_SECRETS.TELEGRAM_BOT_TOKEN);
    return {
      botToken: secretOrDevDefault(ctx, 'TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN) ?? ctx.invalid<string>(),
      botId: e.TELEGRAM_BOT_ID ?? null,
      publicKeyHex: e.TELEGRAM_PUBLIC_KEY.toLowerCase(),
      authMaxAgeSeconds: e.TELEGRAM_AUTH_MAX_AGE_SECONDS,
    };
  },
);

/** The bot that sends users their notifications (the notifier): the same bot as the Mini App's. */
export const notifierBot = section(
  {
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like <bot id>:<secret>')
      .optional(),
  },
  (e, ctx): { botToken: string } => {
    refuseDevValueInProduction(ctx, 'TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN === DEV_SECRETS.TELEGRAM_BOT_TOKEN);
    return { botToken: secretOrDevDefault(ctx, 'TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN) ?? ctx.invalid<string>() };
  },
);

/** Envelope master keys `id:base64(32 bytes)[,id2:…]`; WALLET_MASTER_KEY_ID names the current one (default: the last). */
export const masterKeys = section(
  {
    WALLET_MASTER_KEYS: z.string().optional(),
    WALLET_MASTER_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)')
      .optional(),
  },
  (e, ctx): MasterKeySet => {
    const text = secretOrDevDefault(ctx, 'WALLET_MASTER_KEYS', e.WALLET_MASTER_KEYS);
    if (text === null) return ctx.invalid();
    return ctx.parse('WALLET_MASTER_KEYS', ctx.invalid<MasterKeySet>(), () => {
      const keys = parseMasterKeys(text, e.WALLET_MASTER_KEY_ID);
      const devKey = parseMasterKeys(DEV_SECRETS.WALLET_MASTER_KEYS, undefined).entries()[0]!.key;
      try {
        refuseDevValueInProduction(ctx, 'WALLET_MASTER_KEYS', keys.containsKey(devKey), 'key');
      } finally {
        devKey.fill(0);
      }
      return keys;
    });
  },
);

/** The kyc subgraph's keys: AES-256-GCM data keys for personal data, and the national ID's blind-index key. */
export interface KycDataKeys {
  keys: MasterKeySet;
  /** A copy of the HMAC key of the national ID's blind index (32 bytes). */
  blindIndexKey(): Uint8Array;
}

const BASE64_32_BYTES = /^[A-Za-z0-9+/]{43}=$/u;

/**
 * `KYC_DATA_KEYS` `id:base64(32 bytes)[,id2:…]` (KYC_DATA_KEY_ID names the current one, default the last) and
 * `KYC_BLIND_INDEX_KEY` base64(32 bytes), a separate key. Only the kyc process holds them.
 */
export const kycDataKeys = section(
  {
    KYC_DATA_KEYS: z.string().optional(),
    KYC_DATA_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)')
      .optional(),
    KYC_BLIND_INDEX_KEY: z
      .string()
      .regex(BASE64_32_BYTES, 'must be 32 bytes in standard base64 (openssl rand -base64 32)')
      .optional(),
  },
  (e, ctx): KycDataKeys => {
    const text = secretOrDevDefault(ctx, 'KYC_DATA_KEYS', e.KYC_DATA_KEYS);
    const indexText = secretOrDevDefault(ctx, 'KYC_BLIND_INDEX_KEY', e.KYC_BLIND_INDEX_KEY);
    refuseDevValueInProduction(ctx, 'KYC_BLIND_INDEX_KEY', indexText === DEV_SECRETS.KYC_BLIND_INDEX_KEY, 'key');
    if (text === null || indexText === null) return ctx.invalid();
    const keys: MasterKeySet | undefined = ctx.parse('KYC_DATA_KEYS', ctx.invalid<MasterKeySet>(), () => {
      const parsed = parseMasterKeys(text, e.KYC_DATA_KEY_ID, 'KYC_DATA_KEY_ID');
      const devKey = parseMasterKeys(DEV_SECRETS.KYC_DATA_KEYS, undefined).entries()[0]!.key;
      try {
        refuseDevValueInProduction(ctx, 'KYC_DATA_KEYS', parsed.containsKey(devKey), 'key');
      } finally {
        devKey.fill(0);
      }
      return parsed;
    });
    const indexKey = Uint8Array.from(Buffer.from(indexText, 'base64'));
    if (keys?.containsKey(indexKey)) ctx.problem('KYC_BLIND_INDEX_KEY', 'must differ from every KYC_DATA_KEYS key');
    return keys ? { keys, blindIndexKey: () => Uint8Array.from(indexKey) } : ctx.invalid();
  },
);

export interface PaymentDataKeys {
  keys: MasterKeySet;
  /** A copy of the HMAC key of the card-number lookup index (32 bytes). */
  cardIndexKey(): Uint8Array;
}

/**
 * `PAYMENT_DATA_KEYS` `id:base64(32 bytes)[,…]` (PAYMENT_DATA_KEY_ID names the current one, default the last): the
 * payment subgraph seals the KYC holder names and bank-account owner names it keeps. `PAYMENT_CARD_INDEX_KEY`
 * base64(32 bytes), another key: HMAC-SHA256 of card numbers, so a card is found without storing its number.
 */
export const paymentDataKeys = section(
  {
    PAYMENT_DATA_KEYS: z.string().optional(),
    PAYMENT_DATA_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)')
      .optional(),
    PAYMENT_CARD_INDEX_KEY: z
      .string()
      .regex(BASE64_32_BYTES, 'must be 32 bytes in standard base64 (openssl rand -base64 32)')
      .optional(),
  },
  (e, ctx): PaymentDataKeys => {
    const text = secretOrDevDefault(ctx, 'PAYMENT_DATA_KEYS', e.PAYMENT_DATA_KEYS);
    const indexText = secretOrDevDefault(ctx, 'PAYMENT_CARD_INDEX_KEY', e.PAYMENT_CARD_INDEX_KEY);
    refuseDevValueInProduction(ctx, 'PAYMENT_CARD_INDEX_KEY', indexText === DEV_SECRETS.PAYMENT_CARD_INDEX_KEY, 'key');
    if (text === null || indexText === null) return ctx.invalid();
    const keys: MasterKeySet | undefined = ctx.parse('PAYMENT_DATA_KEYS', ctx.invalid<MasterKeySet>(), () => {
      const parsed = parseMasterKeys(text, e.PAYMENT_DATA_KEY_ID, 'PAYMENT_DATA_KEY_ID');
      const devKey = parseMasterKeys(DEV_SECRETS.PAYMENT_DATA_KEYS, undefined).entries()[0]!.key;
      try {
        refuseDevValueInProduction(ctx, 'PAYMENT_DATA_KEYS', parsed.containsKey(devKey), 'key');
      } finally {
        devKey.fill(0);
      }
      return parsed;
    });
    const indexKey = Uint8Array.from(Buffer.from(indexText, 'base64'));
    if (keys?.containsKey(indexKey))
      ctx.problem('PAYMENT_CARD_INDEX_KEY', 'must differ from every PAYMENT_DATA_KEYS key');
    return keys ? { keys, cardIndexKey: () => Uint8Array.from(indexKey) } : ctx.invalid();
  },
);

/** The bot's service credential as identity keeps it: sha256 hex, never the credential itself. */
export function serviceCredentialHash(credential: string): string {
  return createHash('sha256').update(credential).digest('hex');
}

const SERVICE_CREDENTIAL = z
  .string()
  .regex(
    /^bsc_[A-Za-z0-9_-]{40,}$/,
    'must look like bsc_<at least 40 characters>; generate one: npm run -s bot:credential',
  );

export interface BotDelegationConfig {
  /** sha256 hex of the Telegram bot's service credential, the only caller of signInAsTelegramUser. */
  credentialSha256: string;
  /** Lifetime of a bot-scoped user token (never refreshable). */
  tokenTtlSeconds: number;
}

/**
 * Identity's side of the bot's delegation (subgraphs/identity/delegation): the hash of the bot's service credential
 * (BOT_SERVICE_CREDENTIAL_SHA256; outside production the dev credential's hash) and the bot token's lifetime.
 * Null in production when no hash is configured: then signInAsTelegramUser refuses every caller.
 */
export const botDelegation = section(
  {
    BOT_SERVICE_CREDENTIAL_SHA256: z
      .string()
      .regex(/^[0-9a-f]{64}$/i, 'must be sha256 hex (npm run -s bot:credential prints it)')
      .optional(),
    BOT_TOKEN_TTL_SECONDS: positiveInt.max(900, 'must be at most 900 (15 minutes)').default(300),
  },
  (e, ctx): BotDelegationConfig | null => {
    const devHash = serviceCredentialHash(DEV_SECRETS.BOT_SERVICE_CREDENTIAL);
    const given = e.BOT_SERVICE_CREDENTIAL_SHA256?.toLowerCase();
    if (ctx.production && given === devHash)
      ctx.problem('BOT_SERVICE_CREDENTIAL_SHA256', "the dev-only credential's hash is refused in production");
    if (!given && ctx.production) return null;
    if (!given) ctx.usedDevDefault('BOT_SERVICE_CREDENTIAL_SHA256');
    return { credentialSha256: given ?? devHash, tokenTtlSeconds: e.BOT_TOKEN_TTL_SECONDS };
  },
);

/** The bot's own side: the service credential it presents to identity (through the gateway). */
export const botServiceCredential = section(
  { BOT_SERVICE_CREDENTIAL: SERVICE_CREDENTIAL.optional() },
  (e, ctx): { credential: string } => {
    refuseDevValueInProduction(
      ctx,
      'BOT_SERVICE_CREDENTIAL',
      e.BOT_SERVICE_CREDENTIAL === DEV_SECRETS.BOT_SERVICE_CREDENTIAL,
    );
    return {
      credential: secretOrDevDefault(ctx, 'BOT_SERVICE_CREDENTIAL', e.BOT_SERVICE_CREDENTIAL) ?? ctx.invalid<string>(),
    };
  },
);

/** The Telegram bot's token alone (the bot process; identity's `telegram` section also verifies initData with it). */
export const telegramBotToken = section(
  {
    TELEGRAM_BOT_TOKEN: z
      .string()
      .regex(/^\d+:[A-Za-z0-9_-]+$/, 'must look like <bot id>:<secret>')
      .optional(),
  },
  (e, ctx): { token: string } => {
    refuseDevValueInProduction(ctx, 'TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN === DEV_SECRETS.TELEGRAM_BOT_TOKEN);
    return { token: secretOrDevDefault(ctx, 'TELEGRAM_BOT_TOKEN', e.TELEGRAM_BOT_TOKEN) ?? ctx.invalid<string>() };
  },
);
