import type { IncomingMessage, ServerResponse } from 'node:http';
import type { MikroORM } from '../../../platform/db/orm.js';
import { readBody, type RouteHandler } from '../../../platform/http/server.js';
import type { Logger } from '../../../platform/logger.js';
import type { PaystarGateway } from '../../../providers/paystar/paystar.port.js';
import { PAYMENT_FINAL, Payment } from './payment.entity.js';
import type { PaymentService } from './payment.service.js';

export const CALLBACK_PATH = '/payments/paystar/callback';
export const RESULT_PATH = '/payments/result';

/** How long a callback that lost the race waits for the winner's answer before redirecting with the state so far. */
const WAIT_FOR_WINNER_MS = 8000;

function page(res: ServerResponse, status: number, title: string, text: string): void {
  const body = `<!doctype html><html lang="fa" dir="rtl"><head><meta charset="utf-8"><title>${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`;
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': Buffer.byteLength(body),
    'cache-control': 'no-store',
    'referrer-policy': 'no-referrer',
  });
  res.end(body);
}

async function params(req: IncomingMessage, url: URL): Promise<Record<string, string>> {
  const out: Record<string, string> = Object.fromEntries(url.searchParams.entries());
  if (req.method === 'POST') {
    const body = await readBody(req, 16_384);
    for (const [k, v] of new URLSearchParams(body).entries()) out[k] = v;
  }
  return out;
}

/**
 * Paystar sends the browser here (GET or form POST) after the payment page. The request is unsigned and may be
 * replayed or forged: it only triggers `PaymentService.callback`, which asks Paystar itself. The browser is then
 * redirected (303) to the result page with the payment id and its state: refreshing it settles nothing again.
 */
export function paystarCallbackRoute(
  orm: MikroORM,
  paystar: PaystarGateway,
  payments: PaymentService,
  resultUrl: string,
  log: Logger,
): RouteHandler {
  return async (req, res, url) => {
    if (req.method !== 'GET' && req.method !== 'POST') {
      page(res, 405, 'Method not allowed', '');
      return;
    }
    let callback;
    try {
      callback = paystar.parseCallback(await params(req, url));
    } catch {
      page(res, 400, 'Invalid callback', 'This is not a payment callback.');
      return;
    }
    const em = orm.em.fork();
    const { payment, outcome } = await payments.callback(em, callback);
    if (!payment) {
      page(res, 404, 'Unknown payment', 'No such payment.');
      return;
    }
    let status: string = payment.status;
    if (outcome === 'BUSY') {
      const deadline = Date.now() + WAIT_FOR_WINNER_MS;
      while (Date.now() < deadline) {
        const row = await orm.em.fork().findOne(Payment, { id: payment.id });
        status = row?.status ?? status;
        if (row && PAYMENT_FINAL.includes(row.status)) break;
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    log.debug({ paymentId: payment.id, status }, 'paystar callback handled');
    const target = new URL(resultUrl);
    target.searchParams.set('payment', payment.id);
    target.searchParams.set('status', status);
    res.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' });
    res.end();
  };
}

const RESULT_TEXT: Record<string, [string, string]> = {
  PAID: ['پرداخت موفق', 'مبلغ به کیف پول تومانی شما اضافه شد.'],
  FAILED: ['پرداخت ناموفق', 'پرداخت انجام نشد. اگر مبلغی کسر شده باشد، بانک آن را برمی‌گرداند.'],
  REFUSED: ['پرداخت رد شد', 'پرداخت با کارت یا مبلغ دیگری انجام شد و پذیرفته نشد.'],
};

/** A minimal result page (the Mini App can be set as PAYMENT_RESULT_URL instead). Shows the state only. */
export function resultRoute(): RouteHandler {
  return (_req, res, url) => {
    const status = url.searchParams.get('status') ?? '';
    const [title, text] = RESULT_TEXT[status] ?? [
      'در حال بررسی',
      'پرداخت در حال بررسی است؛ نتیجه به‌زودی در برنامه دیده می‌شود.',
    ];
    page(res, 200, title, text);
  };
}
