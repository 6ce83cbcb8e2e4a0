import type { Logger } from 'pino';
import { createHttpClient, type HttpClient } from '../../http/http.client.js';
import { ProviderError, ProviderParseError, ProviderResponseError, snippet } from '../../http/http.errors.js';
import { parseBody } from '../../http/json.schemas.js';
import type { ResilienceOptions } from '../../http/resilience.js';
import type { OtpMessage, OtpReceipt, OtpSender } from '../otp-sender.port.js';
import { maskPhone, toSmsIrMobile } from '../phone.js';
import { OTP_RESILIENCE, OtpProviderBusyError, OtpRefusedError } from '../sms.errors.js';
import {
  PROVIDER,
  SMSIR_REFUSALS,
  SMSIR_SERVER_ERROR,
  SMSIR_SUCCESS,
  envelope,
  verifyBody,
  type VerifyRequest,
} from './smsir.wire.js';

export const SMSIR_BASE_URL = 'https://api.sms.ir';

export interface SmsIrClientOptions {
  /** `https://api.sms.ir` or the devnet simulator; the client posts to `/v1/send/verify`. */
  baseUrl: string;
  /** Sent as `X-API-KEY`; never logged. */
  apiKey: string;
  /** The verify template's numeric id (panel → developer → templates). */
  templateId: number;
  /** The template variable that receives the code (e.g. `CODE` for a template "کد تایید شما: #CODE#"). */
  parameterName: string;
  resilience?: ResilienceOptions;
  log?: Logger;
}

export interface SmsIrOtpSender extends OtpSender {
  readonly http: HttpClient;
}

function refusalOrBusy(httpStatus: number, text: string): ProviderError | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  const body = envelope.safeParse(parsed);
  if (!body.success) return null;
  const { status } = body.data;
  const message = body.data.message ?? '';
  if (status === SMSIR_SERVER_ERROR) return new OtpProviderBusyError(PROVIDER, status, snippet(text), message);
  return new OtpRefusedError(PROVIDER, SMSIR_REFUSALS[status] ?? 'REQUEST', status, httpStatus, snippet(text), message);
}

export function createSmsIrOtpSender(options: SmsIrClientOptions): SmsIrOtpSender {
  const { apiKey, templateId, parameterName } = options;
  if (!apiKey) throw new Error('smsir: apiKey is required');
  if (!Number.isSafeInteger(templateId) || templateId <= 0)
    throw new Error('smsir: templateId must be a positive integer');
  if (!parameterName) throw new Error('smsir: parameterName is required');
  const log = options.log?.child({ provider: PROVIDER });
  const http = createHttpClient({
    name: PROVIDER,
    baseUrl: options.baseUrl,
    ...OTP_RESILIENCE,
    ...options.resilience,
    headers: { 'x-api-key': apiKey },
    ...(log ? { log } : {}),
  });

  const sendCode = async (message: OtpMessage, opts: { signal?: AbortSignal } = {}): Promise<OtpReceipt> => {
    const request: VerifyRequest = {
      mobile: toSmsIrMobile(message.phone),
      templateId,
      parameters: [{ name: parameterName, value: message.code }],
    };
    try {
      const res = await http.post('/v1/send/verify', request, {
        parse: 'lossless',
        idempotent: true,
        decode: (data, raw) => {
          const body = parseBody(PROVIDER, verifyBody, data, raw.text);
          if (Number(body.status.source) !== SMSIR_SUCCESS)
            throw (
              refusalOrBusy(raw.status, raw.text) ?? new ProviderParseError(PROVIDER, 'bad status', snippet(raw.text))
            );
          if (!body.data)
            throw new ProviderParseError(PROVIDER, 'data: expected { messageId, cost }', snippet(raw.text));
          return body.data.messageId.source;
        },
        ...(opts.signal ? { signal: opts.signal } : {}),
      });
      log?.info({ phone: maskPhone(message.phone), messageId: res.data }, 'verification code sent');
      return { provider: PROVIDER, messageId: res.data };
    } catch (error) {
      // 400 (logical error) and 401 (authentication) carry the envelope with sms.ir's own status code.
      const mapped =
        error instanceof ProviderResponseError && !(error instanceof OtpRefusedError) && error.status < 500
          ? (refusalOrBusy(error.status, error.bodySnippet) ?? error)
          : error;
      if (mapped instanceof OtpRefusedError)
        log?.warn(
          { phone: maskPhone(message.phone), reason: mapped.reason, providerStatus: mapped.providerStatus },
          'verification code refused',
        );
      throw mapped;
    }
  };

  return { name: PROVIDER, sendCode, http };
}
