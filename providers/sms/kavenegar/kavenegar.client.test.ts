import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startCaptureServer } from '../../../devnet/sms/capture-server.js';
import { startSmsSimulator } from '../../../devnet/sms/sms.simulator.js';
import { closeAfterEach, FAST_RESILIENCE, fixtureReader } from '../../../testing/provider-fixtures.js';
import {
  ProviderParseError,
  ProviderRateLimitedError,
  ProviderResponseError,
  ProviderTimeoutError,
  ProviderUnavailableError,
} from '../../http/http.errors.js';
import { InvalidOtpPhoneError } from '../phone.js';
import { OtpRefusedError } from '../sms.errors.js';
import { createKavenegarOtpSender } from './kavenegar.client.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
const KEY = 'A1b2C3d4-SECRET-key';
const PHONE = '+989121234567';
const CODE = '482913';

/** A logger writing JSON lines into `lines`, to check what is (not) logged. */
function captureLog(): { log: pino.Logger; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  });
  return { log: pino({ level: 'trace' }, stream), lines };
}

const sender = (baseUrl: string, extra: Partial<Parameters<typeof createKavenegarOtpSender>[0]> = {}) =>
  createKavenegarOtpSender({ baseUrl, apiKey: KEY, template: 'verify', resilience: FAST_RESILIENCE, ...extra });

describe('kavenegar verify/lookup client', () => {
  it('posts receptor (09…), template and token as a form to /v1/{key}/verify/lookup.json and returns the message id', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('lookup.json') }));
    const receipt = await sender(server.url).sendCode({ phone: PHONE, code: CODE });

    expect(receipt).toEqual({ provider: 'kavenegar', messageId: '8792343' });
    const [req] = server.seen;
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(`/v1/${KEY}/verify/lookup.json`);
    expect(req?.headers['content-type']).toContain('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req?.body))).toEqual({
      receptor: '09121234567',
      template: 'verify',
      token: CODE,
    });
  });

  it('sends type=call only when asked to (a voice call reading the code)', async () => {
    const sim = track(await startSmsSimulator({ kavenegar: { apiKeys: [KEY] } }));
    await sender(sim.url, { type: 'call' }).sendCode({ phone: PHONE, code: CODE });
    await sender(sim.url).sendCode({ phone: PHONE, code: CODE });
    expect(sim.messages().map((m) => m.parameters.type)).toEqual(['call', 'sms']);
    await expect(sender(sim.url, { type: 'call' }).sendCode({ phone: PHONE, code: 'ab12' })).rejects.toMatchObject({
      reason: 'TEMPLATE',
      providerStatus: 428,
    });
  });

  it.each([
    ['error-411.json', 411, 'RECIPIENT'],
    ['error-418.json', 418, 'CREDIT'],
    ['error-424.json', 424, 'TEMPLATE'],
  ] as const)('maps %s to a refusal that is not retried', async (file, status, reason) => {
    const server = track(await startCaptureServer({ status, body: fixture(file) }));
    const error = await sender(server.url)
      .sendCode({ phone: PHONE, code: CODE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OtpRefusedError);
    expect(error).toMatchObject({ reason, providerStatus: status, status, code: 'PROVIDER_RESPONSE' });
    expect(server.seen).toHaveLength(1);
  });

  it('maps a failure envelope sent with HTTP 200 the same way', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('error-424.json') }));
    await expect(sender(server.url).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'TEMPLATE',
      providerStatus: 424,
    });
  });

  it('waits out a 409 ("try later") once and retries', async () => {
    const server = track(
      await startCaptureServer(
        { status: 409, body: fixture('error-409.json') },
        { status: 200, body: fixture('lookup.json') },
      ),
    );
    await expect(sender(server.url).sendCode({ phone: PHONE, code: CODE })).resolves.toMatchObject({
      messageId: '8792343',
    });
    expect(server.seen).toHaveLength(2);
  });

  it('retries a 5xx, then gives up with a retryable error', async () => {
    const server = track(await startCaptureServer({ status: 502, body: 'Bad Gateway' }));
    const error = await sender(server.url)
      .sendCode({ phone: PHONE, code: CODE })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderResponseError);
    expect((error as ProviderResponseError).status).toBe(502);
    expect(server.seen).toHaveLength(2); // FAST_RESILIENCE: one retry
  });

  it('rejects a 200 without a message id as a parse error', async () => {
    const server = track(
      await startCaptureServer({ status: 200, body: '{"return":{"status":200,"message":"تایید شد"},"entries":[]}' }),
    );
    await expect(sender(server.url).sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderParseError);
  });

  it('refuses a phone that is not E.164 Iranian mobile without calling Kavenegar', async () => {
    const server = track(await startCaptureServer({ status: 200, body: fixture('lookup.json') }));
    await expect(sender(server.url).sendCode({ phone: '09121234567', code: CODE })).rejects.toBeInstanceOf(
      InvalidOtpPhoneError,
    );
    expect(server.seen).toHaveLength(0);
  });

  it('never puts the API key (in the URL path) or the code in logs or errors', async () => {
    const { log, lines } = captureLog();
    const ok = track(await startCaptureServer({ status: 200, body: fixture('lookup.json') }));
    await sender(ok.url, { log }).sendCode({ phone: PHONE, code: CODE });
    // An error body that echoes the key (as a proxy's error page might) is redacted too.
    const echo = track(
      await startCaptureServer({
        status: 403,
        body: `{"return":{"status":403,"message":"bad key ${KEY}"},"entries":null}`,
      }),
    );
    const error = await sender(echo.url, { log })
      .sendCode({ phone: PHONE, code: CODE })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'CREDENTIALS' });
    const down = createKavenegarOtpSender({
      baseUrl: 'http://127.0.0.1:1',
      apiKey: KEY,
      template: 'verify',
      resilience: FAST_RESILIENCE,
      log,
    });
    const network = await down.sendCode({ phone: PHONE, code: CODE }).catch((e: unknown) => e);

    const everything = [...lines, JSON.stringify(error), String(error), JSON.stringify(network), String(network)].join(
      '\n',
    );
    expect(lines.some((l) => l.includes('verification code sent'))).toBe(true);
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(CODE);
    expect(everything).not.toContain('09121234567');
  });

  it('times out a provider that never answers and opens the circuit after repeated failures', async () => {
    const sim = track(await startSmsSimulator({ kavenegar: { apiKeys: [KEY] }, failMode: 'hang' }));
    const client = sender(sim.url, {
      resilience: {
        ...FAST_RESILIENCE,
        timeoutMs: 100,
        retries: 0,
        breaker: { kind: 'consecutive', failures: 2, halfOpenAfterMs: 60_000 },
      },
    });
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderTimeoutError);
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderTimeoutError);
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderUnavailableError);
    expect(sim.requestCount()).toBe(2);
  });
});

describe('kavenegar client against the SMS simulator', () => {
  it('delivers the code the simulator records for the number', async () => {
    const sim = track(await startSmsSimulator({ kavenegar: { apiKeys: [KEY], templates: ['verify'] } }));
    const receipt = await sender(sim.url).sendCode({ phone: PHONE, code: CODE });
    expect(sim.lastCode('09121234567')).toBe(CODE);
    expect(sim.lastMessage(PHONE)).toMatchObject({
      provider: 'kavenegar',
      sentAs: '09121234567',
      messageId: receipt.messageId,
    });
  });

  it('gets the simulator documented refusals for a wrong key and an unknown template', async () => {
    const sim = track(await startSmsSimulator({ kavenegar: { apiKeys: [KEY], templates: ['verify'] } }));
    await expect(sender(sim.url, { apiKey: 'other' }).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'CREDENTIALS',
      providerStatus: 403,
    });
    await expect(sender(sim.url, { template: 'nope' }).sendCode({ phone: PHONE, code: CODE })).rejects.toMatchObject({
      reason: 'TEMPLATE',
      providerStatus: 424,
    });
    expect(sim.messages()).toHaveLength(0);
  });

  it('refuses at once while rate limited for longer than it may wait', async () => {
    const sim = track(
      await startSmsSimulator({
        kavenegar: { apiKeys: [KEY] },
        failMode: { mode: 'rate-limit', retryAfterSeconds: 30 },
      }),
    );
    const client = sender(sim.url);
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderRateLimitedError);
    await expect(client.sendCode({ phone: PHONE, code: CODE })).rejects.toBeInstanceOf(ProviderRateLimitedError);
    expect(sim.requestCount()).toBe(1);
  });
});
