import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startCaptureServer } from '../../../devnet/sms/capture-server.js';
import { startSmsSimulator } from '../../../devnet/sms/sms.simulator.js';
import { closeAfterEach, FAST_RESILIENCE, fixtureReader } from '../../../testing/provider-fixtures.js';
import { ProviderParseError, ProviderRateLimitedError, ProviderResponseError } from '../../http/http.errors.js';
import { OtpProviderBusyError, OtpRefusedError } from '../sms.errors.js';
import { createSmsIrOtpSender } from './smsir.client.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
const KEY = 'smsir-SECRET-0123456789';
const PHONE = '+989351234567';
const CODE = '705118';

const sender = (baseUrl: string, extra: Partial<Parameters<typeof createSmsIrOtpSender>[0]> = {}) =>
  createSmsIrOtpSender({
    baseUrl,
    apiKey: KEY,
    templateId: 123456,
    parameterName: 'CODE',
    resilience: FAST_RESILIENCE,
    ...extra,
  });

describe('sms.ir send/verify client', () => {
  it('posts { mobile (9…), templateId, parameters } with X-API-KEY to /v1/send/verify and returns the message id', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('verify.json') }));
    const receipt = await sender(server.url).sendCode({ phone: PHONE, code: CODE });

    expect(receipt).toEqual({ provider: 'smsir', messageId: '89545112' });
    const [req] = server.seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe('/v1/send/verify');
    expect(req?.headers['x-api-key']).toBe(KEY);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req?.body ?? '')).toEqual({
      mobile: '9351234567',
      templateId: 123456,
      parameters: [{ name: 'CODE', value: CODE }],
    });
  });

  it.each([
    ['error-104.json', 400, 104, 'RECIPIENT'],
    ['error-113.json', 400, 113, 'TEMPLATE'],
    ['error-10.json', 401, 10, 'CREDENTIALS'],
  ] as const)('maps %s (HTTP %i) to a refusal that is not retried', async (file, http, status, reason) => {
    const server = track(await startCaptureServer({ status: http, body: fixture(file) }));
    const error = await sender(server.url)
      .sendCode({ phone: PHONE, code: CODE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtpRefusedError);
    expect(error).toMatchObject({ reason, providerStatus: status, status: http });
    expect(server.seen).toHaveLength(1);
  });

  it('maps a non-success status sent with HTTP 200, and status 0 as a retryable provider error', async () => {
    const refused = track(await startCaptureServer({ status: 200, body: fixture('error-113.json') }));
    await expect(sender(refused.url).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'TEMPLATE',
    });
    const busy = track(
      await startCaptureServer(
        { status: 200, body: '{"status":0,"message":"درخواست شما با خطا مواجه شده‌است","data":null}' },
        { status: 200, body: fixture('verify.json') },
      ),
    );
    await expect(sender(busy.url).sendCode({ phone: PHONE, code: CODE })).resolves.toMatchObject({
      messageId: '89545112',
    });
    expect(busy.seen).toHaveLength(2);
    const alwaysBusy = track(await startCaptureServer({ status: 200, body: '{"status":0,"message":"x","data":null}' }));
    await expect(sender(alwaysBusy.url).sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(
      OtpProviderBusyError,
    );
  });

  it('honours the documented 429 with Retry-After: refused at once, no second call until it passes', async () => {
    const server = track(
      await startCaptureServer({ status: 429, body: fixture('error-20.json'), headers: { 'retry-after': '60' } }),
    );
    const client = sender(server.url);
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({ retryAfterMs: 60_000 });
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(server.seen).toHaveLength(1);
  });

  it('retries a 500 and reports it retryable', async () => {
    const server = track(
      await startCaptureServer({ status: 500, body: '{"status":0,"message":"خطای غیر منتظره","data":null}' }),
    );
    const error = await sender(server.url)
      .sendCode({ phone: PHONE, code: CODE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as ProviderResponseError).status).toBe(500);
    expect(server.seen).toHaveLength(2);
  });

  it('rejects a success without data as a parse error', async () => {
    const server = track(await startCaptureServer({ status: 200, body: '{"status":1,"message":"موفق","data":null}' }));
    await expect(sender(server.url).sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('never logs the API key or the code', async () => {
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
        { status: 200, body: fixture('verify.json') },
        { status: 400, body: fixture('error-113.json') },
      ),
    );
    await sender(server.url, { log }).sendCode({ phone: PHONE, code: CODE });
    await sender(server.url, { log })
      .sendCode({ phone: PHONE, code: CODE })
      .catch(() => undefined);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.join('\n')).not.toContain(KEY);
    expect(lines.join('\n')).not.toContain(CODE);
  });
});

describe('sms.ir client against the SMS simulator', () => {
  const templates = { 123456: ['CODE'] };

  it('delivers the code the simulator records for the number', async () => {
    const sim = track(await startSmsSimulator({ smsir: { apiKeys: [KEY], templates } }));
    const receipt = await sender(sim.url).sendCode({ phone: PHONE, code: CODE });
    expect(sim.lastCode('09351234567')).toBe(CODE);
    expect(sim.lastMessage(PHONE)).toMatchObject({
      provider: 'smsir',
      sentAs: '9351234567',
      template: '123456',
      messageId: receipt.messageId,
    });
  });

  it('gets the documented refusals for a wrong key, an unknown template and a parameter the template lacks', async () => {
    const sim = track(await startSmsSimulator({ smsir: { apiKeys: [KEY], templates } }));
    await expect(sender(sim.url, { apiKey: 'nope' }).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'CREDENTIALS',
      providerStatus: 10,
      status: 401,
    });
    await expect(sender(sim.url, { templateId: 999 }).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'TEMPLATE',
      providerStatus: 113,
    });
    await expect(
      sender(sim.url, { parameterName: 'OTP' }).sendCode({ phone: PHONE, code: CODE }),
    ).rejects.toMatchObject({
      reason: 'TEMPLATE',
      providerStatus: 116,
    });
    expect(sim.messages()).toHaveLength(0);
  });

  it('recovers after an injected server error (retried) and reports credit exhaustion as CREDIT', async () => {
    const sim = track(
      await startSmsSimulator({
        smsir: { apiKeys: [KEY], templates },
        failMode: { mode: 'server-error', times: 1 },
        credit: 1,
      }),
    );
    await expect(sender(sim.url).sendCode({ phone: PHONE, code: CODE })).resolves.toMatchObject({ provider: 'smsir' });
    expect(sim.requestCount()).toBe(2);
    await expect(sender(sim.url).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'CREDIT',
      providerStatus: 102,
    });
  });
});
