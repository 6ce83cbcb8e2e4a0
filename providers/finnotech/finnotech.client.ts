import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { BackoffLoop } from '../../platform/backoff.js';
import { proxyFetchInit } from '../http/proxy.js';
import { createHttpClient, type HttpClient, type QueryValue } from '../http/http.client.js';
import {
  ProviderNetworkError,
  ProviderParseError,
  ProviderResponseError,
  ProviderTimeoutError,
  snippet,
} from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';
import { rialAsJsonNumber, rialToToman, tomanToRial } from '../rial.js';
import { FinnotechAuthError, FinnotechRefusedError } from './finnotech.errors.js';
import type {
  CardHolder,
  CardIban,
  FinnotechBanking,
  IbanOwner,
  StatementLine,
  StatementPage,
  StatementQuery,
  TransferRequest,
  TransferResult,
} from './finnotech.port.js';
import { fromTehranJalali, toTehranJalali } from './jalali.js';
import {
  DEPOSIT_STATUS,
  FINNOTECH_CC_SCOPES,
  PAYA_MAX_RIAL,
  PAYA_MIN_RIAL,
  PROVIDER,
  cardInfoResult,
  cardToIbanResult,
  envelope,
  ibanInquiryResult,
  statementResult,
  tokenResult,
  transferResult,
  type Envelope,
} from './finnotech.wire.js';

/** Where the rotated refresh token of the statement's CODE token is kept across restarts (FinnoTech rotates it). */
export interface StatementTokenStore {
  load(): Promise<string | null>;
  save(refreshToken: string): Promise<void>;
}

export interface FinnotechClientOptions {
  /** `https://api.finnotech.ir` (FINNOTECH_BASE_URL), the sandbox, or the devnet simulator. */
  baseUrl: string;
  clientId: string;
  /** Secret: sent only as Basic auth to the token endpoint, never logged. */
  clientSecret: string;
  /** National id of the person the client-credentials token is issued for (`nid` of the token request). */
  nid: string;
  /** The platform's deposit transfers leave from (cc/transferTo `deposit`, whitelisted at FinnoTech). */
  sourceDeposit: string;
  /** Scopes of the client-credentials token. Default FINNOTECH_CC_SCOPES. */
  scopes?: readonly string[];
  /**
   * The statement's authorization-code token: the bank code (062 Ayandeh, …) and the refresh token obtained once
   * through FinnoTech's authorize page. Null: `statement()` is refused.
   */
  statement?: { bank: string; refreshToken: string; store?: StatementTokenStore } | null;
  resilience?: ResilienceOptions;
  /** Per-attempt timeout of `transferTo` (a bank transfer answers slowly). Default 30 s. */
  transferTimeoutMs?: number;
  /** HTTPS proxy every request goes through (`HTTPS_PROXY`); null/absent: direct. */
  proxyUrl?: string | null;
  /** Extra fetch options for every request (overrides `proxyUrl`). */
  fetchInit?: Record<string, unknown>;
  /** trackId generator for reads (≤ 40 letters, digits and '-'; never reused). Default: a random UUID. */
  trackId?: () => string;
  log?: Logger;
  /** Clock (ms) for token expiry. Default Date.now. */
  now?: () => number;
}

export interface FinnotechClient extends FinnotechBanking {
  readonly http: HttpClient;
}

/** Reads: 8 s per attempt, 2 retries (each with a fresh trackId), breaker as everywhere. */
export const FINNOTECH_RESILIENCE = resilienceDefaults({ timeoutMs: 8_000, retries: 2 });

const TRACK_ID = /^[A-Za-z0-9-]{1,40}$/;
const CARD = /^\d{16}$/;
const IBAN = /^IR\d{24}$/;

interface CachedToken {
  value: string;
  expiresAt: number;
  refreshToken: string | null;
}

function readEnvelope(text: string): Envelope | null {
  try {
    const parsed = envelope.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}

const isAuthFailure = (error: unknown) =>
  error instanceof ProviderResponseError &&
  !(error instanceof FinnotechRefusedError) &&
  (error.status === 401 || error.status === 403);

const isTransient = (error: unknown) =>
  error instanceof ProviderTimeoutError ||
  error instanceof ProviderNetworkError ||
  (error instanceof ProviderResponseError && error.status >= 500);

export function createFinnotechBanking(options: FinnotechClientOptions): FinnotechClient {
  const { clientId, clientSecret, nid, sourceDeposit } = options;
  if (!clientId || !clientSecret) throw new Error('finnotech: clientId and clientSecret are required');
  if (!nid) throw new Error('finnotech: nid is required');
  const now = options.now ?? Date.now;
  const newTrackId = options.trackId ?? (() => randomUUID());
  const log = options.log?.child({ provider: PROVIDER });
  const resilience = { ...FINNOTECH_RESILIENCE, ...options.resilience };
  const retries = resilience.retries ?? 2;
  const fetchInit = options.fetchInit ?? proxyFetchInit(options.proxyUrl);
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...resilience,
    // Retries happen here, each with a new trackId (FinnoTech: a trackId is never sent twice).
    retries: 0,
    ...(fetchInit ? { fetchInit } : {}),
    ...(log ? { log } : {}),
  });
  const basic = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
  const scopes = (options.scopes ?? FINNOTECH_CC_SCOPES).join(',');
  const clientPath = `/${encodeURIComponent(clientId)}`;

  const trackId = (): string => {
    const id = newTrackId();
    if (!TRACK_ID.test(id)) throw new Error('finnotech: trackId must be 1–40 letters, digits or -');
    return id;
  };

  /** Turns a non-2xx FinnoTech envelope into its refusal; other errors pass through. */
  const mapError = (error: unknown): unknown => {
    if (error instanceof ProviderResponseError && error.status < 500 && !(error instanceof FinnotechRefusedError)) {
      const env = readEnvelope(error.bodySnippet);
      if (env && env.status === 'FAILED' && !isAuthFailure(error))
        return new FinnotechRefusedError(
          env.error?.code ?? 'FAILED',
          env.error?.message ?? '',
          env.trackId ?? null,
          error.status,
          error.bodySnippet,
        );
    }
    return error;
  };

  // --- tokens -------------------------------------------------------------------------------------------------

  const requestToken = async (
    body: Record<string, string>,
    tokenType: 'CLIENT-CREDENTIAL' | 'CODE',
  ): Promise<{ value: string; lifeTimeMs: number; refreshToken: string | null }> => {
    try {
      const res = await http.request({
        method: 'POST',
        path: '/dev/v2/oauth2/token',
        headers: { authorization: basic },
        json: body,
        idempotent: false,
        decode: (data, raw) => {
          const env = parseBody(PROVIDER, envelope, data, raw.text);
          if (env.status !== 'DONE')
            throw new FinnotechAuthError(tokenType, 400, snippet(raw.text), env.error?.message ?? env.status);
          return parseBody(PROVIDER, tokenResult, env.result, raw.text);
        },
      });
      return { value: res.data.value, lifeTimeMs: res.data.lifeTime, refreshToken: res.data.refreshToken ?? null };
    } catch (error) {
      if (error instanceof ProviderResponseError && !(error instanceof FinnotechAuthError) && error.status < 500) {
        const env = readEnvelope(error.bodySnippet);
        throw new FinnotechAuthError(tokenType, error.status, error.bodySnippet, env?.error?.message ?? 'refused');
      }
      throw error;
    }
  };

  /** Valid until shortly before FinnoTech's lifeTime ends (a tenth of it, at most 5 minutes). */
  const cache = (t: { value: string; lifeTimeMs: number; refreshToken: string | null }): CachedToken => ({
    value: t.value,
    expiresAt: now() + t.lifeTimeMs - Math.min(300_000, Math.floor(t.lifeTimeMs / 10)),
    refreshToken: t.refreshToken,
  });

  let ccToken: CachedToken | null = null;
  let ccPending: Promise<CachedToken> | null = null;
  const fetchCcToken = async (): Promise<CachedToken> => {
    const previous = ccToken;
    if (previous?.refreshToken) {
      try {
        return cache(
          await requestToken(
            { grant_type: 'refresh_token', token_type: 'CLIENT-CREDENTIAL', refresh_token: previous.refreshToken },
            'CLIENT-CREDENTIAL',
          ),
        );
      } catch (error) {
        if (!(error instanceof FinnotechAuthError)) throw error;
        log?.warn('client-credentials refresh refused; requesting a new token');
      }
    }
    return cache(await requestToken({ grant_type: 'client_credentials', nid, scopes }, 'CLIENT-CREDENTIAL'));
  };
  const clientCredentialToken = async (force: boolean): Promise<string> => {
    if (!force && ccToken && ccToken.expiresAt > now()) return ccToken.value;
    ccPending ??= fetchCcToken().finally(() => {
      ccPending = null;
    });
    ccToken = await ccPending;
    return ccToken.value;
  };

  let codeToken: CachedToken | null = null;
  let codePending: Promise<CachedToken> | null = null;
  const fetchCodeToken = async (): Promise<CachedToken> => {
    const st = options.statement;
    if (!st) throw new Error('finnotech: the statement (authorization-code token) is not configured');
    const refreshToken = codeToken?.refreshToken ?? (await st.store?.load()) ?? st.refreshToken;
    const t = await requestToken(
      { grant_type: 'refresh_token', token_type: 'CODE', bank: st.bank, refresh_token: refreshToken },
      'CODE',
    );
    if (t.refreshToken && t.refreshToken !== refreshToken) await st.store?.save(t.refreshToken);
    return cache({ ...t, refreshToken: t.refreshToken ?? refreshToken });
  };
  const statementToken = async (force: boolean): Promise<string> => {
    if (!force && codeToken && codeToken.expiresAt > now()) return codeToken.value;
    codePending ??= fetchCodeToken().finally(() => {
      codePending = null;
    });
    codeToken = await codePending;
    return codeToken.value;
  };

  // --- calls --------------------------------------------------------------------------------------------------

  /**
   * A read: GET with a fresh trackId per attempt; a 401/403 refreshes the token once; timeouts, network errors and
   * 5xx are retried with back-off (each attempt a new trackId); a FAILED envelope is a FinnotechRefusedError.
   */
  const read = async <T>(
    path: string,
    query: Record<string, QueryValue>,
    token: 'cc' | 'code',
    decode: (result: unknown, text: string) => T,
  ): Promise<T> => {
    const backoff = new BackoffLoop(resilience.backoff);
    let refreshed = false;
    for (let attempt = 0; ; attempt += 1) {
      const bearer = token === 'cc' ? await clientCredentialToken(false) : await statementToken(false);
      try {
        const res = await http.request({
          method: 'GET',
          path,
          query: { ...query, trackId: trackId() },
          headers: { authorization: `Bearer ${bearer}` },
          decode: (data, raw) => {
            const env = parseBody(PROVIDER, envelope, data, raw.text);
            if (env.status !== 'DONE')
              throw new FinnotechRefusedError(
                env.error?.code ?? env.status,
                env.error?.message ?? '',
                env.trackId ?? null,
                400,
                snippet(raw.text),
              );
            return decode(env.result, raw.text);
          },
        });
        return res.data;
      } catch (error) {
        if (isAuthFailure(error) && !refreshed) {
          refreshed = true;
          if (token === 'cc') await clientCredentialToken(true);
          else await statementToken(true);
          continue;
        }
        if (isTransient(error) && attempt < retries) {
          await sleep(backoff.next());
          continue;
        }
        throw mapError(error);
      }
    }
  };

  const cardHolder = async (card: string): Promise<CardHolder> => {
    if (!CARD.test(card)) throw new RangeError('finnotech: card must be 16 digits');
    return read(`/mpg/v2/clients${clientPath}/cards/${card}`, {}, 'cc', (result, text) => {
      const r = parseBody(PROVIDER, cardInfoResult, result, text);
      // result "0" is success (finnotech.ir/doc card information); anything else is the card service refusing.
      if (r.result !== '0' || !r.name)
        throw new FinnotechRefusedError(`CARD_${r.result}`, r.description ?? '', null, 400, snippet(text));
      return { name: r.name, bankName: r.bankName ?? null };
    });
  };

  const cardToIban = async (card: string): Promise<CardIban> => {
    if (!CARD.test(card)) throw new RangeError('finnotech: card must be 16 digits');
    return read(`/facility/v2/clients${clientPath}/cardToIban`, { version: 2, card }, 'cc', (result, text) => {
      const r = parseBody(PROVIDER, cardToIbanResult, result, text);
      return { card, iban: r.IBAN, bankName: r.bankName ?? null, ownerName: r.depositOwners ?? null };
    });
  };

  const ibanInquiry = async (iban: string): Promise<IbanOwner> => {
    if (!IBAN.test(iban)) throw new RangeError('finnotech: iban must be IR and 24 digits');
    return read(`/oak/v2/clients${clientPath}/ibanInquiry`, { iban }, 'cc', (result, text) => {
      const r = parseBody(PROVIDER, ibanInquiryResult, result, text);
      return {
        iban: r.IBAN,
        bankName: r.bankName ?? null,
        owners: r.depositOwners.map((o) => ({ firstName: o.firstName, lastName: o.lastName })),
        accountStatus: r.depositStatus ? (DEPOSIT_STATUS[r.depositStatus] ?? r.depositStatus) : null,
      };
    });
  };

  const statement = async (q: StatementQuery): Promise<StatementPage> => {
    if (q.to.getTime() < q.from.getTime()) throw new RangeError('finnotech: statement `to` is before `from`');
    if (q.to.getTime() - q.from.getTime() > 31 * 86_400_000)
      throw new RangeError('finnotech: a statement window is at most 31 days');
    const from = toTehranJalali(q.from);
    const to = toTehranJalali(q.to);
    const query: Record<string, QueryValue> = {
      fromDate: from.date,
      toDate: to.date,
      fromTime: from.time,
      toTime: to.time,
      lastRecordNumber: q.cursor,
    };
    return read(
      `/oak/v2/clients${clientPath}/deposits/${encodeURIComponent(q.depositNumber)}/statement`,
      query,
      'code',
      (result, text) => {
        const r = parseBody(PROVIDER, statementResult, result, text);
        const lines = r.transactions.map((t): StatementLine => {
          const credit = rialToToman(PROVIDER, t.transactionAmountCredit || '0');
          const debit = rialToToman(PROVIDER, t.transactionAmountDebit || '0');
          const refCode = t.refCode || t.rawOriginKey || t.originKey;
          if (!refCode) throw new ProviderParseError(PROVIDER, 'statement line without a reference', snippet(text));
          const payId =
            t.ibanInformationMap?.payId || t.cardInformationMap?.payId || t.ledgerInformationMap?.payId || null;
          return {
            refCode,
            amountToman: credit - debit,
            at: fromTehranJalali(t.fullDate, t.time),
            description: (t.optionalInformation30 ?? t.transactionDescription ?? '').trim(),
            depositId: payId ? payId.trim() || null : null,
            sourceCard: t.cardInformationMap?.sourcePan || null,
            sourceIban: null,
          };
        });
        const more = r.transactionChain === 'M' && r.lastRecordNumber;
        return { lines, next: more ? r.lastRecordNumber! : null };
      },
    );
  };

  // --- transfers ----------------------------------------------------------------------------------------------

  const transferState = (status: string): TransferResult['state'] =>
    status === 'DONE' || status === 'PENDING' || status === 'FAILED' ? status : 'UNKNOWN';

  const transferTo = async (request: TransferRequest): Promise<TransferResult> => {
    if (!TRACK_ID.test(request.trackId)) throw new RangeError('finnotech: trackId must be 1–40 letters, digits or -');
    if (!IBAN.test(request.destinationIban)) throw new RangeError('finnotech: destinationIban must be IR + 24 digits');
    if (!/^\d{1,30}$/.test(request.paymentNumber)) throw new RangeError('finnotech: paymentNumber must be 1–30 digits');
    const rial = tomanToRial(request.amountToman);
    if (rial < PAYA_MIN_RIAL || rial > PAYA_MAX_RIAL)
      throw new RangeError(`finnotech: a Paya transfer is ${PAYA_MIN_RIAL}–${PAYA_MAX_RIAL} Rial`);
    const { firstName, lastName } = request.destinationOwner;
    for (const name of [firstName, lastName])
      if (name.trim().length < 2 || name.trim().length > 30)
        throw new RangeError('finnotech: destination first and last names are 2–30 characters');
    const body = {
      amount: rialAsJsonNumber(PROVIDER, request.amountToman),
      description: request.description.replace(/-{2,}/g, '-').slice(0, 30),
      destinationFirstname: firstName.trim(),
      destinationLastname: lastName.trim(),
      destinationNumber: request.destinationIban,
      paymentNumber: request.paymentNumber,
      deposit: sourceDeposit,
    };
    let refreshed = false;
    for (;;) {
      const bearer = await clientCredentialToken(false);
      try {
        const res = await http.request({
          method: 'POST',
          path: `/oak/v2/clients${clientPath}/cc/transferTo`,
          query: { trackId: request.trackId },
          headers: { authorization: `Bearer ${bearer}` },
          json: body,
          idempotent: false,
          timeoutMs: options.transferTimeoutMs ?? 30_000,
          decode: (data, raw) => parseBody(PROVIDER, envelope, data, raw.text),
        });
        const env = res.data;
        const r = env.result === undefined || env.result === null ? null : transferResult.parse(env.result);
        const result: TransferResult = {
          trackId: request.trackId,
          state: transferState(env.status),
          refCode: r?.refCode || null,
          message: env.error?.message ?? (r?.message?.trim() || null),
        };
        log?.info({ trackId: request.trackId, state: result.state, refCode: result.refCode }, 'transfer answered');
        return result;
      } catch (error) {
        // Refused before anything happened: refresh the token once and send the same transfer (same trackId).
        if (isAuthFailure(error) && !refreshed) {
          refreshed = true;
          await clientCredentialToken(true);
          continue;
        }
        if (isAuthFailure(error)) throw error;
        // A 408, a timeout, a dropped connection or a 5xx: the transfer may have happened. Never resend: UNKNOWN.
        if (isTransient(error) || (error instanceof ProviderResponseError && error.status === 408)) {
          log?.warn({ trackId: request.trackId, err: (error as Error).message }, 'transfer outcome unknown');
          return { trackId: request.trackId, state: 'UNKNOWN', refCode: null, message: (error as Error).message };
        }
        if (error instanceof ProviderResponseError && error.status < 500) {
          const env = readEnvelope(error.bodySnippet);
          if (env) {
            const state = transferState(env.status);
            log?.warn({ trackId: request.trackId, state, code: env.error?.code }, 'transfer refused');
            return {
              trackId: request.trackId,
              state,
              refCode: null,
              message: [env.error?.code, env.error?.message].filter(Boolean).join(': ') || null,
            };
          }
        }
        // A body we cannot read: we do not know what happened.
        if (error instanceof ProviderParseError)
          return { trackId: request.trackId, state: 'UNKNOWN', refCode: null, message: error.message };
        throw error;
      }
    }
  };

  const transferInquiry = async (transferTrackId: string): Promise<TransferResult> => {
    if (!TRACK_ID.test(transferTrackId)) throw new RangeError('finnotech: trackId must be 1–40 letters, digits or -');
    try {
      return await read(
        `/oak/v2/clients${clientPath}/transferInquiry`,
        { inquiryTrackId: transferTrackId },
        'cc',
        (result, text) => {
          const r = parseBody(PROVIDER, transferResult, result, text);
          return {
            trackId: transferTrackId,
            state: transferState(r.status),
            refCode: r.refCode || null,
            message: r.message?.trim() || null,
          };
        },
      );
    } catch (error) {
      if (error instanceof FinnotechRefusedError) {
        if (error.reason === 'NOT_FOUND' || error.status === 404)
          return { trackId: transferTrackId, state: 'UNKNOWN', refCode: null, message: error.message, notFound: true };
      }
      throw error;
    }
  };

  return { cardHolder, cardToIban, ibanInquiry, statement, transferTo, transferInquiry, http };
}
