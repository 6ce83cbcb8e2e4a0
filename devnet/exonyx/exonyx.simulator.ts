import type { IncomingMessage, ServerResponse } from 'node:http';
import { formatAmount } from '../../platform/money/amount.js';
import {
  createFailureSwitch,
  type FailureMode,
  type FailureSpec,
  type ProviderSimulator,
} from '../http/simulator.failures.js';
import { readRequestBody, sendJson, startSimulatorServer } from '../http/simulator.server.js';

/**
 * A local Exonyx reseller API speaking the format providers/exonyx uses (known: the two paths, the `apiKey`
 * header, `{ data: [{ currency, balance }] }`, the withdraw/create fields; inferred: the answer `{ data: {…} }`,
 * `{ message }` errors, deduplication by `unique_param`). A withdrawal debits the reseller balance once per
 * `unique_param`: the same request again answers the original withdrawal, a different request with a used
 * `unique_param` is refused (422). Tests and staff move withdrawals on with `complete` / `fail`.
 * Dev/test only: nothing in production imports devnet/.
 */
export interface ExonyxSimulatorOptions {
  port?: number;
  apiKeys?: readonly string[];
  /** Starting reseller balances per currency, in the currency's unit ("1000.5"). Default USDT 1,000,000. */
  balances?: Readonly<Record<string, string>>;
  failMode?: FailureMode | FailureSpec | null;
}

export interface SimulatedExonyxWithdrawal {
  uniqueParam: string;
  currency: string;
  network: 'TRC-20' | 'BEP20';
  amount: string;
  toAddress: string;
  status: 'pending' | 'completed' | 'failed';
  txId: string | null;
  createdAt: string;
}

export interface ExonyxSimulator extends ProviderSimulator {
  withdrawals(): readonly SimulatedExonyxWithdrawal[];
  balance(currency: string): string;
  complete(uniqueParam: string, txId: string): void;
  /** Fails a pending withdrawal and gives the amount back. */
  fail(uniqueParam: string): void;
  /** The next `times` withdraw/create requests are carried out and then answered 500 (a lost answer). */
  loseAnswers(times: number): void;
}

export const EXONYX_SIMULATOR_DEFAULTS = { apiKey: 'exonyx-dev-key' } as const;

/** Internal unit: 18 decimals, enough for every currency the reseller holds. */
const SCALE = 18;
const DECIMAL = /^(0|[1-9]\d*)(\.\d{1,18})?$/;
const ADDRESS = { 'TRC-20': /^T[1-9A-HJ-NP-Za-km-z]{33}$/, BEP20: /^0x[0-9a-fA-F]{40}$/ } as const;

function units(text: string): bigint {
  const [whole, fraction = ''] = text.split('.');
  return BigInt(whole!) * 10n ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, '0'));
}

export async function startExonyxSimulator(options: ExonyxSimulatorOptions = {}): Promise<ExonyxSimulator> {
  const keys = new Set(options.apiKeys ?? [EXONYX_SIMULATOR_DEFAULTS.apiKey]);
  const balances = new Map(Object.entries(options.balances ?? { USDT: '1000000' }).map(([c, v]) => [c, units(v)]));
  const withdrawals = new Map<string, SimulatedExonyxWithdrawal>();
  const failures = createFailureSwitch(options.failMode ?? null);
  let requests = 0;
  let lostAnswers = 0;

  const view = (w: SimulatedExonyxWithdrawal) => ({
    unique_param: w.uniqueParam,
    currency: w.currency,
    network: w.network,
    amount: w.amount,
    to_address: w.toAddress,
    status: w.status,
    tx_id: w.txId,
    created_at: w.createdAt,
  });

  const failure = (res: ServerResponse): boolean => {
    const f = failures.take();
    if (!f) return false;
    if (f.mode === 'hang') return true;
    if (f.mode === 'rate-limit')
      sendJson(res, 429, { message: 'Too Many Attempts.' }, { 'retry-after': String(f.retryAfterSeconds ?? 1) });
    else if (f.mode === 'server-error') sendJson(res, 500, { message: 'Server Error' });
    else sendJson(res, 200, '{"data": [');
    return true;
  };

  const handler = async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    requests++;
    if (failure(res)) return;
    const key = req.headers['apikey'];
    if (typeof key !== 'string' || !keys.has(key)) return sendJson(res, 401, { message: 'Unauthenticated.' });
    if (req.method === 'GET' && url.pathname === '/api/v1/reseller/wallet/index') {
      // Balances as JSON numbers with their exact text.
      const rows = [...balances].map(
        ([c, v]) => `{"currency":${JSON.stringify(c)},"balance":${formatAmount(v, SCALE)}}`,
      );
      return sendJson(res, 200, `{"data":[${rows.join(',')}]}`);
    }
    if (req.method === 'POST' && url.pathname === '/api/v1/reseller/withdraw/create') {
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(await readRequestBody(req)) as Record<string, unknown>;
      } catch {
        return sendJson(res, 400, { message: 'Malformed JSON.' });
      }
      const { currency, network, amount, to_address: to, unique_param: unique } = body;
      const errors: Record<string, string> = {};
      if (typeof currency !== 'string' || !balances.has(currency))
        errors.currency = 'The selected currency is invalid.';
      if (network !== 'TRC-20' && network !== 'BEP20') errors.network = 'The selected network is invalid.';
      if (typeof amount !== 'string' || !DECIMAL.test(amount) || units(amount) === 0n)
        errors.amount = 'The amount is invalid.';
      if (typeof to !== 'string' || ((network === 'TRC-20' || network === 'BEP20') && !ADDRESS[network].test(to)))
        errors.to_address = 'The to address is invalid.';
      if (typeof unique === 'string' && unique.length > 0 && unique.length <= 191) {
        /* ok */
      } else errors.unique_param = 'The unique param is invalid.';
      if (Object.keys(errors).length) return sendJson(res, 422, { message: 'The given data was invalid.', errors });
      const existing = withdrawals.get(unique as string);
      if (existing) {
        const same =
          existing.currency === currency &&
          existing.network === network &&
          existing.amount === amount &&
          existing.toAddress === to;
        if (!same) return sendJson(res, 422, { message: 'The unique param has already been taken.' });
        return sendJson(res, 200, { data: view(existing) });
      }
      const balance = balances.get(currency as string)!;
      if (units(amount as string) > balance) return sendJson(res, 422, { message: 'Insufficient balance.' });
      balances.set(currency as string, balance - units(amount as string));
      const w: SimulatedExonyxWithdrawal = {
        uniqueParam: unique as string,
        currency: currency as string,
        network: network as 'TRC-20' | 'BEP20',
        amount: amount as string,
        toAddress: to as string,
        status: 'pending',
        txId: null,
        createdAt: new Date().toISOString(),
      };
      withdrawals.set(w.uniqueParam, w);
      if (lostAnswers > 0) {
        lostAnswers--;
        return sendJson(res, 500, { message: 'Server Error' });
      }
      return sendJson(res, 200, { data: view(w) });
    }
    return sendJson(res, 404, { message: 'Not Found.' });
  };

  const server = await startSimulatorServer(handler, options.port === undefined ? {} : { port: options.port });
  const get = (uniqueParam: string) => {
    const w = withdrawals.get(uniqueParam);
    if (!w) throw new Error(`no Exonyx withdrawal ${uniqueParam}`);
    return w;
  };
  return {
    url: server.url,
    close: () => server.close(),
    setFailure: (spec) => failures.set(spec),
    requestCount: () => requests,
    withdrawals: () => [...withdrawals.values()],
    balance: (currency) => formatAmount(balances.get(currency) ?? 0n, SCALE),
    complete(uniqueParam, txId) {
      const w = get(uniqueParam);
      w.status = 'completed';
      w.txId = txId;
    },
    fail(uniqueParam) {
      const w = get(uniqueParam);
      if (w.status !== 'pending') throw new Error(`Exonyx withdrawal ${uniqueParam} is ${w.status}`);
      w.status = 'failed';
      balances.set(w.currency, (balances.get(w.currency) ?? 0n) + units(w.amount));
    },
    loseAnswers(times) {
      lostAnswers = times;
    },
  };
}
