import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';

/**
 * uWallet's reseller API as its open-source client transcribes it (providers/uwallet/uwallet.wire.ts):
 * `POST /v1/voucher`, `POST /v1/voucher/use`, `GET /v1/transaction?id=`, `GET /v1/wallet`, header
 * `authorization: <token>`, numbered errors as `{ code, message }` with HTTP 400 (401 for a bad token).
 * Amounts are decimal strings in the coin's wire unit (Rial for HotVoucher). The account's balances pay for
 * created vouchers and receive used ones.
 *
 * Test/devnet control (not uWallet's): `POST /_devnet/issue` `{ coin, amount }` → `{ code }` (a voucher someone
 * else bought, to redeem); `POST /_devnet/next` `{ op: 'create' | 'use', outcome }` scripts the next call:
 * `pending` (use: answer pending, settle later), `hang-after` (do it, never answer), `hang-before` (never answer,
 * do nothing), `error-after` (do it, answer 500); `POST /_devnet/settle` `{ transactionId, status }` settles a
 * pending use; `PUT /_devnet/balance` `{ coin, free }`; `POST /_devnet/failure` `{ mode, times? }`.
 */
export interface UwalletSimulatorOptions {
  port?: number;
  tokens?: readonly string[];
  /** Free balance per coin in wire units (decimal text). Default 1e12 of each coin. */
  balances?: Record<string, string>;
  /** Coins the account knows (others: 10019). Default HotVoucher, PSVoucher, UUSD. */
  coins?: readonly string[];
  failMode?: FailureMode | FailureSpec | null;
}

export type ScriptedOutcome = 'pending' | 'hang-after' | 'hang-before' | 'error-after';

interface SimVoucher {
  coin: string;
  amount: bigint; // wire units × 100 (cents of the wire unit), to keep exact decimals
  used: boolean;
}
interface SimTransaction {
  id: string;
  kind: 'create' | 'use';
  coin: string;
  status: 'confirm' | 'pending' | 'reject';
  receive: bigint;
  code: string;
}

export interface UwalletSimulator extends ProviderSimulator {
  /** A fresh code worth `amount` (wire units, decimal text) of `coin`, not paid from the account. */
  issue(coin: string, amount: string): string;
  script(op: 'create' | 'use', outcome: ScriptedOutcome): void;
  settle(transactionId: string, status: 'confirm' | 'reject'): void;
  setBalance(coin: string, free: string): void;
  balance(coin: string): string;
  /** Creations that happened (including ones whose answer was withheld). */
  created(): readonly { transactionId: string; coin: string; amount: string; code: string }[];
  transactions(): readonly SimTransaction[];
}

export const UWALLET_SIMULATOR_TOKEN = 'devnet-uwallet-token';

const ERR: Record<number, string> = {
  10009: 'Code is not valid',
  10018: 'Amount is not valid',
  10019: 'Coin does not exist',
  10022: 'Insufficient balance',
  10049: 'Code already used',
  10050: 'Code is being processed',
};

function toHundredths(text: unknown): bigint | null {
  const match =
    typeof text === 'string' || typeof text === 'number' ? /^(\d+)(?:\.(\d{1,2}))?$/.exec(String(text)) : null;
  if (!match) return null;
  return BigInt(match[1]!) * 100n + BigInt((match[2] ?? '').padEnd(2, '0'));
}
function fromHundredths(v: bigint): string {
  const whole = v / 100n;
  const frac = v % 100n;
  return frac === 0n ? whole.toString() : `${whole}.${frac.toString().padStart(2, '0').replace(/0$/, '')}`;
}

export async function startUwalletSimulator(options: UwalletSimulatorOptions = {}): Promise<UwalletSimulator> {
  const tokens = new Set(options.tokens ?? [UWALLET_SIMULATOR_TOKEN]);
  const coins = new Set(options.coins ?? ['HotVoucher', 'PSVoucher', 'UUSD']);
  const balances = new Map<string, bigint>();
  for (const coin of coins) balances.set(coin, toHundredths(options.balances?.[coin] ?? '1000000000000')!);
  const vouchers = new Map<string, SimVoucher>();
  const txs = new Map<string, SimTransaction>();
  const creations: { transactionId: string; coin: string; amount: string; code: string }[] = [];
  const scripts: Record<'create' | 'use', ScriptedOutcome[]> = { create: [], use: [] };
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;
  let nextTx = 700_000;

  const newCode = (coin: string) =>
    `${coin === 'HotVoucher' ? 'IRR' : coin.slice(0, 3).toUpperCase()}${randomBytes(24).toString('hex')}`;
  const error = (res: ServerResponse, code: number, status = 400) =>
    sendJson(res, status, { code, message: ERR[code] ?? 'Error' });

  const issue = (coin: string, amount: string): string => {
    const value = toHundredths(amount);
    if (value === null) throw new Error(`bad amount ${amount}`);
    const code = newCode(coin);
    vouchers.set(code, { coin, amount: value, used: false });
    return code;
  };
  const settle = (id: string, status: 'confirm' | 'reject') => {
    const tx = txs.get(id);
    if (!tx || tx.status !== 'pending') throw new Error(`no pending transaction ${id}`);
    tx.status = status;
    const voucher = vouchers.get(tx.code)!;
    if (status === 'confirm') balances.set(tx.coin, (balances.get(tx.coin) ?? 0n) + tx.receive);
    else voucher.used = false;
  };

  const server = await startSimulatorServer(
    async (req, res, url) => {
      const path = url.pathname.replace(/\/+$/, '');
      if (path.startsWith('/_devnet/')) {
        const body =
          req.method === 'GET' ? {} : (JSON.parse((await readRequestBody(req)) || '{}') as Record<string, unknown>);
        if (path === '/_devnet/issue')
          return sendJson(res, 200, { code: issue(String(body.coin), String(body.amount)) });
        if (path === '/_devnet/next') {
          scripts[body.op as 'create' | 'use'].push(body.outcome as ScriptedOutcome);
          return sendJson(res, 200, { ok: true });
        }
        if (path === '/_devnet/settle') {
          settle(String(body.transactionId), body.status as 'confirm' | 'reject');
          return sendJson(res, 200, { ok: true });
        }
        if (path === '/_devnet/balance') {
          balances.set(String(body.coin), toHundredths(String(body.free))!);
          return sendJson(res, 200, { ok: true });
        }
        if (path === '/_devnet/failure') {
          failures.set((body.mode as FailureMode | null) ? (body as unknown as FailureSpec) : null);
          return sendJson(res, 200, { ok: true });
        }
        return sendJson(res, 404, { message: 'Not Found' });
      }
      requests += 1;
      const failure = failures.take();
      if (failure?.mode === 'hang') return;
      if (failure?.mode === 'server-error') return sendJson(res, 500, { message: 'Internal Server Error' });
      if (failure?.mode === 'rate-limit')
        return sendJson(
          res,
          429,
          { message: 'Too Many Requests' },
          { 'retry-after': String(failure.retryAfterSeconds ?? 1) },
        );
      if (failure?.mode === 'malformed-json') return sendJson(res, 200, '{"code":');
      if (!tokens.has(String(req.headers.authorization ?? ''))) return sendJson(res, 401, { message: 401 });

      if (req.method === 'GET' && path === '/v1/wallet') {
        return sendJson(
          res,
          200,
          [...balances].map(([coin, free]) => ({
            coin,
            amount: fromHundredths(free),
            free: fromHundredths(free),
            blocked: '0',
          })),
        );
      }
      if (req.method === 'GET' && path === '/v1/transaction') {
        const tx = txs.get(url.searchParams.get('id') ?? '');
        return sendJson(
          res,
          200,
          tx
            ? [
                {
                  id: tx.id,
                  type: tx.kind,
                  coin: tx.coin,
                  status: tx.status,
                  receive: fromHundredths(tx.receive),
                  fee: '0',
                },
              ]
            : [],
        );
      }
      if (req.method !== 'POST') return sendJson(res, 404, { message: 'Not Found' });
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readRequestBody(req)) as Record<string, unknown>;
      } catch {
        return error(res, 10018);
      }
      const coin = String(body.coin ?? '');
      if (!coins.has(coin)) return error(res, 10019);

      if (path === '/v1/voucher') {
        const outcome = scripts.create.shift();
        if (outcome === 'hang-before') return;
        const amount = toHundredths(body.amount);
        if (amount === null || amount <= 0n) return error(res, 10018);
        const free = balances.get(coin) ?? 0n;
        if (free < amount) return error(res, 10022);
        balances.set(coin, free - amount);
        const code = newCode(coin);
        vouchers.set(code, { coin, amount, used: false });
        const id = String(nextTx++);
        txs.set(id, { id, kind: 'create', coin, status: 'confirm', receive: amount, code });
        creations.push({ transactionId: id, coin, amount: fromHundredths(amount), code });
        if (outcome === 'hang-after') return;
        if (outcome === 'error-after') return sendJson(res, 500, { message: 'Internal Server Error' });
        return sendJson(res, 200, { code, transactionId: id });
      }
      if (path === '/v1/voucher/use') {
        const outcome = scripts.use.shift();
        if (outcome === 'hang-before') return;
        const code = String(body.code ?? '');
        const voucher = vouchers.get(code);
        if (!voucher || voucher.coin !== coin) return error(res, 10009);
        const inFlight = [...txs.values()].some((t) => t.code === code && t.kind === 'use' && t.status === 'pending');
        if (inFlight) return error(res, 10050);
        if (voucher.used) return error(res, 10049);
        voucher.used = true;
        const id = String(nextTx++);
        const pending = outcome === 'pending';
        txs.set(id, { id, kind: 'use', coin, status: pending ? 'pending' : 'confirm', receive: voucher.amount, code });
        if (!pending) balances.set(coin, (balances.get(coin) ?? 0n) + voucher.amount);
        if (outcome === 'hang-after') return;
        if (outcome === 'error-after') return sendJson(res, 500, { message: 'Internal Server Error' });
        return sendJson(res, 200, {
          status: pending ? 'pending' : 'confirm',
          transactionId: id,
          receive: fromHundredths(voucher.amount),
        });
      }
      return sendJson(res, 404, { message: 'Not Found' });
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
    settle,
    setBalance: (coin, free) => balances.set(coin, toHundredths(free)!),
    balance: (coin) => fromHundredths(balances.get(coin) ?? 0n),
    created: () => creations,
    transactions: () => [...txs.values()],
  };
}
