import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExonyxSimulator, type ExonyxSimulator } from '../../devnet/exonyx/exonyx.simulator.js';
import { formatDecimal } from '../http/scaled-decimal.js';
import {
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
} from '../http/http.errors.js';
import { createExonyxClient, type ExonyxClient } from './exonyx.client.js';

let sim: ExonyxSimulator;
let client: ExonyxClient;
const TRON_TO = 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8';
const BSC_TO = '0x8ba1f109551bD432803012645Ac136ddd64DBA72';

beforeAll(async () => {
  sim = await startExonyxSimulator({ balances: { USDT: '1000.123456', TRX: '50' } });
  client = createExonyxClient({
    baseUrl: sim.url,
    apiKey: 'exonyx-dev-key',
    resilience: { timeoutMs: 1_000, retries: 2, backoff: { initialMs: 10, maxMs: 20 }, breaker: false },
  });
});
afterAll(async () => {
  await sim?.close();
});

describe('Exonyx client against the simulator', () => {
  it('reads the reseller balances exactly, with the apiKey header', async () => {
    const balances = await client.balances();
    expect(balances.map((b) => [b.currency, formatDecimal(b.balance)])).toEqual([
      ['USDT', '1000.123456'],
      ['TRX', '50'],
    ]);
    const stranger = createExonyxClient({
      baseUrl: sim.url,
      apiKey: 'wrong',
      resilience: { retries: 0, breaker: false },
    });
    const err = await stranger.balances().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderResponseError);
    expect((err as ProviderResponseError).status).toBe(401);
  });

  it('a withdrawal debits once per unique_param, even when the answer is lost and the request retried', async () => {
    const before = sim.withdrawals().length;
    sim.loseAnswers(1);
    const first = await client.createWithdrawal({
      currency: 'USDT',
      network: 'TRC-20',
      amount: '100.5',
      to_address: TRON_TO,
      unique_param: 'wdr_exonyx_1',
    });
    expect(first).toEqual({ uniqueParam: 'wdr_exonyx_1', status: 'pending', txId: null });
    const again = await client.createWithdrawal({
      currency: 'USDT',
      network: 'TRC-20',
      amount: '100.5',
      to_address: TRON_TO,
      unique_param: 'wdr_exonyx_1',
    });
    expect(again.uniqueParam).toBe('wdr_exonyx_1');
    expect(sim.withdrawals().length).toBe(before + 1);
    expect(sim.balance('USDT')).toBe('899.623456');
    sim.complete('wdr_exonyx_1', '0xabc');
    expect(
      await client.createWithdrawal({
        currency: 'USDT',
        network: 'TRC-20',
        amount: '100.5',
        to_address: TRON_TO,
        unique_param: 'wdr_exonyx_1',
      }),
    ).toEqual({ uniqueParam: 'wdr_exonyx_1', status: 'completed', txId: '0xabc' });
  });

  it('refuses a reused unique_param with other details, bad input and overdrafts (4xx, not retried)', async () => {
    await client.createWithdrawal({
      currency: 'USDT',
      network: 'BEP20',
      amount: '1',
      to_address: BSC_TO,
      unique_param: 'wdr_x',
    });
    const count = sim.requestCount();
    const errors = await Promise.all(
      [
        { currency: 'USDT', network: 'BEP20' as const, amount: '2', to_address: BSC_TO, unique_param: 'wdr_x' },
        { currency: 'USDT', network: 'BEP20' as const, amount: '1', to_address: TRON_TO, unique_param: 'wdr_y' },
        { currency: 'USDT', network: 'TRC-20' as const, amount: '999999', to_address: TRON_TO, unique_param: 'wdr_z' },
      ].map((r) => client.createWithdrawal(r).catch((e: unknown) => e)),
    );
    expect(errors.map((e) => (e as ProviderResponseError).status)).toEqual([422, 422, 422]);
    expect(sim.requestCount()).toBe(count + 3);
  });

  it('timeouts, 5xx and malformed bodies surface as the shared provider errors', async () => {
    sim.setFailure({ mode: 'hang', times: 3 });
    expect(await client.balances().catch((e: unknown) => e)).toBeInstanceOf(ProviderTimeoutError);
    sim.setFailure({ mode: 'malformed-json', times: 1 });
    expect(await client.balances().catch((e: unknown) => e)).toBeInstanceOf(ProviderParseError);
    sim.setFailure({ mode: 'rate-limit', times: 1, retryAfterSeconds: 30 });
    expect(await client.balances().catch((e: unknown) => e)).toBeInstanceOf(ProviderRateLimitedError);
  });
});
