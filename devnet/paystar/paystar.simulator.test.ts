import { describe, expect, it } from 'vitest';
import { createPaystarGateway } from '../../providers/paystar/paystar.client.js';
import { PaystarRefusedError } from '../../providers/paystar/paystar.errors.js';
import { startConnectProxy } from '../../testing/connect-proxy.js';
import { closeAfterEach, FAST_RESILIENCE } from '../../testing/provider-fixtures.js';
import { PAYSTAR_SIMULATOR_DEFAULTS, startPaystarSimulator } from './paystar.simulator.js';

const track = closeAfterEach();
const CARD = '6037991327465278'; // Luhn-valid
const OTHER_CARD = '6104337966585547';
const CALLBACK = 'https://exchange.test/payments/paystar/callback';

async function setup() {
  const sim = track(await startPaystarSimulator());
  const client = createPaystarGateway({
    baseUrl: sim.apiBaseUrl,
    gatewayId: PAYSTAR_SIMULATOR_DEFAULTS.gatewayId,
    signKey: PAYSTAR_SIMULATOR_DEFAULTS.signKey,
    resilience: FAST_RESILIENCE,
  });
  return { sim, client };
}

describe('Paystar client ↔ simulator', () => {
  it('create → pay → callback → verify once (Toman in, Rial on the wire), then -6 ALREADY_VERIFIED', async () => {
    const { sim, client } = await setup();
    const session = await client.create({
      amountToman: 150_000n,
      orderId: 'pay-1',
      callbackUrl: CALLBACK,
      cardNumber: CARD,
    });
    expect(session.paymentUrl).toBe(`${sim.apiBaseUrl}/payment?token=${session.token}`);
    expect(sim.payment(session.refNum)).toMatchObject({
      amount: 1_500_000,
      orderId: 'pay-1',
      restrictedCard: CARD,
      state: 'INIT',
    });

    const paid = sim.pay(session.token, CARD);
    if (!paid.ok) throw new Error(paid.error);
    expect(paid.callback).toBe(CALLBACK);
    const callback = client.parseCallback({ ...paid.fields });
    expect(callback).toMatchObject({
      status: '1',
      orderId: 'pay-1',
      refNum: session.refNum,
      cardNumber: '603799******5278',
    });

    const verified = await client.verify({
      refNum: callback.refNum,
      amountToman: 150_000n,
      cardNumber: callback.cardNumber!,
      trackingCode: callback.trackingCode!,
    });
    expect(verified).toEqual({
      outcome: 'VERIFIED',
      amountToman: 150_000n,
      refNum: session.refNum,
      cardNumber: '603799******5278',
      trackingCode: callback.trackingCode,
    });
    const again = await client.verify({
      refNum: callback.refNum,
      amountToman: 150_000n,
      cardNumber: callback.cardNumber!,
      trackingCode: callback.trackingCode!,
    });
    expect(again).toMatchObject({ outcome: 'REFUSED', code: 'ALREADY_VERIFIED' });
    expect(await client.inquiry(session.refNum, 'pay-1')).toMatchObject({
      state: 'PAID',
      amountToman: 150_000n,
      verified: true,
    });
  });

  it('refuses a forged status=1 callback for an unpaid payment, a wrong amount, and a forged tracking code', async () => {
    const { sim, client } = await setup();
    const unpaid = await client.create({ amountToman: 10_000n, orderId: 'pay-2', callbackUrl: CALLBACK });
    const forged = client.parseCallback({
      status: '1',
      order_id: 'pay-2',
      ref_num: unpaid.refNum,
      card_number: '603799******5278',
      tracking_code: '123456789',
    });
    expect(
      await client.verify({
        refNum: forged.refNum,
        amountToman: 10_000n,
        cardNumber: forged.cardNumber!,
        trackingCode: forged.trackingCode!,
      }),
    ).toMatchObject({ outcome: 'REFUSED', code: 'NOT_VERIFIABLE' });
    expect(await client.inquiry(unpaid.refNum, 'pay-2')).toEqual({ state: 'UNPAID', code: 'AWAITING_PAYMENT' });

    const paid = sim.pay(unpaid.token, CARD);
    if (!paid.ok) throw new Error(paid.error);
    const cb = client.parseCallback({ ...paid.fields });
    expect(
      await client.verify({
        refNum: cb.refNum,
        amountToman: 9_000n,
        cardNumber: cb.cardNumber!,
        trackingCode: cb.trackingCode!,
      }),
    ).toMatchObject({ outcome: 'REFUSED', code: 'NOT_VERIFIED' });
    expect(
      await client.verify({ refNum: cb.refNum, amountToman: 10_000n, cardNumber: cb.cardNumber!, trackingCode: '999' }),
    ).toMatchObject({ outcome: 'REFUSED', code: 'INVALID_REQUEST' });
    expect(await client.inquiry(unpaid.refNum, 'pay-2')).toMatchObject({ state: 'PAID', verified: false });
    expect(sim.payment(unpaid.refNum)?.state).toBe('PAID');
    expect(
      await client.verify({
        refNum: 'PS-unknown',
        amountToman: 10_000n,
        cardNumber: cb.cardNumber!,
        trackingCode: cb.trackingCode!,
      }),
    ).toMatchObject({ outcome: 'REFUSED', code: 'INVALID_REF_NUM' });
  });

  it('enforces the card restriction and reports a cancelled payment as FAILED', async () => {
    const { sim, client } = await setup();
    const s = await client.create({ amountToman: 20_000n, orderId: 'pay-3', callbackUrl: CALLBACK, cardNumber: CARD });
    expect(sim.pay(s.token, OTHER_CARD)).toMatchObject({ ok: false });
    expect(sim.payment(s.refNum)?.state).toBe('INIT');
    const cancelled = sim.pay(s.token, '', { cancel: true });
    expect(cancelled).toMatchObject({ ok: true, fields: { status: '-99', order_id: 'pay-3' } });
    expect(await client.inquiry(s.refNum, 'pay-3')).toEqual({ state: 'FAILED', code: 'FAILED' });
  });

  it('refuses a duplicate order id, a wrong gateway id, amounts below the minimum and Rial amounts not divisible by 10', async () => {
    const { sim, client } = await setup();
    await client.create({ amountToman: 1_000n, orderId: 'dup', callbackUrl: CALLBACK });
    await expect(client.create({ amountToman: 1_000n, orderId: 'dup', callbackUrl: CALLBACK })).rejects.toMatchObject({
      reason: 'DUPLICATE_TOKEN',
    });
    await expect(client.create({ amountToman: 100n, orderId: 'small', callbackUrl: CALLBACK })).rejects.toThrow(
      /minimum/,
    );

    const wrong = createPaystarGateway({
      baseUrl: sim.apiBaseUrl,
      gatewayId: 'nope',
      signKey: 'x',
      resilience: FAST_RESILIENCE,
    });
    const err = await wrong
      .create({ amountToman: 1_000n, orderId: 'w', callbackUrl: CALLBACK })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaystarRefusedError);
    expect(err).toMatchObject({ reason: 'UNAUTHENTICATED', operator: true, status: 401 });
    expect((err as Error).message).not.toContain('nope');
  });

  it('answers injected failures in its own format; inquiry retries, verify does not', async () => {
    const { sim, client } = await setup();
    const s = await client.create({ amountToman: 1_000n, orderId: 'f', callbackUrl: CALLBACK });
    sim.setFailure({ mode: 'server-error', times: 1 });
    expect(await client.inquiry(s.refNum, 'f')).toMatchObject({ state: 'UNPAID' });
    sim.setFailure({ mode: 'server-error', times: 1 });
    await expect(
      client.verify({ refNum: s.refNum, amountToman: 1_000n, cardNumber: 'x', trackingCode: 'y' }),
    ).rejects.toMatchObject({ code: 'PROVIDER_RESPONSE', status: 500 });
    expect(sim.payment(s.refNum)?.verifyCalls).toBe(0);
  });

  it('goes through HTTPS_PROXY when given proxyUrl', async () => {
    const proxy = track(await startConnectProxy());
    const sim = track(await startPaystarSimulator());
    const client = createPaystarGateway({
      baseUrl: sim.apiBaseUrl,
      gatewayId: PAYSTAR_SIMULATOR_DEFAULTS.gatewayId,
      signKey: PAYSTAR_SIMULATOR_DEFAULTS.signKey,
      resilience: FAST_RESILIENCE,
      proxyUrl: proxy.url,
    });
    await client.create({ amountToman: 1_000n, orderId: 'via-proxy', callbackUrl: CALLBACK });
    expect(proxy.tunnels).toEqual([new URL(sim.url).host]);
  });
});
