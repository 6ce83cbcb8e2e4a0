import { describe, expect, it } from 'vitest';
import { startUwalletSimulator, UWALLET_SIMULATOR_TOKEN } from '../../devnet/vouchers/uwallet.simulator.js';
import { closeAfterEach, FAST_RESILIENCE, startFixtureServer } from '../../testing/provider-fixtures.js';
import { ProviderParseError, ProviderTimeoutError } from '../http/http.errors.js';
import { VoucherProviderRefusedError } from '../voucher-provider.port.js';
import { createUwalletProvider } from './uwallet.client.js';

const track = closeAfterEach();
const COINS = {
  HOT: { coin: 'HotVoucher', wireUnit: 'IRR' as const },
  PS: { coin: 'PSVoucher', wireUnit: 'USD' as const },
};
const client = (baseUrl: string, token = UWALLET_SIMULATOR_TOKEN, timeoutMs = 2_000) =>
  createUwalletProvider({ baseUrl, token, coins: COINS, resilience: { ...FAST_RESILIENCE, timeoutMs } });

describe('uWallet reseller client', () => {
  it('creates a HotVoucher: Toman on our side, Rial on the wire, paid from the account', async () => {
    const sim = track(await startUwalletSimulator({ balances: { HotVoucher: '5000000' } }));
    const created = await client(sim.url).create('HOT', { currency: 'IRT', minor: 250_000n });
    expect(created.amount).toEqual({ currency: 'IRT', minor: 250_000n });
    expect(sim.created()).toEqual([
      { transactionId: created.providerReference, coin: 'HotVoucher', amount: '2500000', code: created.code },
    ]);
    expect(sim.balance('HotVoucher')).toBe('2500000');
  });

  it('sends `authorization: <token>` (no scheme) and the coin and amount as JSON', async () => {
    const server = track(await startFixtureServer({ body: '{"code":"IRRabc","transactionId":42}' }));
    await client(server.url, 'tok-123').create('PS', { currency: 'USD', minor: 1_050n });
    const [req] = server.seen;
    expect(req?.headers.authorization).toBe('tok-123');
    expect(req?.url).toBe('/v1/voucher');
  });

  it('maps numbered errors: 10022 insufficient balance is a definite refusal', async () => {
    const sim = track(await startUwalletSimulator({ balances: { HotVoucher: '10' } }));
    const err = await client(sim.url)
      .create('HOT', { currency: 'IRT', minor: 100n })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoucherProviderRefusedError);
    expect(err).toMatchObject({ reason: 'INSUFFICIENT_PROVIDER_BALANCE', providerCode: '10022' });
  });

  it('uses a code once: confirm, then 10049 already used, 10009 invalid', async () => {
    const sim = track(await startUwalletSimulator());
    const code = sim.issue('HotVoucher', '1000000');
    const c = client(sim.url);
    const first = await c.redeem('HOT', code);
    expect(first).toMatchObject({ state: 'CONFIRMED', amount: { currency: 'IRT', minor: 100_000n } });
    expect(await c.redeem('HOT', code)).toMatchObject({ state: 'REJECTED', reason: 'ALREADY_USED' });
    expect(await c.redeem('HOT', 'IRRnope')).toMatchObject({ state: 'REJECTED', reason: 'INVALID_CODE' });
  });

  it('a pending use is polled by transaction id until uWallet settles it', async () => {
    const sim = track(await startUwalletSimulator());
    const code = sim.issue('PSVoucher', '25.5');
    sim.script('use', 'pending');
    const c = client(sim.url);
    const pending = await c.redeem('PS', code);
    expect(pending.state).toBe('PENDING');
    expect(await c.redemptionStatus('PS', pending.providerReference!)).toMatchObject({ state: 'PENDING' });
    sim.settle(pending.providerReference!, 'confirm');
    expect(await c.redemptionStatus('PS', pending.providerReference!)).toMatchObject({
      state: 'CONFIRMED',
      amount: { currency: 'USD', minor: 2_550n },
    });
  });

  it('refuses a Rial amount not divisible by 10 instead of rounding it', async () => {
    const server = track(
      await startFixtureServer({ body: '{"status":"confirm","transactionId":"9","receive":"1000005"}' }),
    );
    await expect(client(server.url).redeem('HOT', 'IRRx')).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('never retries a create that timed out, and cannot look one up without its transaction id', async () => {
    const sim = track(await startUwalletSimulator());
    sim.script('create', 'hang-after');
    const c = client(sim.url, UWALLET_SIMULATOR_TOKEN, 200);
    await expect(c.create('HOT', { currency: 'IRT', minor: 1_000n })).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(sim.requestCount()).toBe(1);
    const lookup = await c.lookupCreation('HOT', {
      providerReference: null,
      amount: { currency: 'IRT', minor: 1_000n },
      since: new Date(0),
    });
    expect(lookup.found).toBe('unknown');
  });

  it('reads the account balances per configured coin', async () => {
    const sim = track(await startUwalletSimulator({ balances: { HotVoucher: '1234560', PSVoucher: '99.5' } }));
    expect(await client(sim.url).balances()).toEqual([
      { asset: 'HotVoucher', currency: 'IRT', available: 123_456n },
      { asset: 'PSVoucher', currency: 'USD', available: 9_950n },
    ]);
  });

  it('a bad token is a setup refusal', async () => {
    const sim = track(await startUwalletSimulator());
    await expect(client(sim.url, 'wrong').create('HOT', { currency: 'IRT', minor: 10n })).rejects.toMatchObject({
      reason: 'PROVIDER_SETUP',
    });
  });

  it('a created body of the wrong shape does not copy the code into the error', async () => {
    const server = track(await startFixtureServer({ body: '{"code":"IRRSECRETCODE"}' }));
    const err = await client(server.url)
      .create('HOT', { currency: 'IRT', minor: 10n })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ProviderParseError);
    expect(JSON.stringify({ ...(err as object), message: (err as Error).message })).not.toContain('SECRETCODE');
  });
});
