import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startExonyxSimulator, type ExonyxSimulator } from '../../../devnet/exonyx/exonyx.simulator.js';
import { createLogger } from '../../../platform/logger.js';
import { createExonyxClient } from '../../../providers/exonyx/exonyx.client.js';
import { PayoutError } from '../payout/payout.errors.js';
import type { ChainPayout, PayoutRequest } from '../payout/payout.port.js';
import { ExonyxPayout, withExonyx } from './exonyx.payout.js';

let sim: ExonyxSimulator;
let tron: ExonyxPayout;
let bsc: ExonyxPayout;
const log = createLogger({ name: 'exonyx-test', level: 'silent' });

beforeAll(async () => {
  sim = await startExonyxSimulator({ balances: { USDT: '500' } });
  const client = createExonyxClient({
    baseUrl: sim.url,
    apiKey: 'exonyx-dev-key',
    resilience: { timeoutMs: 1_000, retries: 1, backoff: { initialMs: 10, maxMs: 10 }, breaker: false },
  });
  tron = new ExonyxPayout('TRON', client, log);
  bsc = new ExonyxPayout('BSC', client, log);
});
afterAll(async () => {
  await sim?.close();
});

const request = (over: Partial<PayoutRequest> = {}): PayoutRequest => ({
  network: 'TRON',
  asset: 'USDT_TRON',
  from: { kind: 'hot' },
  to: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8',
  amount: 12_500_000n,
  reference: 'wdr_exonyx_port_1',
  ...over,
});

describe('Exonyx as a payout backend', () => {
  it('quote, sign, broadcast (twice, as after a crash), status: one withdrawal, followed to CONFIRMED', async () => {
    const quote = await tron.quoteFee(request());
    expect(quote).toMatchObject({ feeAsset: 'TRX', maxFee: 0n, expectedFee: 0n });
    const signed = await tron.sign(request());
    expect(JSON.parse(signed.raw)).toEqual({
      currency: 'USDT',
      network: 'TRC-20',
      amount: '12.5',
      to_address: 'TJRabPrwbZy45sbavfcjinPJC18kjpRTv8',
      unique_param: 'wdr_exonyx_port_1',
    });
    await tron.broadcast(signed);
    await tron.broadcast(signed);
    expect(sim.withdrawals().filter((w) => w.uniqueParam === 'wdr_exonyx_port_1')).toHaveLength(1);
    expect(sim.balance('USDT')).toBe('487.5');
    expect((await tron.status(signed)).state).toBe('PENDING');
    sim.complete('wdr_exonyx_port_1', 'f'.repeat(64));
    expect(await tron.status(signed)).toEqual({ state: 'CONFIRMED', confirmations: 1, fee: null, blockNumber: null });
    expect(sim.balance('USDT')).toBe('487.5');
  });

  it('BEP20 amounts use the 18 decimals of USDT on BSC; a failed withdrawal reads FAILED', async () => {
    const r = request({
      network: 'BSC',
      asset: 'USDT_BSC',
      to: '0x8ba1f109551bD432803012645Ac136ddd64DBA72',
      amount: 3n * 10n ** 18n + 1n,
      reference: 'wdr_exonyx_port_2',
    });
    const signed = await bsc.sign(r);
    expect(JSON.parse(signed.raw)).toMatchObject({ network: 'BEP20', amount: '3.000000000000000001' });
    await bsc.broadcast(signed);
    sim.fail('wdr_exonyx_port_2');
    expect((await bsc.status(signed)).state).toBe('FAILED');
  });

  it('refuses what Exonyx does not pay, and routes it to the chain payout instead', async () => {
    const codes = await Promise.all(
      [
        request({ asset: 'TRX' }),
        request({ from: { kind: 'deposit', index: 3 } }),
        request({ network: 'BSC', asset: 'USDT_BSC' }),
      ].map((r) =>
        tron.quoteFee(r).then(
          () => 'ok',
          (e: unknown) => (e as PayoutError).code,
        ),
      ),
    );
    expect(codes).toEqual(['PAYOUT_INVALID', 'PAYOUT_INVALID', 'PAYOUT_INVALID']);
    await expect(tron.hotAddress()).rejects.toBeInstanceOf(PayoutError);

    const calls: string[] = [];
    const chain = {
      network: 'TRON',
      quoteFee: (r: PayoutRequest) => {
        calls.push(`quote:${r.asset}`);
        return Promise.resolve({ network: 'TRON', feeAsset: 'TRX', maxFee: 1n, expectedFee: 1n, detail: {} });
      },
      hotAddress: () => Promise.resolve('TXYZhot'),
    } as unknown as ChainPayout;
    const routed = withExonyx(chain, tron);
    expect((await routed.quoteFee(request({ asset: 'TRX' }))).maxFee).toBe(1n);
    expect((await routed.quoteFee(request())).maxFee).toBe(0n);
    expect(await routed.hotAddress()).toBe('TXYZhot');
    expect(calls).toEqual(['quote:TRX']);
  });
});
