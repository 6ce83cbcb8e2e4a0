import { describe, expect, it } from 'vitest';
import { startUtopiaSimulator, UTOPIA_SIMULATOR_TOKEN } from '../../devnet/vouchers/utopia.simulator.js';
import { closeAfterEach, FAST_RESILIENCE, startFixtureServer } from '../../testing/provider-fixtures.js';
import { ProviderTimeoutError } from '../http/http.errors.js';
import { VoucherProviderRefusedError } from '../voucher-provider.port.js';
import { createUtopiaProvider } from './utopia.client.js';

const track = closeAfterEach();
const client = (baseUrl: string, token = UTOPIA_SIMULATOR_TOKEN, timeoutMs = 2_000) =>
  createUtopiaProvider({ baseUrl, token, resilience: { ...FAST_RESILIENCE, timeoutMs } });

describe('Utopia JSON API client', () => {
  it('posts { method, token, params } to /api/1.0/', async () => {
    const server = track(await startFixtureServer({ body: '{"result":12.5}' }));
    const c = client(server.url, 'TKN');
    await c.http.request({ method: 'POST', path: '/', json: { method: 'getBalance', token: 'TKN', params: {} } });
    const [req] = server.seen;
    expect(req?.url).toBe('/api/1.0/');
  });

  it('creates a UUSD voucher and reads its code back from the finance history by reference number', async () => {
    const sim = track(await startUtopiaSimulator({ balances: { UUSD: '100' } }));
    const created = await client(sim.url).create('UTOPIA_UUSD', { currency: 'USD', minor: 1_234n });
    expect(created.amount).toEqual({ currency: 'USD', minor: 1_234n });
    expect(sim.rows()[0]).toMatchObject({ referenceNumber: created.providerReference, voucherid: created.code });
    expect(sim.balance('UUSD')).toBe('87.66');
  });

  it('an { error } answer is a definite refusal (insufficient funds)', async () => {
    const sim = track(await startUtopiaSimulator({ balances: { UUSD: '1' } }));
    const err = await client(sim.url)
      .create('UTOPIA_UUSD', { currency: 'USD', minor: 500n })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VoucherProviderRefusedError);
    expect(err).toMatchObject({ reason: 'INSUFFICIENT_PROVIDER_BALANCE' });
  });

  it('uses a voucher once; a second use and an unknown id are refused', async () => {
    const sim = track(await startUtopiaSimulator());
    const code = sim.issue('UUSD', '3');
    const c = client(sim.url);
    expect(await c.redeem('UTOPIA_UUSD', code)).toMatchObject({ state: 'CONFIRMED' });
    expect(await c.redeem('UTOPIA_UUSD', code)).toMatchObject({ state: 'REJECTED', reason: 'ALREADY_USED' });
    expect(await c.redeem('UTOPIA_UUSD', 'DEADBEEF')).toMatchObject({ state: 'REJECTED', reason: 'INVALID_CODE' });
  });

  it('resolves a create whose answer was lost by amount and time: found after, nothing when not created', async () => {
    const sim = track(await startUtopiaSimulator());
    const c = client(sim.url, UTOPIA_SIMULATOR_TOKEN, 200);
    const since = new Date(Date.now() - 1_000);
    const amount = { currency: 'USD' as const, minor: 700n };
    sim.script('create', 'hang-before');
    await expect(c.create('UTOPIA_UUSD', amount)).rejects.toBeInstanceOf(ProviderTimeoutError);
    expect(await c.lookupCreation('UTOPIA_UUSD', { providerReference: null, amount, since })).toEqual({ found: false });
    sim.script('create', 'hang-after');
    await expect(c.create('UTOPIA_UUSD', amount)).rejects.toBeInstanceOf(ProviderTimeoutError);
    const found = await c.lookupCreation('UTOPIA_UUSD', { providerReference: null, amount, since });
    expect(found).toMatchObject({ found: true, voucher: { code: sim.rows()[0]!.voucherid, amount } });
  });

  it('reads UUSD and CRP balances, cutting digits beyond the minor unit', async () => {
    const sim = track(await startUtopiaSimulator({ balances: { UUSD: '10.129', CRP: '2.5' } }));
    expect(await client(sim.url).balances()).toEqual([
      { asset: 'UUSD', currency: 'USD', available: 1_012n },
      { asset: 'CRP', currency: 'CRP', available: 250_000_000n },
    ]);
  });

  it('a wrong token is a setup refusal', async () => {
    const sim = track(await startUtopiaSimulator());
    await expect(client(sim.url, 'nope').create('UTOPIA_UUSD', { currency: 'USD', minor: 100n })).rejects.toMatchObject(
      {
        reason: 'PROVIDER_SETUP',
      },
    );
  });
});
