import { describe, expect, it } from 'vitest';
import { closeAfterEach } from '../../testing/provider-fixtures.js';
import { startSmsSimulator, type SimulatedSms } from './sms.simulator.js';

const track = closeAfterEach();
const start = async (opts: Parameters<typeof startSmsSimulator>[0] = {}) => track(await startSmsSimulator(opts));

const kavenegar = (url: string, key: string, form: Record<string, string>) =>
  fetch(`${url}/v1/${key}/verify/lookup.json`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(form),
  });
const smsir = (url: string, key: string, body: unknown) =>
  fetch(`${url}/v1/send/verify`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': key },
    body: JSON.stringify(body),
  });

describe('SMS simulator: Kavenegar verify/lookup', () => {
  it('accepts a valid lookup with the documented envelope and records the code', async () => {
    const sim = await start();
    const res = await kavenegar(sim.url, 'devnet-kavenegar-key', {
      receptor: '09121234567',
      template: 'verify',
      token: '123456',
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { return: { status: number }; entries: Array<Record<string, unknown>> };
    expect(body.return.status).toBe(200);
    expect(body.entries[0]).toMatchObject({ receptor: '09121234567', cost: 120 });
    expect(typeof body.entries[0]?.messageid).toBe('number');
    expect(sim.lastCode('+989121234567')).toBe('123456');
  });

  it.each([
    ['a bad key', 'wrong', { receptor: '09121234567', template: 'verify', token: '1' }, 403],
    ['a missing token', 'devnet-kavenegar-key', { receptor: '09121234567', template: 'verify' }, 400],
    ['a landline', 'devnet-kavenegar-key', { receptor: '02188776655', template: 'verify', token: '1' }, 411],
    ['an unknown template', 'devnet-kavenegar-key', { receptor: '09121234567', template: 'other', token: '1' }, 424],
    [
      'a token with a space',
      'devnet-kavenegar-key',
      { receptor: '09121234567', template: 'verify', token: '12 34' },
      431,
    ],
  ])('answers %s with its code as the HTTP status and in return.status', async (_what, key, form, code) => {
    const sim = await start();
    const res = await kavenegar(sim.url, key, form);
    expect(res.status).toBe(code);
    expect(((await res.json()) as { return: { status: number } }).return.status).toBe(code);
    expect(sim.messages()).toHaveLength(0);
  });
});

describe('SMS simulator: sms.ir send/verify', () => {
  it('accepts 9… and 09… mobiles with the documented envelope and records the template parameter', async () => {
    const sim = await start();
    for (const mobile of ['9121234567', '09351234567']) {
      const res = await smsir(sim.url, 'devnet-smsir-key', {
        mobile,
        templateId: 100000,
        parameters: [{ name: 'CODE', value: '777' }],
      });
      expect(res.status).toBe(200);
      const body = (await res.json()) as { status: number; data: { messageId: number; cost: number } };
      expect(body.status).toBe(1);
      expect(body.data.messageId).toBeGreaterThan(0);
    }
    expect(sim.lastMessage('09121234567')).toMatchObject({ provider: 'smsir', code: '777', template: '100000' });
    expect(sim.lastCode('+989351234567')).toBe('777');
  });

  it.each([
    [
      'a bad key',
      'wrong',
      { mobile: '9121234567', templateId: 100000, parameters: [{ name: 'CODE', value: '1' }] },
      401,
      10,
    ],
    [
      'a bad mobile',
      'devnet-smsir-key',
      { mobile: '912', templateId: 100000, parameters: [{ name: 'CODE', value: '1' }] },
      400,
      104,
    ],
    [
      'an unknown template',
      'devnet-smsir-key',
      { mobile: '9121234567', templateId: 5, parameters: [{ name: 'CODE', value: '1' }] },
      400,
      113,
    ],
    ['a missing parameter', 'devnet-smsir-key', { mobile: '9121234567', templateId: 100000, parameters: [] }, 400, 116],
    ['a malformed body', 'devnet-smsir-key', { mobile: 9121234567 }, 400, 16],
  ])('answers %s with HTTP %i and status %i', async (_what, key, body, http, status) => {
    const sim = await start();
    const res = await smsir(sim.url, key, body);
    expect(res.status).toBe(http);
    expect(await res.json()).toMatchObject({ status, data: null });
    expect(sim.messages()).toHaveLength(0);
  });
});

describe('SMS simulator: dev endpoints and failures', () => {
  it('GET /_devnet/messages?receptor= returns the latest message to that number in any spelling', async () => {
    const sim = await start();
    await kavenegar(sim.url, 'devnet-kavenegar-key', { receptor: '09121234567', template: 'verify', token: '111111' });
    await smsir(sim.url, 'devnet-smsir-key', {
      mobile: '9121234567',
      templateId: 100000,
      parameters: [{ name: 'CODE', value: '222222' }],
    });
    for (const spelling of ['09121234567', '+989121234567', '989121234567', '00989121234567']) {
      const res = await fetch(`${sim.url}/_devnet/messages?receptor=${encodeURIComponent(spelling)}`);
      expect(res.status).toBe(200);
      expect(((await res.json()) as SimulatedSms).code).toBe('222222');
    }
    expect((await fetch(`${sim.url}/_devnet/messages?receptor=09120000000`)).status).toBe(404);
    expect((await fetch(`${sim.url}/_devnet/messages?receptor=abc`)).status).toBe(400);
    const all = (await (await fetch(`${sim.url}/_devnet/messages`)).json()) as { messages: SimulatedSms[] };
    expect(all.messages.map((m) => m.code)).toEqual(['111111', '222222']);
    await fetch(`${sim.url}/_devnet/messages`, { method: 'DELETE' });
    expect(sim.messages()).toHaveLength(0);
  });

  it('injects failures in each format, for a number of requests, also over HTTP', async () => {
    const sim = await start({ failMode: { mode: 'rate-limit', times: 2, retryAfterSeconds: 7 } });
    const k = await kavenegar(sim.url, 'devnet-kavenegar-key', {
      receptor: '09121234567',
      template: 'verify',
      token: '1',
    });
    expect(k.status).toBe(429);
    expect(k.headers.get('retry-after')).toBe('7');
    const s = await smsir(sim.url, 'devnet-smsir-key', {
      mobile: '9121234567',
      templateId: 100000,
      parameters: [{ name: 'CODE', value: '1' }],
    });
    expect(s.status).toBe(429);
    expect(await s.json()).toMatchObject({ status: 20 });
    // recovered by itself after two requests
    expect(
      (await kavenegar(sim.url, 'devnet-kavenegar-key', { receptor: '09121234567', template: 'verify', token: '1' }))
        .status,
    ).toBe(200);

    await fetch(`${sim.url}/_devnet/failure`, { method: 'POST', body: JSON.stringify({ mode: 'server-error' }) });
    expect((await smsir(sim.url, 'devnet-smsir-key', {})).status).toBe(500);
    const broken = await kavenegar(sim.url, 'devnet-kavenegar-key', {
      receptor: '09121234567',
      template: 'verify',
      token: '1',
    });
    expect(broken.status).toBe(500);
    sim.setFailure('malformed-json');
    const malformed = await kavenegar(sim.url, 'devnet-kavenegar-key', {
      receptor: '09121234567',
      template: 'verify',
      token: '1',
    });
    await expect(malformed.json()).rejects.toThrow();
    await fetch(`${sim.url}/_devnet/failure`, { method: 'POST', body: JSON.stringify({ mode: null }) });
    expect(
      (await kavenegar(sim.url, 'devnet-kavenegar-key', { receptor: '09121234567', template: 'verify', token: '1' }))
        .status,
    ).toBe(200);
    expect(sim.requestCount()).toBe(7);
  });

  it('hangs when told to (the client must time out)', async () => {
    const sim = await start({ failMode: 'hang' });
    await expect(
      fetch(`${sim.url}/v1/send/verify`, { method: 'POST', body: '{}', signal: AbortSignal.timeout(200) }),
    ).rejects.toThrow();
  });
});
