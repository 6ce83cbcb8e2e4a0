import { describe, expect, it } from 'vitest';
import { PERFECT_MONEY_SIMULATOR, startPerfectMoneySimulator } from '../../devnet/vouchers/perfect-money.simulator.js';
import { closeAfterEach, FAST_RESILIENCE } from '../../testing/provider-fixtures.js';
import { VoucherProviderRefusedError } from '../voucher-provider.port.js';
import { createPerfectMoneyProvider } from './perfect-money.client.js';
import { hiddenInputs } from './perfect-money.wire.js';

const track = closeAfterEach();
const client = (baseUrl: string, passPhrase = PERFECT_MONEY_SIMULATOR.passPhrase) =>
  createPerfectMoneyProvider({ baseUrl, ...PERFECT_MONEY_SIMULATOR, passPhrase, resilience: FAST_RESILIENCE });

describe('Perfect Money e-voucher client', () => {
  it('reads hidden inputs in either quote style', () => {
    const html = `<input name='VOUCHER_NUM' type='hidden' value='123'>\n<input name="ERROR" type="hidden" value="x y">`;
    expect([...hiddenInputs(html)]).toEqual([
      ['VOUCHER_NUM', '123'],
      ['ERROR', 'x y'],
    ]);
  });

  it('creates an e-voucher (VOUCHER_NUM-VOUCHER_CODE) and activates it once', async () => {
    const sim = track(await startPerfectMoneySimulator({ balance: '100' }));
    const c = client(sim.url);
    const created = await c.create('PERFECT_MONEY', { currency: 'USD', minor: 2_500n });
    expect(created.code).toMatch(/^\d+-\d+$/);
    expect(created.amount).toEqual({ currency: 'USD', minor: 2_500n });
    expect(sim.balance()).toBe('75.00');
    expect(await c.redeem('PERFECT_MONEY', created.code)).toMatchObject({
      state: 'CONFIRMED',
      amount: { currency: 'USD', minor: 2_500n },
    });
    expect(await c.redeem('PERFECT_MONEY', created.code)).toMatchObject({ state: 'REJECTED', reason: 'ALREADY_USED' });
    expect(await c.redeem('PERFECT_MONEY', '1234567-7654321')).toMatchObject({
      state: 'REJECTED',
      reason: 'INVALID_CODE',
    });
    expect(await c.redeem('PERFECT_MONEY', 'not a code')).toMatchObject({ state: 'REJECTED', reason: 'INVALID_CODE' });
  });

  it('an ERROR input on create is a definite refusal', async () => {
    const sim = track(await startPerfectMoneySimulator({ balance: '1' }));
    const err = await client(sim.url)
      .create('PERFECT_MONEY', { currency: 'USD', minor: 500n })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoucherProviderRefusedError);
    expect(err).toMatchObject({ reason: 'INSUFFICIENT_PROVIDER_BALANCE' });
  });

  it('reads the USD wallet balance; a wrong pass phrase is a setup refusal', async () => {
    const sim = track(await startPerfectMoneySimulator({ balance: '42.10' }));
    expect(await client(sim.url).balances()).toEqual([
      { asset: PERFECT_MONEY_SIMULATOR.usdAccount, currency: 'USD', available: 4_210n },
    ]);
    await expect(client(sim.url, 'wrong').balances()).rejects.toMatchObject({ reason: 'PROVIDER_SETUP' });
  });
});
