import { createHmac } from 'node:crypto';
import type { Logger } from 'pino';
import { proxyFetchInit } from '../http/proxy.js';
import { createHttpClient, type HttpClient } from '../http/http.client.js';
import { ProviderParseError, ProviderResponseError, snippet } from '../http/http.errors.js';
import { parseBody } from '../http/json.schemas.js';
import { resilienceDefaults, type ResilienceOptions } from '../http/resilience.js';
import { rialAsJsonNumber, rialToToman, tomanToRial } from '../rial.js';
import { PaystarCallbackError, PaystarRefusedError } from './paystar.errors.js';
import type {
  PaystarCallback,
  PaystarCreateInput,
  PaystarGateway,
  PaystarInquiry,
  PaystarPaymentSession,
  PaystarVerification,
  PaystarVerifyInput,
} from './paystar.port.js';
import {
  PAYSTAR_MIN_AMOUNT_RIAL,
  PROVIDER,
  createData,
  describeStatus,
  envelope,
  inquiryData,
  isSuccess,
  verifyData,
} from './paystar.wire.js';

export interface PaystarClientOptions {
  /** `https://core.paystar.ir/api/pardakht` (PAYSTAR_BASE_URL) or the devnet simulator's `…/api/pardakht`. */
  baseUrl: string;
  /** The gateway id (sent as `Authorization: Bearer <gateway_id>`). A secret: never logged. */
  gatewayId: string;
  /** The gateway's sign key (HMAC-SHA512 key of `sign`). A secret: never logged. */
  signKey: string;
  /**
   * Where the user's browser is sent (`<paymentPageUrl>?token=…`). Default `<baseUrl>/payment`, which is Paystar's
   * documented payment page.
   */
  paymentPageUrl?: string;
  resilience?: ResilienceOptions;
  /** HTTPS proxy every request goes through (`HTTPS_PROXY`); null/absent: direct. */
  proxyUrl?: string | null;
  /** Extra fetch options for every request (overrides `proxyUrl`). */
  fetchInit?: Record<string, unknown>;
  log?: Logger;
}

export interface PaystarClient extends PaystarGateway {
  readonly http: HttpClient;
}

/**
 * Paystar's resilience: 10 s per attempt (a bank behind the gateway answers slowly), breaker as everywhere.
 * Only `inquiry` is retried: create and verify are not idempotent at Paystar (a second verify answers -6).
 */
export const PAYSTAR_RESILIENCE = resilienceDefaults({ timeoutMs: 10_000, retries: 2 });

/** Hex HMAC-SHA512 of `parts.join('#')` with the sign key, as Paystar's `sign` fields are built. */
export function paystarSign(signKey: string, ...parts: ReadonlyArray<string | number | bigint>): string {
  return createHmac('sha512', signKey).update(parts.map(String).join('#'), 'utf8').digest('hex');
}

const CARD = /^\d{16}$/;

/** Parses a Paystar answer (2xx or not) into its envelope, or null when it is not one. */
function readEnvelope(text: string): { status: number | string; message: string; data: unknown } | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const body = envelope.safeParse(parsed);
  if (!body.success) return null;
  return { status: body.data.status, message: body.data.message ?? '', data: body.data.data };
}

function refusal(httpStatus: number, text: string, status: number | string, message: string): PaystarRefusedError {
  const described = describeStatus(status);
  return new PaystarRefusedError(
    described.code,
    status,
    described.kind === 'OPERATOR',
    httpStatus,
    snippet(text),
    message || described.message,
  );
}

export function createPaystarGateway(options: PaystarClientOptions): PaystarClient {
  const { gatewayId, signKey } = options;
  if (!gatewayId) throw new Error('paystar: gatewayId is required');
  if (!signKey) throw new Error('paystar: signKey is required');
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const paymentPageUrl = options.paymentPageUrl ?? `${baseUrl}/payment`;
  const log = options.log?.child({ provider: PROVIDER });
  const fetchInit = options.fetchInit ?? proxyFetchInit(options.proxyUrl);
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl,
    ...PAYSTAR_RESILIENCE,
    ...options.resilience,
    headers: { authorization: `Bearer ${gatewayId}`, accept: 'application/json' },
    ...(fetchInit ? { fetchInit } : {}),
    ...(log ? { log } : {}),
  });
  const redact = (text: string) => text.split(gatewayId).join('***').split(signKey).join('***');

  /**
   * One call: a 2xx answer with `status: 1` gives `data`; any other Paystar envelope (2xx or 4xx) is handed to
   * `onStatus` (which returns a value or throws); anything else is the resilient client's error.
   */
  /** Every error leaving the client: the gateway id and sign key replaced by *** in its message and snippet. */
  const scrub = (error: unknown): unknown => {
    if (error instanceof Error) {
      error.message = redact(error.message);
      if (error instanceof ProviderResponseError || error instanceof ProviderParseError)
        (error as { bodySnippet: string }).bodySnippet = redact(error.bodySnippet);
    }
    return error;
  };

  /**
   * One call: a 2xx answer with `status: 1` gives `data`; any other Paystar envelope (2xx or 4xx) is handed to
   * `onStatus` (which returns a value or throws); anything else is the resilient client's error.
   */
  const call = async <T>(
    path: string,
    body: Record<string, unknown>,
    idempotent: boolean,
    onData: (data: unknown, text: string) => T,
    onStatus: (status: number | string, message: string, httpStatus: number, text: string) => T,
  ): Promise<T> => {
    try {
      let answered: { env: { status: number | string; message: string }; httpStatus: number; text: string };
      try {
        const res = await http.request({
          method: 'POST',
          path,
          json: body,
          parse: 'text',
          idempotent,
          decode: (_data, raw) => {
            const env = readEnvelope(raw.text);
            if (!env) throw new ProviderParseError(PROVIDER, 'not a Paystar envelope', snippet(raw.text));
            return isSuccess(env.status)
              ? { ok: true as const, value: onData(env.data, raw.text) }
              : { ok: false as const, env, httpStatus: raw.status, text: raw.text };
          },
        });
        if (res.data.ok) return res.data.value;
        answered = { env: res.data.env, httpStatus: res.data.httpStatus, text: res.data.text };
      } catch (error) {
        // A 4xx carries the same envelope (e.g. `unauthenticated` for a wrong gateway id).
        const env =
          error instanceof ProviderResponseError && error.status < 500 ? readEnvelope(error.bodySnippet) : null;
        if (!env || !(error instanceof ProviderResponseError)) throw error;
        answered = { env, httpStatus: error.status, text: error.bodySnippet };
      }
      return onStatus(answered.env.status, answered.env.message, answered.httpStatus, answered.text);
    } catch (error) {
      throw scrub(error);
    }
  };

  const create = async (input: PaystarCreateInput): Promise<PaystarPaymentSession> => {
    if (input.amountToman <= 0n) throw new RangeError('paystar: amountToman must be positive');
    if (tomanToRial(input.amountToman) < PAYSTAR_MIN_AMOUNT_RIAL)
      throw new RangeError(`paystar: the minimum payment is ${PAYSTAR_MIN_AMOUNT_RIAL} Rial`);
    if (input.cardNumber != null && !CARD.test(input.cardNumber))
      throw new RangeError('paystar: cardNumber must be 16 digits');
    const amount = rialAsJsonNumber(PROVIDER, input.amountToman);
    const body: Record<string, unknown> = {
      amount,
      order_id: input.orderId,
      callback: input.callbackUrl,
      sign: paystarSign(signKey, amount, input.orderId, input.callbackUrl),
    };
    if (input.cardNumber) body.card_number = input.cardNumber;
    if (input.description) body.description = input.description;
    const session = await call(
      '/create',
      body,
      false,
      (data, text) => {
        const d = parseBody(PROVIDER, createData, data, text);
        return { token: d.token, refNum: d.ref_num };
      },
      (status, message, httpStatus, text) => {
        throw refusal(httpStatus, text, status, message);
      },
    );
    log?.info({ orderId: input.orderId, refNum: session.refNum }, 'payment created');
    return { ...session, paymentUrl: `${paymentPageUrl}?token=${encodeURIComponent(session.token)}` };
  };

  const parseCallback = (params: Record<string, string | undefined>): PaystarCallback => {
    const get = (name: string): string | null => {
      const value = params[name];
      return value === undefined || value === '' ? null : value;
    };
    const status = get('status');
    const orderId = get('order_id');
    const refNum = get('ref_num');
    if (status === null || !/^-?\d+$/.test(status)) throw new PaystarCallbackError('status missing or not a number');
    if (orderId === null) throw new PaystarCallbackError('order_id missing');
    if (refNum === null) throw new PaystarCallbackError('ref_num missing');
    return {
      status,
      orderId,
      refNum,
      trackingCode: get('tracking_code'),
      cardNumber: get('card_number'),
      transactionId: get('transaction_id'),
    };
  };

  const verify = async (input: PaystarVerifyInput): Promise<PaystarVerification> => {
    const amount = rialAsJsonNumber(PROVIDER, input.amountToman);
    const sign = paystarSign(signKey, amount, input.refNum, input.cardNumber, input.trackingCode);
    const result = await call<PaystarVerification>(
      '/verify',
      { ref_num: input.refNum, amount, sign },
      false,
      (data, text) => {
        const d = parseBody(PROVIDER, verifyData, data, text);
        return {
          outcome: 'VERIFIED',
          amountToman: rialToToman(PROVIDER, d.price),
          refNum: d.ref_num,
          cardNumber: d.card_number ?? null,
          trackingCode: input.trackingCode,
        };
      },
      (status, message, httpStatus, text) => {
        const described = describeStatus(status);
        // The gateway or our credentials are wrong: not an answer about this payment.
        if (described.kind === 'OPERATOR') throw refusal(httpStatus, text, status, message);
        return { outcome: 'REFUSED', code: described.code, message: message || described.message };
      },
    );
    log?.info(
      { refNum: input.refNum, outcome: result.outcome, ...(result.outcome === 'REFUSED' ? { code: result.code } : {}) },
      'payment verify',
    );
    return result;
  };

  const inquiry = async (refNum: string, orderId: string): Promise<PaystarInquiry> =>
    call<PaystarInquiry>(
      '/inquiry',
      { ref_num: refNum, order_id: orderId },
      true,
      (data, text) => {
        const d = parseBody(PROVIDER, inquiryData, data, text);
        // data.status uses the same table as the callback: 1 paid (not yet verified), -6 verified, 0 awaiting payment.
        if (d.status === 1 || d.status === -6) {
          if (d.payment_amount == null)
            throw new ProviderParseError(PROVIDER, 'payment_amount missing for a paid payment', snippet(text));
          return {
            state: 'PAID',
            amountToman: rialToToman(PROVIDER, d.payment_amount),
            cardNumber: d.card_number ?? null,
            trackingCode: d.tracking_code ?? null,
            verified: d.status === -6,
          };
        }
        if (d.status === 0) return { state: 'UNPAID', code: 'AWAITING_PAYMENT' };
        return { state: 'FAILED', code: describeStatus(d.status).code };
      },
      (status, message, httpStatus, text) => {
        const described = describeStatus(status);
        if (described.code === 'INVALID_REF_NUM') return { state: 'EXPIRED', code: described.code };
        throw refusal(httpStatus, text, status, message);
      },
    );

  return { create, parseCallback, verify, inquiry, http };
}
