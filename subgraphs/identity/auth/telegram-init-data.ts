import { createHmac, createPublicKey, timingSafeEqual, verify } from 'node:crypto';

/** The Telegram user as sent in initData's `user` field (snake_case as on the wire). */
export interface TelegramUser {
  id: number;
  first_name?: string;
  last_name?: string;
  username?: string;
  language_code?: string;
  photo_url?: string;
  is_premium?: boolean;
}

export interface ValidatedInitData {
  user: TelegramUser;
  authDate: Date;
  queryId: string | null;
  via: 'hmac' | 'ed25519';
  /** What identifies this launch's initData (its `signature` when present, else its `hash`): one sign-in per proof. */
  proof: string;
}

export type InitDataFailure = 'malformed' | 'missing_hash' | 'bad_signature' | 'expired' | 'from_future' | 'no_user';

export class InitDataError extends Error {
  constructor(readonly reason: InitDataFailure) {
    super(`initData rejected: ${reason}`);
    this.name = 'InitDataError';
  }
}

export interface InitDataVerifierOptions {
  botToken: string;
  /** When set, the Ed25519 third-party form (`signature` field) is accepted too. */
  botId: string | null;
  publicKeyHex: string;
  maxAgeSeconds: number;
  /** Tolerated clock skew for an auth_date slightly in the future. */
  futureSkewSeconds?: number;
}

const MAX_INIT_DATA_LENGTH = 8192;

/**
 * Validates Telegram Mini App initData. First-party: hash = hex(HMAC_SHA256(key = HMAC_SHA256("WebAppData",
 * bot token), data-check-string)) where the data-check-string is every field but `hash`, URL-decoded,
 * sorted by key, as `key=value` lines. Third-party (when a bot id is configured): an Ed25519 `signature`
 * (base64url) by Telegram's key over `<bot id>:WebAppData\n` + the fields but `hash` and `signature`.
 * Comparisons are constant-time; `auth_date` must be within the configured window.
 */
export class InitDataVerifier {
  private readonly secretKey: Buffer;
  private readonly publicKey;

  constructor(private readonly options: InitDataVerifierOptions) {
    this.secretKey = createHmac('sha256', 'WebAppData').update(options.botToken).digest();
    this.publicKey = createPublicKey({
      key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(options.publicKeyHex, 'hex').toString('base64url') },
      format: 'jwk',
    });
  }

  verify(initData: string, now = new Date()): ValidatedInitData {
    if (typeof initData !== 'string' || initData.length === 0 || initData.length > MAX_INIT_DATA_LENGTH)
      throw new InitDataError('malformed');
    let params: URLSearchParams;
    try {
      params = new URLSearchParams(initData);
    } catch {
      throw new InitDataError('malformed');
    }
    const fields = new Map<string, string>();
    for (const [key, value] of params) {
      if (fields.has(key)) throw new InitDataError('malformed');
      fields.set(key, value);
    }
    const hash = fields.get('hash');
    const signature = fields.get('signature');
    let via: ValidatedInitData['via'];
    if (hash !== undefined && this.hmacMatches(fields, hash)) {
      via = 'hmac';
    } else if (this.options.botId && signature !== undefined && this.signatureMatches(fields, signature)) {
      via = 'ed25519';
    } else if (hash === undefined && signature === undefined) {
      throw new InitDataError('missing_hash');
    } else {
      throw new InitDataError('bad_signature');
    }

    const authDateText = fields.get('auth_date');
    if (!authDateText || !/^\d{1,12}$/.test(authDateText)) throw new InitDataError('malformed');
    const authDate = new Date(Number(authDateText) * 1000);
    const ageSeconds = (now.getTime() - authDate.getTime()) / 1000;
    if (ageSeconds > this.options.maxAgeSeconds) throw new InitDataError('expired');
    if (ageSeconds < -(this.options.futureSkewSeconds ?? 60)) throw new InitDataError('from_future');

    const userText = fields.get('user');
    if (!userText) throw new InitDataError('no_user');
    let user: TelegramUser;
    try {
      user = JSON.parse(userText) as TelegramUser;
    } catch {
      throw new InitDataError('malformed');
    }
    if (typeof user !== 'object' || user === null || !Number.isSafeInteger(user.id) || user.id <= 0)
      throw new InitDataError('no_user');
    // One proof per launch, whichever form proved it: Telegram sends `signature` in both forms (the HMAC covers
    // it), so with a signature present it is the proof; otherwise the hash. Replaying HMAC-checked data through
    // the Ed25519 form (hash replaced) thus meets the same proof.
    const proof =
      signature !== undefined
        ? `sig:${Buffer.from(signature, 'base64url').toString('base64url')}`
        : `hash:${hash!.toLowerCase()}`;
    return { user, authDate, queryId: fields.get('query_id') ?? null, via, proof };
  }

  private hmacMatches(fields: Map<string, string>, hash: string): boolean {
    if (!/^[0-9a-f]{64}$/i.test(hash)) return false;
    const expected = createHmac('sha256', this.secretKey)
      .update(dataCheckString(fields, ['hash']))
      .digest();
    return timingSafeEqual(expected, Buffer.from(hash, 'hex'));
  }

  private signatureMatches(fields: Map<string, string>, signature: string): boolean {
    const sig = Buffer.from(signature, 'base64url');
    if (sig.length !== 64) return false;
    const message = `${this.options.botId}:WebAppData\n${dataCheckString(fields, ['hash', 'signature'])}`;
    return verify(null, Buffer.from(message), this.publicKey, sig);
  }
}

export function dataCheckString(fields: Map<string, string>, exclude: string[]): string {
  return [...fields.entries()]
    .filter(([key]) => !exclude.includes(key))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, value]) => `${key}=${value}`)
    .join('\n');
}

/** Builds initData as Telegram would (tests, the bot simulator and the dev sign-in helper use it). */
export function signInitData(botToken: string, fields: Record<string, string>): string {
  const map = new Map(Object.entries(fields));
  const secret = createHmac('sha256', 'WebAppData').update(botToken).digest();
  const hash = createHmac('sha256', secret)
    .update(dataCheckString(map, ['hash']))
    .digest('hex');
  const params = new URLSearchParams(fields);
  params.set('hash', hash);
  return params.toString();
}
