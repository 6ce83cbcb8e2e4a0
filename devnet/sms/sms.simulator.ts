import type { IncomingMessage, ServerResponse } from 'node:http';
import { iranMobileToE164 } from '../../providers/sms/phone.js';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';

/**
 * One local server speaking both OTP wire formats the SMS clients use (providers/sms), so `npm start` and the
 * tests send real HTTP requests and read the codes back:
 * - Kavenegar `POST|GET /v1/{API-KEY}/verify/lookup.json` (form or query `receptor, template, token[, type]`),
 *   answers `{ return: { status, message }, entries }` with the HTTP status equal to `return.status`;
 * - sms.ir `POST /v1/send/verify` (`X-API-KEY`, JSON `{ mobile, templateId, parameters: [{ name, value }] }`),
 *   answers `{ status, message, data }` (HTTP 200 / 400 logical / 401 auth / 429 / 500).
 * Error answers use each provider's documented codes for a bad key, template, number or token. Every accepted
 * message is recorded; `GET /_devnet/messages?receptor=<any spelling>` returns the latest one sent to that
 * number (with its code), `GET /_devnet/messages` all of them, `DELETE /_devnet/messages` forgets them, and
 * `POST /_devnet/failure` (`{ mode, times?, retryAfterSeconds? }` or `{ mode: null }`) injects failures.
 * Dev/test only: nothing in production imports devnet/.
 */
export interface SmsSimulatorOptions {
  /** Fixed port (the devnet process); default ephemeral. */
  port?: number;
  kavenegar?: { apiKeys?: readonly string[]; templates?: readonly string[] };
  smsir?: { apiKeys?: readonly string[]; templates?: Readonly<Record<number, readonly string[]>> };
  /** Start in a failure mode. */
  failMode?: FailureMode | FailureSpec | null;
  /** Provider account credit in messages; when it runs out, Kavenegar answers 418 and sms.ir 102. Default unlimited. */
  credit?: number;
}

export interface SimulatedSms {
  provider: 'kavenegar' | 'smsir';
  /** E.164 (`+989121234567`), whatever spelling the client sent. */
  receptor: string;
  /** The number as the client sent it (`09…` for Kavenegar, `9…` or `09…` for sms.ir). */
  sentAs: string;
  /** The code (Kavenegar `token`, sms.ir the value of the template's single parameter). */
  code: string;
  /** Kavenegar template name or sms.ir template id. */
  template: string;
  /** sms.ir: every parameter sent; Kavenegar: token, token2, token3 when present. */
  parameters: Record<string, string>;
  messageId: string;
  sentAt: string;
}

export interface SmsSimulator extends ProviderSimulator {
  messages(): readonly SimulatedSms[];
  /** The latest message to this number (any spelling), or null. */
  lastMessage(phone: string): SimulatedSms | null;
  /** The code of the latest message to this number, or null. */
  lastCode(phone: string): string | null;
  clear(): void;
}

export const SMS_SIMULATOR_DEFAULTS = {
  kavenegar: { apiKeys: ['devnet-kavenegar-key'], templates: ['verify'] },
  smsir: { apiKeys: ['devnet-smsir-key'], templates: { 100000: ['CODE'] } as Record<number, readonly string[]> },
} as const;

/** Kavenegar's messages for the codes the simulator answers (kavenegar.com/rest.html, error table). */
const KAVENEGAR_MESSAGES: Record<number, string> = {
  200: 'تایید شد',
  400: 'پارامترها ناقص هستند',
  403: 'کد شناسائی API-Key معتبر نمی‌باشد',
  405: 'متد Get/Post اشتباه است',
  409: 'سرور قادر به پاسخگوئی نیست بعدا تلاش کنید',
  411: 'دریافت کننده نامعتبر است',
  418: 'اعتبار حساب شما کافی نیست',
  424: 'الگوی مورد نظر پیدا نشد',
  428: 'ارسال کد از طریق تماس تلفنی امکان پذیر نیست',
  431: 'ساختار کد صحیح نمی‌باشد',
};

/** sms.ir's messages for the codes the simulator answers (app.sms.ir/developer/help/statusCode). */
const SMSIR_MESSAGES: Record<number, string> = {
  0: 'درخواست شما با خطا مواجه شده‌است',
  1: 'موفق',
  10: 'کلید وب سرویس نامعتبر است',
  16: 'مقدار ارسالی پارامتر نادرست می‌باشد',
  20: 'تعداد درخواست بیشتر از حد مجاز است',
  102: 'اعتبار کافی نمی‌باشد',
  104: 'درخواست شما دارای موبایل (های) نادرست است',
  113: 'قالب یافت نشد',
  114: 'طول رشته مقدار پارامتر، بیش از حد مجاز (25 کاراکتر) می‌باشد',
  116: 'نام یک یا چند پارامتر مقداردهی نشده‌است',
};

function kavenegarAnswer(
  res: ServerResponse,
  status: number,
  entries: unknown = null,
  headers?: Record<string, string>,
) {
  sendJson(
    res,
    status === 200 ? 200 : status,
    { return: { status, message: KAVENEGAR_MESSAGES[status] ?? '' }, entries },
    headers,
  );
}

function smsirAnswer(
  res: ServerResponse,
  httpStatus: number,
  status: number,
  data: unknown = null,
  headers?: Record<string, string>,
) {
  sendJson(res, httpStatus, { status, message: SMSIR_MESSAGES[status] ?? '', data }, headers);
}

const KAVENEGAR_PATH = /^\/v1\/([^/]+)\/verify\/lookup\.json\/?$/;
const SMSIR_PATH = /^\/v1\/send\/verify\/?$/;

/** Kavenegar rejects tokens with whitespace, underscores or separators (431); its limit is 100 characters. */
const KAVENEGAR_TOKEN = /^[^\s_,;|]{1,100}$/u;

export async function startSmsSimulator(options: SmsSimulatorOptions = {}): Promise<SmsSimulator> {
  const kavenegarKeys = new Set(options.kavenegar?.apiKeys ?? SMS_SIMULATOR_DEFAULTS.kavenegar.apiKeys);
  const kavenegarTemplates = new Set(options.kavenegar?.templates ?? SMS_SIMULATOR_DEFAULTS.kavenegar.templates);
  const smsirKeys = new Set(options.smsir?.apiKeys ?? SMS_SIMULATOR_DEFAULTS.smsir.apiKeys);
  const smsirTemplates = new Map(
    Object.entries(options.smsir?.templates ?? SMS_SIMULATOR_DEFAULTS.smsir.templates).map(([id, names]) => [
      Number(id),
      names,
    ]),
  );
  const failures = createFailureSwitch(options.failMode ?? null);
  let credit = options.credit ?? Number.POSITIVE_INFINITY;
  let requests = 0;
  let nextMessageId = 8_792_343; // Kavenegar's README sample id, then counting up
  const log: SimulatedSms[] = [];

  const record = (sms: Omit<SimulatedSms, 'messageId' | 'sentAt'>): SimulatedSms => {
    const entry: SimulatedSms = { ...sms, messageId: String(nextMessageId++), sentAt: new Date().toISOString() };
    log.push(entry);
    credit -= 1;
    return entry;
  };

  const lastMessage = (phone: string): SimulatedSms | null => {
    const e164 = iranMobileToE164(phone);
    if (!e164) return null;
    for (let i = log.length - 1; i >= 0; i -= 1) if (log[i]!.receptor === e164) return log[i]!;
    return null;
  };

  /** Renders an injected failure in the format of the API being called. */
  const renderFailure = (res: ServerResponse, failure: FailureSpec, kavenegar: boolean): void => {
    const retryAfter = { 'retry-after': String(failure.retryAfterSeconds ?? 1) };
    switch (failure.mode) {
      case 'hang':
        return; // never answer
      case 'rate-limit':
        if (kavenegar)
          sendJson(res, 429, { return: { status: 429, message: 'Too Many Requests' }, entries: null }, retryAfter);
        else smsirAnswer(res, 429, 20, null, retryAfter);
        return;
      case 'server-error':
        if (kavenegar) sendJson(res, 500, { return: { status: 500, message: 'Internal Server Error' }, entries: null });
        else smsirAnswer(res, 500, 0);
        return;
      case 'malformed-json':
        sendJson(
          res,
          200,
          kavenegar
            ? '{"return":{"status":200,"message":"تایید شد"},"entries":[{"messageid":'
            : '{"status":1,"data":{"messageId":',
        );
        return;
    }
  };

  const kavenegar = async (req: IncomingMessage, res: ServerResponse, url: URL, key: string): Promise<void> => {
    if (req.method !== 'POST' && req.method !== 'GET') return kavenegarAnswer(res, 405);
    const form = new URLSearchParams(url.search);
    if (req.method === 'POST') for (const [k, v] of new URLSearchParams(await readRequestBody(req))) form.set(k, v);
    if (!kavenegarKeys.has(decodeURIComponent(key))) return kavenegarAnswer(res, 403);
    const receptor = form.get('receptor') ?? '';
    const template = form.get('template') ?? '';
    const token = form.get('token') ?? '';
    if (!receptor || !template || !token) return kavenegarAnswer(res, 400);
    const e164 = iranMobileToE164(receptor);
    if (!e164) return kavenegarAnswer(res, 411);
    if (!kavenegarTemplates.has(template)) return kavenegarAnswer(res, 424);
    if (!KAVENEGAR_TOKEN.test(token)) return kavenegarAnswer(res, 431);
    const type = form.get('type') ?? 'sms';
    if (type !== 'sms' && type !== 'call') return kavenegarAnswer(res, 400);
    if (type === 'call' && !/^\d+$/.test(token)) return kavenegarAnswer(res, 428);
    if (credit <= 0) return kavenegarAnswer(res, 418);
    const parameters: Record<string, string> = { token, type };
    for (const extra of ['token2', 'token3']) {
      const value = form.get(extra);
      if (value) parameters[extra] = value;
    }
    const sms = record({ provider: 'kavenegar', receptor: e164, sentAs: receptor, code: token, template, parameters });
    kavenegarAnswer(res, 200, [
      {
        messageid: Number(sms.messageId),
        message: `کد تایید شما: ${token}`,
        status: 5,
        statustext: 'ارسال به مخابرات',
        sender: '10004346',
        receptor,
        date: Math.floor(Date.now() / 1000),
        cost: 120,
      },
    ]);
  };

  const smsir = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (req.method !== 'POST') return smsirAnswer(res, 400, 16);
    const key = req.headers['x-api-key'];
    if (typeof key !== 'string' || !smsirKeys.has(key)) return smsirAnswer(res, 401, 10);
    let body: unknown;
    try {
      body = JSON.parse(await readRequestBody(req));
    } catch {
      return smsirAnswer(res, 400, 16);
    }
    const { mobile, templateId, parameters } = (body ?? {}) as Record<string, unknown>;
    if (typeof mobile !== 'string' || typeof templateId !== 'number' || !Array.isArray(parameters))
      return smsirAnswer(res, 400, 16);
    const e164 = iranMobileToE164(mobile);
    if (!e164) return smsirAnswer(res, 400, 104);
    const names = smsirTemplates.get(templateId);
    if (!names) return smsirAnswer(res, 400, 113);
    const given: Record<string, string> = {};
    for (const p of parameters as unknown[]) {
      const { name, value } = (p ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string' || typeof value !== 'string') return smsirAnswer(res, 400, 16);
      if (value.length > 25) return smsirAnswer(res, 400, 114);
      given[name] = value;
    }
    if (names.some((name) => !given[name])) return smsirAnswer(res, 400, 116);
    if (credit <= 0) return smsirAnswer(res, 400, 102);
    const sms = record({
      provider: 'smsir',
      receptor: e164,
      sentAs: mobile,
      code: given[names[0]!]!,
      template: String(templateId),
      parameters: given,
    });
    smsirAnswer(res, 200, 1, { messageId: Number(sms.messageId), cost: 1.0 });
  };

  const devnet = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname === '/_devnet/messages') {
      if (req.method === 'DELETE') {
        log.length = 0;
        return sendJson(res, 200, { cleared: true });
      }
      const receptor = url.searchParams.get('receptor');
      if (receptor === null) return sendJson(res, 200, { messages: log });
      if (!iranMobileToE164(receptor)) return sendJson(res, 400, { error: 'receptor is not an Iranian mobile number' });
      const last = lastMessage(receptor);
      return last ? sendJson(res, 200, last) : sendJson(res, 404, { error: 'no message to this number' });
    }
    if (url.pathname === '/_devnet/failure' && req.method === 'POST') {
      const spec = JSON.parse((await readRequestBody(req)) || '{}') as { mode?: FailureMode | null } & FailureSpec;
      failures.set(spec.mode ? { ...spec, mode: spec.mode } : null);
      return sendJson(res, 200, { failure: spec.mode ?? null });
    }
    sendJson(res, 404, { error: 'Not Found' });
  };

  const server = await startSimulatorServer(
    async (req, res, url) => {
      if (url.pathname.startsWith('/_devnet/')) return devnet(req, res, url);
      requests += 1;
      const kavenegarPath = KAVENEGAR_PATH.exec(url.pathname);
      const isKavenegar = kavenegarPath !== null;
      if (!isKavenegar && !SMSIR_PATH.test(url.pathname)) return sendJson(res, 404, { error: 'Not Found' });
      const failure = failures.take();
      if (failure) return renderFailure(res, failure, isKavenegar);
      if (kavenegarPath) return kavenegar(req, res, url, kavenegarPath[1]!);
      return smsir(req, res);
    },
    { port: options.port ?? 0 },
  );

  return {
    url: server.url,
    close: server.close,
    setFailure: failures.set,
    requestCount: () => requests,
    messages: () => [...log],
    lastMessage,
    lastCode: (phone) => lastMessage(phone)?.code ?? null,
    clear: () => {
      log.length = 0;
    },
  };
}
