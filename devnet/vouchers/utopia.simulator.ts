import { randomBytes } from 'node:crypto';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';
import type { ScriptedOutcome } from './uwallet.simulator.js';

/**
 * The Utopia client's JSON API (`POST /api/1.0/` `{ method, token, params }` → `{ result }` | `{ error }`) for the
 * methods the voucher provider uses: createVoucher, getFinanceHistory (ALL_VOUCHERS rows `{ referenceNumber,
 * amount, voucherid, created, direction }`), useVoucher, getBalance, getFinanceSystemInformation.
 * Amounts are kept exactly in 1e-8 units. Control: `POST /_devnet/issue` `{ currency, amount }` → `{ code }`,
 * `POST /_devnet/next` `{ op, outcome }` (`hang-after`, `hang-before`, `error-after`), `POST /_devnet/failure`.
 */
export interface UtopiaSimulatorOptions {
  port?: number;
  token?: string;
  /** Balances as decimal text; default 1e9 of each. */
  balances?: { UUSD?: string; CRP?: string };
  failMode?: FailureMode | FailureSpec | null;
}

export const UTOPIA_SIMULATOR_TOKEN = 'DEVNETUTOPIATOKEN0000000000000000';

type Currency = 'UUSD' | 'CRP';
interface Row {
  referenceNumber: string;
  amount: bigint;
  voucherid: string;
  currency: Currency;
  direction: 'created' | 'used';
  created: string;
}

export interface UtopiaSimulator extends ProviderSimulator {
  issue(currency: Currency, amount: string): string;
  script(op: 'create' | 'use', outcome: Exclude<ScriptedOutcome, 'pending'>): void;
  balance(currency: Currency): string;
  setBalance(currency: Currency, amount: string): void;
  rows(): readonly Row[];
}

const UNIT = 100_000_000n;
function toUnits(value: unknown): bigint | null {
  const text = typeof value === 'number' ? String(value) : typeof value === 'string' ? value : '';
  const m = /^(\d+)(?:\.(\d{1,8}))?$/.exec(text);
  return m ? BigInt(m[1]!) * UNIT + BigInt((m[2] ?? '').padEnd(8, '0')) : null;
}
function fromUnits(v: bigint): string {
  const frac = (v % UNIT).toString().padStart(8, '0').replace(/0+$/, '');
  return frac ? `${v / UNIT}.${frac}` : `${v / UNIT}`;
}

export async function startUtopiaSimulator(options: UtopiaSimulatorOptions = {}): Promise<UtopiaSimulator> {
  const token = options.token ?? UTOPIA_SIMULATOR_TOKEN;
  const balances: Record<Currency, bigint> = {
    UUSD: toUnits(options.balances?.UUSD ?? '1000000000')!,
    CRP: toUnits(options.balances?.CRP ?? '1000000000')!,
  };
  const vouchers = new Map<string, { currency: Currency; amount: bigint; used: boolean }>();
  const rows: Row[] = [];
  const scripts: Record<'create' | 'use', string[]> = { create: [], use: [] };
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;
  let nextRef = 5_000_000;

  const newCode = () => randomBytes(16).toString('hex').toUpperCase();
  const issue = (currency: Currency, amount: string) => {
    const code = newCode();
    vouchers.set(code, { currency, amount: toUnits(amount)!, used: false });
    return code;
  };

  const server = await startSimulatorServer(
    async (req, res, url) => {
      const path = url.pathname.replace(/\/+$/, '');
      if (path.startsWith('/_devnet/')) {
        const body = JSON.parse((await readRequestBody(req)) || '{}') as Record<string, unknown>;
        if (path === '/_devnet/issue')
          return sendJson(res, 200, { code: issue(body.currency as Currency, String(body.amount)) });
        if (path === '/_devnet/next') {
          scripts[body.op as 'create' | 'use'].push(String(body.outcome));
          return sendJson(res, 200, { ok: true });
        }
        if (path === '/_devnet/failure') {
          failures.set(body.mode ? (body as unknown as FailureSpec) : null);
          return sendJson(res, 200, { ok: true });
        }
        return sendJson(res, 404, { error: 'not found' });
      }
      if (req.method !== 'POST' || path !== '/api/1.0') return sendJson(res, 404, { error: 'not found' });
      requests += 1;
      const failure = failures.take();
      if (failure?.mode === 'hang') return;
      if (failure?.mode === 'server-error') return sendJson(res, 500, { error: 'internal error' });
      if (failure?.mode === 'rate-limit')
        return sendJson(res, 429, { error: 'too many requests' }, { 'retry-after': '1' });
      if (failure?.mode === 'malformed-json') return sendJson(res, 200, '{"result":');
      let call: { method?: string; token?: string; params?: Record<string, unknown> };
      try {
        call = JSON.parse(await readRequestBody(req)) as typeof call;
      } catch {
        return sendJson(res, 200, { error: 'Invalid request' });
      }
      if (call.token !== token) return sendJson(res, 200, { error: 'Invalid token' });
      const p = call.params ?? {};
      switch (call.method) {
        case 'getBalance':
          return sendJson(res, 200, `{"result":${fromUnits(p.currency === 'USD' ? balances.UUSD : balances.CRP)}}`);
        case 'getFinanceSystemInformation': {
          const side = {
            vouchersMinAmount: 0.01,
            vouchersCreateEnabled: true,
            vouchersUseEnabled: true,
            vouchersMaxActive: 1000,
          };
          return sendJson(res, 200, { result: { CRP: { ...side, vouchersMinAmount: 1 }, USD: side, PoS: false } });
        }
        case 'createVoucher': {
          const outcome = scripts.create.shift();
          if (outcome === 'hang-before') return;
          const currency = p.currency === 'UUSD' ? 'UUSD' : p.currency === 'CRP' ? 'CRP' : null;
          const amount = toUnits(p.amount);
          if (!currency) return sendJson(res, 200, { error: 'Invalid currency' });
          if (amount === null || amount < UNIT / 100n)
            return sendJson(res, 200, { error: 'Invalid amount: below the minimum' });
          if (balances[currency] < amount) return sendJson(res, 200, { error: 'Insufficient funds' });
          balances[currency] -= amount;
          const code = newCode();
          vouchers.set(code, { currency, amount, used: false });
          const referenceNumber = String(nextRef++);
          rows.push({
            referenceNumber,
            amount,
            voucherid: code,
            currency,
            direction: 'created',
            created: new Date().toISOString(),
          });
          if (outcome === 'hang-after') return;
          if (outcome === 'error-after') return sendJson(res, 500, { error: 'internal error' });
          return sendJson(res, 200, { result: referenceNumber });
        }
        case 'useVoucher': {
          const outcome = scripts.use.shift();
          if (outcome === 'hang-before') return;
          const voucher = vouchers.get(String(p.voucherid ?? ''));
          if (!voucher) return sendJson(res, 200, { error: 'Voucher not found' });
          if (voucher.used) return sendJson(res, 200, { error: 'Voucher already used' });
          voucher.used = true;
          balances[voucher.currency] += voucher.amount;
          const referenceNumber = String(nextRef++);
          rows.push({
            referenceNumber,
            amount: voucher.amount,
            voucherid: String(p.voucherid),
            currency: voucher.currency,
            direction: 'used',
            created: new Date().toISOString(),
          });
          if (outcome === 'hang-after') return;
          if (outcome === 'error-after') return sendJson(res, 500, { error: 'internal error' });
          return sendJson(res, 200, { result: referenceNumber });
        }
        case 'getFinanceHistory': {
          const from = typeof p.fromDate === 'string' && p.fromDate ? Date.parse(p.fromDate) : null;
          const lo = toUnits(p.fromAmount);
          const hi = toUnits(p.toAmount);
          const found = rows.filter(
            (r) =>
              (!p.currency || r.currency === p.currency) &&
              (!p.referenceNumber || r.referenceNumber === p.referenceNumber) &&
              (from === null || Date.parse(r.created) >= from) &&
              (lo === null || r.amount >= lo) &&
              (hi === null || r.amount <= hi) &&
              (p.referenceNumber || r.direction === 'created'),
          );
          const text = found
            .map(
              (r) =>
                `{"referenceNumber":"${r.referenceNumber}","amount":${fromUnits(r.amount)},"voucherid":"${r.voucherid}","currency":"${r.currency}","created":"${r.created}","direction":"${r.direction}"}`,
            )
            .join(',');
          return sendJson(res, 200, `{"result":[${text}]}`);
        }
        default:
          return sendJson(res, 200, { error: `Unknown method ${String(call.method)}` });
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
    balance: (c) => fromUnits(balances[c]),
    setBalance: (c, amount) => {
      balances[c] = toUnits(amount)!;
    },
    rows: () => rows,
  };
}
