import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../../http/http.client.js';
import { ProviderError, ProviderParseError, ProviderResponseError, snippet } from '../../http/http.errors.js';
import { parseBody } from '../../http/json.schemas.js';
import type { ResilienceOptions } from '../../http/resilience.js';
import type { OtpMessage, OtpReceipt, OtpSender } from '../otp-sender.port.js';
import { maskPhone, toKavenegarReceptor } from '../phone.js';
import { OTP_RESILIENCE, OtpProviderBusyError, OtpRefusedError } from '../sms.errors.js';
import { KAVENEGAR_BUSY, KAVENEGAR_REFUSALS, PROVIDER, errorBody, lookupBody } from './kavenegar.wire.js';

export const KAVENEGAR_BASE_URL = 'https://api.kavenegar.com';

export interface KavenegarClientOptions {
  /** `https://api.kavenegar.com` or the devnet simulator; the client appends `/v1/{key}/verify/lookup.json`. */
  baseUrl: string;
  /** The account's API key. It is part of the URL path (Kavenegar's design): never logged, redacted from errors. */
  apiKey: string;
  /** The name of the approved verify template whose `%token` receives the code. */
  template: string;
  /** Kavenegar's optional `type`: `sms` (its default; the field is then left out) or `call` (a voice call reading the code). */
  type?: 'sms' | 'call';
  resilience?: ResilienceOptions;
  log?: Logger;
}

export interface KavenegarOtpSender extends OtpSender {
  readonly http: HttpClient;
}

function refusalOrBusy(httpStatus: number, text: string): ProviderError | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const body = errorBody.safeParse(parsed);
  if (!body.success) return null;
  const { status, message } = body.data.return;
  if (status === KAVENEGAR_BUSY) return new OtpProviderBusyError(PROVIDER, status, snippet(text), message);
  const reason = KAVENEGAR_REFUSALS[status] ?? 'REQUEST';
  return new OtpRefusedError(PROVIDER, reason, status, httpStatus, snippet(text), message);
}

export function createKavenegarOtpSender(options: KavenegarClientOptions): KavenegarOtpSender {
  const { apiKey, template } = options;
  if (!apiKey) throw new Error('kavenegar: apiKey is required');
  if (!template) throw new Error('kavenegar: template is required');
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...OTP_RESILIENCE,
    ...options.resilience,
    // 409 is Kavenegar's "try again later": back off briefly and retry instead of failing the user's request.
    rateLimit: {
      ...OTP_RESILIENCE.rateLimit,
      ...options.resilience?.rateLimit,
      retryAfterFromResponse: (raw) => (raw.status === KAVENEGAR_BUSY ? 1_000 : null),
    },
    ...(log ? { log } : {}),
  });
  const path = `/v1/${encodeURIComponent(apiKey)}/verify/lookup.json`;
  const redact = (text: string) => text.split(apiKey).join('***').split(encodeURIComponent(apiKey)).join('***');

  const sendCode = async (message: OtpMessage, opts: { signal?: AbortSignal } = {}): Promise<OtpReceipt> => {
    const receptor = toKavenegarReceptor(message.phone);
    const form = new URLSearchParams({ receptor, template, token: message.code });
    if (options.type === 'call') form.set('type', 'call');
    try {
      const res = await http.request({
        method: 'POST',
        path,
        headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
        body: form,
        parse: 'lossless',
        idempotent: true,
        decode: (data, raw) => {
          const body = parseBody(PROVIDER, lookupBody, data, raw.text);
          const status = Number(body.return.status.source);
          if (status !== 200)
            throw (
              refusalOrBusy(raw.status, raw.text) ??
              new ProviderParseError(PROVIDER, 'bad return envelope', snippet(raw.text))
            );
          const first = body.entries?.[0];
          if (!first) throw new ProviderParseError(PROVIDER, 'entries: expected one message', snippet(raw.text));
          return first.messageid.source;
        },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      log?.info({ phone: maskPhone(message.phone), messageId: res.data }, 'verification code sent');
      return { provider: PROVIDER, messageId: res.data };
    } catch (error) {
      // A non-2xx answer carries the same envelope: turn it into a refusal with its reason.
      const mapped =
        error instanceof ProviderResponseError && !(error instanceof OtpRefusedError) && error.status < 500
          ? (refusalOrBusy(error.status, error.bodySnippet) ?? error)
          : error;
      if (mapped instanceof Error) {
        // Nothing below should carry the key, but the URL holds it: make sure no message ever does.
        mapped.message = redact(mapped.message);
        if (mapped instanceof ProviderResponseError || mapped instanceof ProviderParseError)
          (mapped as { bodySnippet: string }).bodySnippet = redact(mapped.bodySnippet);
        if (mapped instanceof OtpRefusedError)
          log?.warn(
            { phone: maskPhone(message.phone), reason: mapped.reason, providerStatus: mapped.providerStatus },
            'verification code refused',
          );
      }
      throw mapped;
    }
  };

  return { name: PROVIDER, sendCode, http };
}
