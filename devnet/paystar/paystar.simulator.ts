import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { maskCard } from '../../providers/paystar/paystar.wire.js';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';

/**
 * Paystar IPG simulator speaking the wire format of providers/paystar (see its README for the sources):
 * - `POST /api/pardakht/create` (`Authorization: Bearer <gateway_id>`, JSON `{amount, order_id, callback, sign,
 *   card_number?, description?}`, sign = hex HMAC-SHA512(sign key, `amount#order_id#callback`)) →
 *   `{status: 1, message, data: {token, ref_num, order_id, payment_amount}}`;
 * - `GET|POST /api/pardakht/payment?token=` — the payment page the browser is sent to: amount, a card form, Pay and
 *   Cancel. Paying (or cancelling) answers an auto-submitting form that POSTs Paystar's callback fields to the
 *   merchant's callback URL: `status, order_id, ref_num, transaction_id` and, when paid, `card_number` (masked
 *   603799******5278), `hashed_card_number`, `tracking_code`. A payment restricted to a card refuses any other;
 * - `POST /api/pardakht/verify` `{ref_num, amount, sign}` with sign over `amount#ref_num#card_number#tracking_code`
 *   (card as masked in the callback): succeeds once per paid payment (`{status: 1, data: {price, ref_num,
 *   card_number}}`), then -6; unpaid → -8, unknown ref_num → -5, a sign that does not match → -1, another amount → -9;
 * - `POST /api/pardakht/inquiry` `{ref_num}` → `{status: 1, data: {ref_num, status, payment_amount, order_id,
 *   tracking_code, card_number, hashed_card_number, payment_date}}` with data.status 0 awaiting payment, 1 paid,
 *   -6 verified, -99 cancelled (safe to repeat).
 * Test control (dev only): `GET /_devnet/payments`, `GET /_devnet/payments/{ref_num}`, `POST /_devnet/pay`
 * `{token, card, cancel?}` (pay without a browser; answers the callback fields and the callback URL, which it does
 * not call), `POST /_devnet/failure` (`{mode, times?}` / `{mode: null}`).
 */
export interface PaystarSimulatorOptions {
  port?: number;
  /** Accepted gateways (gateway_id → sign key). Default: the dev gateway. */
  gateways?: Readonly<Record<string, string>>;
  failMode?: FailureMode | FailureSpec | null;
  /**
   * How the browser is sent back to the callback: `POST` (default, an auto-submitting form, as Paystar's samples
   * receive it) or `GET` (a 303 redirect with the same fields in the query string; the issue allows either).
   */
  callbackMethod?: 'POST' | 'GET';
}

export const PAYSTAR_SIMULATOR_DEFAULTS = {
  gatewayId: 'devnet-paystar-gateway',
  signKey: 'devnet-paystar-sign-key',
} as const;

export type SimulatedPaymentState = 'INIT' | 'PAID' | 'VERIFIED' | 'CANCELLED';

export interface SimulatedPayment {
  gatewayId: string;
  token: string;
  refNum: string;
  orderId: string;
  /** Rial. */
  amount: number;
  callback: string;
  /** The card the payment is restricted to, if any. */
  restrictedCard: string | null;
  description: string | null;
  state: SimulatedPaymentState;
  /** The card that paid (full; the simulator keeps it, the callback carries it masked). */
  paidCard: string | null;
  trackingCode: string | null;
  transactionId: string | null;
  verifyCalls: number;
  createdAt: string;
  paidAt: string | null;
}

export interface PaystarCallbackFields {
  status: string;
  order_id: string;
  ref_num: string;
  transaction_id: string;
  card_number?: string;
  hashed_card_number?: string;
  tracking_code?: string;
}

export interface PaystarSimulator extends ProviderSimulator {
  /** `<url>/api/pardakht`: the base URL the client is given. */
  readonly apiBaseUrl: string;
  payments(): readonly SimulatedPayment[];
  payment(refNumOrToken: string): SimulatedPayment | null;
  /** Pays (or cancels) as the payment page does; returns the callback URL and the fields it would post. */
  pay(
    token: string,
    card: string,
    options?: { cancel?: boolean },
  ): { ok: true; callback: string; fields: PaystarCallbackFields } | { ok: false; error: string };
}

const ANSWERS: Record<number, string> = {
  1: 'موفق',
  [-1]: 'درخواست نامعتبر (خطا در پارامترهای ورودی)',
  [-3]: 'توکن تکراری است',
  [-5]: 'شناسه ref_num معتبر نیست',
  [-6]: 'تراکنش قبلا وریفای شده است',
  [-7]: 'پارامترهای ارسال شده نامعتبر است',
  [-8]: 'تراکنش را نمیتوان وریفای کرد',
  [-9]: 'تراکنش وریفای نشد',
  [-99]: 'تراکنش ناموفق',
};

const answer = (res: ServerResponse, status: number, data?: unknown, http = 200) =>
  sendJson(res, http, { status, message: ANSWERS[status] ?? '', ...(data === undefined ? {} : { data }) });

const sign = (key: string, ...parts: Array<string | number>) =>
  createHmac('sha512', key).update(parts.map(String).join('#'), 'utf8').digest('hex');

const sameHex = (a: string, b: string) =>
  a.length === b.length && timingSafeEqual(Buffer.from(a.toLowerCase()), Buffer.from(b.toLowerCase()));

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const group = (n: number) => n.toLocaleString('en-US');

function luhn(card: string): boolean {
  let sum = 0;
  for (let i = 0; i < card.length; i += 1) {
    let d = Number(card[card.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

function paymentPage(p: SimulatedPayment, error: string | null): string {
  const toman = p.amount / 10;
  return `<!doctype html>
<html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>درگاه پرداخت پی‌استار (شبیه‌ساز)</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font-family:Tahoma,Arial,sans-serif;background:#f2f4f8;margin:0;padding:32px}
.card{max-width:420px;margin:auto;background:#fff;border-radius:12px;box-shadow:0 2px 12px #0002;padding:24px}
h1{font-size:18px;margin:0 0 16px}.row{display:flex;justify-content:space-between;margin:8px 0}
label{display:block;margin:16px 0 6px}input{width:100%;box-sizing:border-box;font-size:18px;padding:8px;direction:ltr;letter-spacing:2px}
.buttons{display:flex;gap:12px;margin-top:20px}button{flex:1;font-size:16px;padding:10px;border:0;border-radius:8px;cursor:pointer}
#pay{background:#1a7f37;color:#fff}#cancel{background:#d0d7de}.error{color:#b42318;margin-top:12px}.note{color:#57606a;font-size:12px}
</style></head><body><div class="card">
<h1>پرداخت اینترنتی — پی‌استار (شبیه‌ساز توسعه)</h1>
<div class="row"><span>مبلغ قابل پرداخت</span><strong id="amount" data-rial="${p.amount}">${group(p.amount)} ریال</strong></div>
<div class="row note"><span>معادل</span><span id="amount-toman">${group(toman)} تومان</span></div>
<div class="row note"><span>شماره سفارش</span><span id="order" dir="ltr">${escapeHtml(p.orderId)}</span></div>
${p.restrictedCard ? `<div class="row note"><span>فقط با کارت</span><span id="restricted" dir="ltr">${maskCard(p.restrictedCard)}</span></div>` : ''}
<form method="post" action="/api/pardakht/payment/submit">
<input type="hidden" name="token" value="${escapeHtml(p.token)}">
<label for="card">شماره کارت</label>
<input id="card" name="card" inputmode="numeric" autocomplete="cc-number" maxlength="16" placeholder="6037 99xx xxxx xxxx">
${error ? `<div class="error" id="error">${escapeHtml(error)}</div>` : ''}
<div class="buttons"><button id="pay" type="submit" name="action" value="pay">پرداخت</button>
<button id="cancel" type="submit" name="action" value="cancel" formnovalidate>انصراف</button></div>
</form></div></body></html>`;
}

function callbackPage(callback: string, fields: PaystarCallbackFields): string {
  const inputs = Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${escapeHtml(k)}" value="${escapeHtml(String(v))}">`)
    .join('\n');
  return `<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>بازگشت به سایت پذیرنده</title></head>
<body><form id="callback" method="post" action="${escapeHtml(callback)}">${inputs}
<noscript><button type="submit">بازگشت به سایت پذیرنده</button></noscript></form>
<script>document.getElementById('callback').submit()</script></body></html>`;
}

const sendHtml = (res: ServerResponse, status: number, html: string) => {
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(html) });
  res.end(html);
};

export async function startPaystarSimulator(options: PaystarSimulatorOptions = {}): Promise<PaystarSimulator> {
  const gateways = new Map(
    Object.entries(options.gateways ?? { [PAYSTAR_SIMULATOR_DEFAULTS.gatewayId]: PAYSTAR_SIMULATOR_DEFAULTS.signKey }),
  );
  const failures = createFailureSwitch(options.failMode ?? null);
  const byToken = new Map<string, SimulatedPayment>();
  const byRef = new Map<string, SimulatedPayment>();
  let requests = 0;
  let nextRef = 100_000;

  const gatewayOf = (req: IncomingMessage): string | null => {
    const auth = req.headers.authorization ?? '';
    const id = auth.startsWith('Bearer ') ? auth.slice(7).trim() : '';
    return gateways.has(id) ? id : null;
  };

  const readJson = async (req: IncomingMessage): Promise<Record<string, unknown> | null> => {
    const text = await readRequestBody(req);
    const type = req.headers['content-type'] ?? '';
    try {
      if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
      const parsed: unknown = JSON.parse(text);
      return parsed && typeof parsed === 'object' && !Array.isArray(parsed)
        ? (parsed as Record<string, unknown>)
        : null;
    } catch {
      return null;
    }
  };

  const pay: PaystarSimulator['pay'] = (token, card, opts = {}) => {
    const p = byToken.get(token);
    if (!p) return { ok: false, error: 'توکن نامعتبر است' };
    if (p.state !== 'INIT') return { ok: false, error: 'این تراکنش قبلا انجام شده است' };
    const base = { order_id: p.orderId, ref_num: p.refNum, transaction_id: p.transactionId ?? '' };
    if (opts.cancel) {
      p.state = 'CANCELLED';
      p.transactionId = String(nextRef++);
      return { ok: true, callback: p.callback, fields: { status: '-99', ...base, transaction_id: p.transactionId } };
    }
    const digits = card.replace(/[\s-]/g, '');
    if (!/^\d{16}$/.test(digits) || !luhn(digits)) return { ok: false, error: 'شماره کارت نامعتبر است' };
    if (p.restrictedCard && digits !== p.restrictedCard)
      return { ok: false, error: 'پرداخت فقط با کارت تعیین‌شده توسط پذیرنده مجاز است' };
    p.state = 'PAID';
    p.paidCard = digits;
    p.paidAt = new Date().toISOString();
    p.trackingCode = String(100_000_000 + Math.floor(Math.random() * 899_999_999));
    p.transactionId = String(nextRef++);
    return {
      ok: true,
      callback: p.callback,
      fields: {
        status: '1',
        order_id: p.orderId,
        ref_num: p.refNum,
        transaction_id: p.transactionId,
        card_number: maskCard(digits),
        hashed_card_number: createHash('sha256').update(digits).digest('hex').toUpperCase(),
        tracking_code: p.trackingCode,
      },
    };
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    const path = url.pathname.replace(/\/+$/, '');

    // Test control first: never subject to failure injection.
    if (path === '/_devnet/payments' && req.method === 'GET')
      return sendJson(res, 200, { payments: [...byRef.values()] });
    if (path.startsWith('/_devnet/payments/') && req.method === 'GET') {
      const p = byRef.get(decodeURIComponent(path.slice('/_devnet/payments/'.length)));
      return p ? sendJson(res, 200, p) : sendJson(res, 404, { error: 'unknown ref_num' });
    }
    if (path === '/_devnet/pay' && req.method === 'POST') {
      const body = (await readJson(req)) ?? {};
      const result = pay(String(body.token ?? ''), String(body.card ?? ''), { cancel: body.cancel === true });
      return sendJson(res, result.ok ? 200 : 400, result);
    }
    if (path === '/_devnet/failure' && req.method === 'POST') {
      const body = (await readJson(req)) ?? {};
      failures.set(body.mode ? (body as unknown as FailureSpec) : null);
      return sendJson(res, 200, { ok: true });
    }

    // The payment page (browser).
    if (path === '/api/pardakht/payment' && (req.method === 'GET' || req.method === 'POST')) {
      const form = req.method === 'POST' ? new URLSearchParams(await readRequestBody(req)) : url.searchParams;
      const token = form.get('token') ?? url.searchParams.get('token') ?? '';
      const p = byToken.get(token);
      if (!p) return sendHtml(res, 404, '<!doctype html><meta charset="utf-8"><p id="error">توکن نامعتبر است</p>');
      if (p.state !== 'INIT')
        return sendHtml(
          res,
          409,
          '<!doctype html><meta charset="utf-8"><p id="error">این تراکنش قبلا انجام شده است</p>',
        );
      return sendHtml(res, 200, paymentPage(p, null));
    }
    if (path === '/api/pardakht/payment/submit' && req.method === 'POST') {
      const form = new URLSearchParams(await readRequestBody(req));
      const token = form.get('token') ?? '';
      const result = pay(token, form.get('card') ?? '', { cancel: form.get('action') === 'cancel' });
      if (!result.ok) {
        const p = byToken.get(token);
        return p && p.state === 'INIT'
          ? sendHtml(res, 200, paymentPage(p, result.error))
          : sendHtml(res, 400, `<!doctype html><meta charset="utf-8"><p id="error">${escapeHtml(result.error)}</p>`);
      }
      if (options.callbackMethod === 'GET') {
        const target = new URL(result.callback);
        for (const [k, v] of Object.entries(result.fields)) target.searchParams.set(k, String(v));
        res.writeHead(303, { location: target.toString() });
        res.end();
        return;
      }
      return sendHtml(res, 200, callbackPage(result.callback, result.fields));
    }

    if (!path.startsWith('/api/pardakht/')) return sendJson(res, 404, { status: -1, message: 'Not Found' });
    requests += 1;
    const failure = failures.take();
    if (failure) {
      switch (failure.mode) {
        case 'hang':
          return;
        case 'rate-limit':
          return sendJson(
            res,
            429,
            { status: 0, message: 'Too Many Attempts.' },
            {
              'retry-after': String(failure.retryAfterSeconds ?? 1),
            },
          );
        case 'server-error':
          return sendJson(res, 500, { status: 0, message: 'Server Error' });
        case 'malformed-json':
          return sendJson(res, 200, '{"status":1,"data":{"token":');
      }
    }
    if (req.method !== 'POST') return answer(res, -1, undefined, 405);
    const gatewayId = gatewayOf(req);
    if (!gatewayId) return sendJson(res, 401, { status: 'unauthenticated', message: 'Unauthenticated.' });
    const key = gateways.get(gatewayId)!;
    const body = await readJson(req);
    if (!body) return answer(res, -1, undefined, 400);

    if (path === '/api/pardakht/create') {
      const amount = Number(body.amount);
      const orderId =
        typeof body.order_id === 'string' || typeof body.order_id === 'number' ? String(body.order_id) : '';
      const callback = typeof body.callback === 'string' ? body.callback : '';
      if (!Number.isSafeInteger(amount) || amount < 5_000 || !orderId || !/^https?:\/\//.test(callback))
        return answer(res, -7, undefined, 400);
      if (typeof body.sign !== 'string' || !sameHex(body.sign, sign(key, amount, orderId, callback)))
        return answer(res, -1, undefined, 400);
      const card = body.card_number === undefined || body.card_number === null ? null : String(body.card_number);
      if (card !== null && !/^\d{16}$/.test(card)) return answer(res, -7, undefined, 400);
      for (const p of byRef.values())
        if (p.gatewayId === gatewayId && p.orderId === orderId) return answer(res, -3, undefined, 400);
      const token = randomBytes(12).toString('hex');
      const refNum = `PS${String(nextRef++)}${randomBytes(3).toString('hex').toUpperCase()}`;
      const p: SimulatedPayment = {
        gatewayId,
        token,
        refNum,
        orderId,
        amount,
        callback,
        restrictedCard: card,
        description: typeof body.description === 'string' ? body.description : null,
        state: 'INIT',
        paidCard: null,
        trackingCode: null,
        transactionId: null,
        verifyCalls: 0,
        createdAt: new Date().toISOString(),
        paidAt: null,
      };
      byToken.set(token, p);
      byRef.set(refNum, p);
      return answer(res, 1, { token, ref_num: refNum, order_id: orderId, payment_amount: amount });
    }

    const refNum = typeof body.ref_num === 'string' ? body.ref_num : '';
    const p = byRef.get(refNum);
    if (!p || p.gatewayId !== gatewayId) return answer(res, -5, undefined, 400);

    if (path === '/api/pardakht/verify') {
      p.verifyCalls += 1;
      const amount = Number(body.amount);
      if (p.state === 'VERIFIED') return answer(res, -6, undefined, 400);
      if (p.state !== 'PAID') return answer(res, -8, undefined, 400);
      const expected = sign(key, amount, p.refNum, maskCard(p.paidCard!), p.trackingCode!);
      if (typeof body.sign !== 'string' || !sameHex(body.sign, expected)) return answer(res, -1, undefined, 400);
      if (amount !== p.amount) return answer(res, -9, undefined, 400);
      p.state = 'VERIFIED';
      return answer(res, 1, { price: p.amount, ref_num: p.refNum, card_number: maskCard(p.paidCard!) });
    }
    if (path === '/api/pardakht/inquiry') {
      const status = { INIT: 0, PAID: 1, VERIFIED: -6, CANCELLED: -99 }[p.state];
      return answer(res, 1, {
        ref_num: p.refNum,
        status,
        payment_amount: p.amount,
        order_id: p.orderId,
        tracking_code: p.trackingCode,
        card_number: p.paidCard ? maskCard(p.paidCard) : null,
        hashed_card_number: p.paidCard ? createHash('sha256').update(p.paidCard).digest('hex').toUpperCase() : null,
        payment_date: p.paidAt,
        ref_id: p.transactionId,
      });
    }
    return answer(res, -1, undefined, 404);
  };

  const server = await startSimulatorServer(handler, options.port === undefined ? {} : { port: options.port });
  return {
    url: server.url,
    apiBaseUrl: `${server.url}/api/pardakht`,
    close: () => server.close(),
    setFailure: (spec) => failures.set(spec),
    requestCount: () => requests,
    payments: () => [...byRef.values()],
    payment: (key) => byRef.get(key) ?? byToken.get(key) ?? null,
    pay,
  };
}
