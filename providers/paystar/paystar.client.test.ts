import { createHmac } from 'node:crypto';
import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startCaptureServer } from '../../devnet/sms/capture-server.js';
import { closeAfterEach, FAST_RESILIENCE, fixtureReader } from '../../testing/provider-fixtures.js';
import { ProviderParseError } from '../http/http.errors.js';
import { RialAmountError } from '../rial.js';
import { createPaystarGateway, paystarSign } from './paystar.client.js';
import { PaystarCallbackError, PaystarRefusedError } from './paystar.errors.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
const GATEWAY = 'gw-0yovdk2l6e143-SECRET';
const SIGN_KEY = 'sign-key-SECRET';
const hmac = (text: string) => createHmac('sha512', SIGN_KEY).update(text).digest('hex');
const client = (url: string) =>
  createPaystarGateway({
    baseUrl: `${url}/api/pardakht`,
    gatewayId: GATEWAY,
    signKey: SIGN_KEY,
    resilience: FAST_RESILIENCE,
  });

describe('paystar client against the documented answers', () => {
  it('create: Bearer gateway_id, Rial amount, sign = HMAC-SHA512(amount#order_id#callback), card restriction', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('create.json') }));
    const session = await client(server.url).create({
      amountToman: 1_000n,
      orderId: 'ORD-45245',
      callbackUrl: 'https://merchant.test/cb',
      cardNumber: '6037991327465278',
    });
    expect(session).toEqual({
      token: '4d1ba3f0e3a94e0e92ec',
      refNum: '6M0RNO4B2C',
      paymentUrl: `${server.url}/api/pardakht/payment?token=4d1ba3f0e3a94e0e92ec`,
    });
    const [req] = server.seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/api/pardakht/create');
    expect(req?.headers.authorization).toBe(`Bearer ${GATEWAY}`);
    expect(JSON.parse(req!.body)).toEqual({
      amount: 10_000,
      order_id: 'ORD-45245',
      callback: 'https://merchant.test/cb',
      card_number: '6037991327465278',
      sign: hmac('10000#ORD-45245#https://merchant.test/cb'),
    });
  });

  it('verify: sign over amount#ref_num#card_number#tracking_code (card as the callback sent it)', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('verify.json') }));
    const result = await client(server.url).verify({
      refNum: '6M0RNO4B2C',
      amountToman: 1_000n,
      cardNumber: '603799******5278',
      trackingCode: '245685412',
    });
    expect(result).toEqual({
      outcome: 'VERIFIED',
      amountToman: 1_000n,
      refNum: '6M0RNO4B2C',
      cardNumber: '603799******5278',
      trackingCode: '245685412',
    });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({
      ref_num: '6M0RNO4B2C',
      amount: 10_000,
      sign: hmac('10000#6M0RNO4B2C#603799******5278#245685412'),
    });
    expect(paystarSign(SIGN_KEY, 10_000, '6M0RNO4B2C', '603799******5278', '245685412')).toBe(
      hmac('10000#6M0RNO4B2C#603799******5278#245685412'),
    );
  });

  it('maps status -6 (HTTP 400 envelope) to REFUSED ALREADY_VERIFIED and never retries verify', async () => {
    const server = track(await startCaptureServer({ status: 400, body: fixture('verify-already.json') }));
    const result = await client(server.url).verify({
      refNum: 'r',
      amountToman: 1_000n,
      cardNumber: 'c',
      trackingCode: 't',
    });
    expect(result).toEqual({ outcome: 'REFUSED', code: 'ALREADY_VERIFIED', message: 'تراکنش قبلا وریفای شده است' });
    expect(server.seen).toHaveLength(1);
  });

  it('inquiry: data.status 1 is PAID (not verified), with the amount in Toman', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('inquiry.json') }));
    expect(await client(server.url).inquiry('6M0RNO4B2C', 'ORD-45245')).toEqual({
      state: 'PAID',
      amountToman: 1_000n,
      cardNumber: '603799******5278',
      trackingCode: '245685412',
      verified: false,
    });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({ ref_num: '6M0RNO4B2C', order_id: 'ORD-45245' });
  });

  it('refuses a Rial amount that is not a whole number of Toman', async () => {
    const body = fixture('verify.json').replace('"price":10000', '"price":10005');
    const server = track(await startCaptureServer({ status: 200, body }));
    await expect(
      client(server.url).verify({ refNum: 'r', amountToman: 1_000n, cardNumber: 'c', trackingCode: 't' }),
    ).rejects.toBeInstanceOf(RialAmountError);
  });

  it('a wrong gateway id is an operator refusal whose message and snippet never carry the secrets', async () => {
    const echo = `{"status":"unauthenticated","message":"bad token ${GATEWAY}"}`;
    const server = track(await startCaptureServer({ status: 401, body: echo }));
    const err = await client(server.url)
      .create({ amountToman: 1_000n, orderId: 'o', callbackUrl: 'https://m.test/cb' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PaystarRefusedError);
    expect(err).toMatchObject({ reason: 'UNAUTHENTICATED', operator: true });
    expect(JSON.stringify({ m: (err as Error).message, s: (err as PaystarRefusedError).bodySnippet })).not.toContain(
      GATEWAY,
    );
    const server2 = track(await startCaptureServer({ status: 401, body: fixture('unauthenticated.json') }));
    await expect(client(server2.url).inquiry('r', 'o')).rejects.toMatchObject({ reason: 'UNAUTHENTICATED' });
  });

  it('a body that is not a Paystar envelope is a parse error; a malformed callback is refused', async () => {
    const server = track(await startCaptureServer({ status: 200, body: '{"ok":true}' }));
    await expect(client(server.url).inquiry('r', 'o')).rejects.toBeInstanceOf(ProviderParseError);
    const c = client(server.url);
    expect(() => c.parseCallback({ order_id: 'o', ref_num: 'r' })).toThrow(PaystarCallbackError);
    expect(() => c.parseCallback({ status: 'paid', order_id: 'o', ref_num: 'r' })).toThrow(PaystarCallbackError);
    expect(c.parseCallback({ status: '-99', order_id: 'o', ref_num: 'r', card_number: '' })).toEqual({
      status: '-99',
      orderId: 'o',
      refNum: 'r',
      trackingCode: null,
      cardNumber: null,
      transactionId: null,
    });
  });

  it('logs order id, ref_num and outcomes, never the card number, the gateway id or the sign key', async () => {
    const lines: string[] = [];
    const log = pino(
      { level: 'trace' },
      new Writable({
        write(chunk: Buffer, _enc, done) {
          lines.push(chunk.toString());
          done();
        },
      }),
    );
    const server = track(
      await startCaptureServer(
        { status: 200, body: fixture('create.json') },
        { status: 200, body: fixture('verify.json') },
      ),
    );
    const c = createPaystarGateway({
      baseUrl: server.url,
      gatewayId: GATEWAY,
      signKey: SIGN_KEY,
      resilience: FAST_RESILIENCE,
      log,
    });
    await c.create({
      amountToman: 1_000n,
      orderId: 'ORD-1',
      callbackUrl: 'https://m.test/cb',
      cardNumber: '6037991327465278',
    });
    await c.verify({
      refNum: '6M0RNO4B2C',
      amountToman: 1_000n,
      cardNumber: '603799******5278',
      trackingCode: '245685412',
    });
    const text = lines.join('');
    expect(text).toContain('ORD-1');
    expect(text).toContain('VERIFIED');
    for (const secret of ['6037991327465278', '603799******5278', GATEWAY, SIGN_KEY])
      expect(text).not.toContain(secret);
  });
});
