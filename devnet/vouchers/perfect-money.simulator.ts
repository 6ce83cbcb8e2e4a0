import { randomInt } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, startSimulatorServer } from '../http/simulator.server.js';
import type { ScriptedOutcome } from './uwallet.simulator.js';

/**
 * Perfect Money's account pages for e-vouchers (`/ev_create.asp`, `/ev_activate.asp`, `/balance.asp`, form POST or
 * query GET with `AccountID`, `PassPhrase`), answering HTML pages of hidden inputs, or an `ERROR` input.
 * One USD wallet per account; amounts exact in cents. Control: `POST /_devnet/issue` `{ amount }` →
 * `{ code: "<num>-<code>" }`, `POST /_devnet/next` `{ op, outcome }`, `POST /_devnet/failure`.
 */
export interface PerfectMoneySimulatorOptions {
  port?: number;
  accountId?: string;
  passPhrase?: string;
  usdAccount?: string;
  /** USD balance, decimal text; default 1,000,000. */
  balance?: string;
  failMode?: FailureMode | FailureSpec | null;
}

export const PERFECT_MONEY_SIMULATOR = { accountId: '1000001', passPhrase: 'devnet-pm-pass', usdAccount: 'U1000001' };

export interface PerfectMoneySimulator extends ProviderSimulator {
  issue(amount: string): string;
  script(op: 'create' | 'use', outcome: Exclude<ScriptedOutcome, 'pending'>): void;
  balance(): string;
  setBalance(amount: string): void;
}

function page(res: ServerResponse, inputs: Record<string, string>): void {
  const body = `<html><head><title>Perfect Money</title></head><body>\n${Object.entries(inputs)
    .map(([k, v]) => `<input name='${k}' type='hidden' value='${v}'>`)
    .join('\n')}\n</body></html>`;
  res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
  res.end(body);
}
const cents = (text: string | undefined | null): bigint | null => {
  const m = /^(\d+)(?:\.(\d{1,2}))?$/.exec(text ?? '');
  return m ? BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0')) : null;
};
const usd = (v: bigint) => `${v / 100n}.${(v % 100n).toString().padStart(2, '0')}`;

export async function startPerfectMoneySimulator(
  options: PerfectMoneySimulatorOptions = {},
): Promise<PerfectMoneySimulator> {
  const account = { ...PERFECT_MONEY_SIMULATOR, ...options };
  let balance = cents(options.balance ?? '1000000')!;
  const vouchers = new Map<string, { code: string; amount: bigint; used: boolean }>();
  const scripts: Record<'create' | 'use', string[]> = { create: [], use: [] };
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;
  let nextBatch = 300_000_000;

  const issue = (amount: string) => {
    const number = String(randomInt(1_000_000_000, 9_999_999_999));
    const code = String(randomInt(1_000_000_000, 9_999_999_999)) + String(randomInt(100_000, 999_999));
    vouchers.set(number, { code, amount: cents(amount)!, used: false });
    return `${number}-${code}`;
  };

  const server = await startSimulatorServer(
    async (req, res, url) => {
      const text = req.method === 'POST' ? await readRequestBody(req) : '';
      if (url.pathname.startsWith('/_devnet/')) {
        const body = JSON.parse(text || '{}') as Record<string, unknown>;
        res.setHeader('content-type', 'application/json');
        if (url.pathname === '/_devnet/issue')
          return void res.end(JSON.stringify({ code: issue(String(body.amount)) }));
        if (url.pathname === '/_devnet/next') {
          scripts[body.op as 'create' | 'use'].push(String(body.outcome));
          return void res.end('{"ok":true}');
        }
        if (url.pathname === '/_devnet/failure') {
          failures.set(body.mode ? (body as unknown as FailureSpec) : null);
          return void res.end('{"ok":true}');
        }
        res.statusCode = 404;
        return void res.end('{}');
      }
      requests += 1;
      const failure = failures.take();
      if (failure?.mode === 'hang') return;
      if (failure?.mode === 'server-error' || failure?.mode === 'rate-limit' || failure?.mode === 'malformed-json') {
        res.writeHead(failure.mode === 'rate-limit' ? 429 : failure.mode === 'server-error' ? 500 : 200, {
          'content-type': 'text/html',
        });
        return void res.end(
          failure.mode === 'malformed-json' ? '<html><body>Service temporarily' : '<html><body>Error</body></html>',
        );
      }
      const form = req.method === 'POST' ? new URLSearchParams(text) : url.searchParams;
      if (form.get('AccountID') !== account.accountId || form.get('PassPhrase') !== account.passPhrase)
        return page(res, { ERROR: 'Can not login with passed AccountID and PassPhrase' });
      switch (url.pathname) {
        case '/balance.asp':
          return page(res, { [account.usdAccount]: usd(balance) });
        case '/ev_create.asp': {
          const outcome = scripts.create.shift();
          if (outcome === 'hang-before') return;
          if (form.get('Payer_Account') !== account.usdAccount) return page(res, { ERROR: 'Invalid Payer_Account' });
          const amount = cents(form.get('Amount'));
          if (amount === null || amount < 1n) return page(res, { ERROR: 'Invalid Amount' });
          if (amount > balance) return page(res, { ERROR: 'Not enough money to pay' });
          balance -= amount;
          const [number, code] = issue(usd(amount)).split('-') as [string, string];
          if (outcome === 'hang-after') return;
          return page(res, {
            Payer_Account: account.usdAccount,
            PAYMENT_AMOUNT: usd(amount),
            PAYMENT_BATCH_NUM: String(nextBatch++),
            VOUCHER_NUM: number,
            VOUCHER_CODE: code,
            VOUCHER_AMOUNT: usd(amount),
          });
        }
        case '/ev_activate.asp': {
          const outcome = scripts.use.shift();
          if (outcome === 'hang-before') return;
          if (form.get('Payee_Account') !== account.usdAccount) return page(res, { ERROR: 'Invalid Payee_Account' });
          const voucher = vouchers.get(form.get('ev_number') ?? '');
          if (!voucher) return page(res, { ERROR: 'Invalid ev_number' });
          if (voucher.code !== form.get('ev_code')) return page(res, { ERROR: 'Invalid ev_code' });
          if (voucher.used) return page(res, { ERROR: 'Voucher already activated' });
          voucher.used = true;
          balance += voucher.amount;
          if (outcome === 'hang-after') return;
          return page(res, {
            VOUCHER_NUM: form.get('ev_number')!,
            VOUCHER_AMOUNT: usd(voucher.amount),
            VOUCHER_AMOUNT_CURRENCY: '1',
            PAYMENT_BATCH_NUM: String(nextBatch++),
            Payee_Account: account.usdAccount,
          });
        }
        default:
          res.writeHead(404, { 'content-type': 'text/html' });
          return void res.end('<html><body>Not Found</body></html>');
      }
    },
    options.port === undefined ? {} : { port: options.port },
  );

  return {
    url: server.url,
    close: () => server.close(),
    setFailure: (spec) => failures.set(spec),
    requestCount: () => requests,
    issue,
    script: (op, outcome) => scripts[op].push(outcome),
    balance: () => usd(balance),
    setBalance: (amount) => {
      balance = cents(amount)!;
    },
  };
}
