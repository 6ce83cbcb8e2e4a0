import { Writable } from 'node:stream';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { startCaptureServer } from '../../devnet/sms/capture-server.js';
import { closeAfterEach, FAST_RESILIENCE, fixtureReader } from '../../testing/provider-fixtures.js';
import { RialAmountError } from '../rial.js';
import { createFinnotechBanking } from './finnotech.client.js';
import { FinnotechRefusedError } from './finnotech.errors.js';
import { fromTehranJalali } from './jalali.js';

const fixture = fixtureReader(import.meta.url);
const track = closeAfterEach();
const SECRET = 'client-SECRET-6932dddb927b76e54997';
const CARD = '6037991327465278';
const ok = (name: string) => ({ status: 200, body: fixture(name) });

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

const client = (url: string, extra: Partial<Parameters<typeof createFinnotechBanking>[0]> = {}) =>
  createFinnotechBanking({
    baseUrl: url,
    clientId: 'firstapp',
    clientSecret: SECRET,
    nid: '0123456789',
    sourceDeposit: '776700000',
    statement: { bank: '062', refreshToken: 'configured-refresh' },
    resilience: FAST_RESILIENCE,
    ...extra,
  });

const trackIdOf = (search: string) => new URLSearchParams(search).get('trackId');

describe('finnotech client against the documented answers', () => {
  it('client-credentials token: Basic base64(clientId:secret), JSON {grant_type, nid, scopes}; then the card with Bearer and a trackId', async () => {
    const server = track(await startCaptureServer(ok('token.json'), ok('card-info.json')));
    const { log, lines } = captureLog();
    expect(await client(server.url, { log }).cardHolder(CARD)).toEqual({ name: 'علی آقایی', bankName: 'بانک تجارت' });
    const [tokenReq, cardReq] = server.seen;
    expect(tokenReq?.path).toBe('/dev/v2/oauth2/token');
    expect(tokenReq?.headers.authorization).toBe(`Basic ${Buffer.from(`firstapp:${SECRET}`).toString('base64')}`);
    expect(JSON.parse(tokenReq!.body)).toEqual({
      grant_type: 'client_credentials',
      nid: '0123456789',
      scopes:
        'card:information:get,facility:card-to-iban:get,oak:iban-inquiry:get,oak:cc-transfer-to:execute,oak:transfer-inquiry:get',
    });
    expect(cardReq?.method).toBe('GET');
    expect(cardReq?.path).toBe(`/mpg/v2/clients/firstapp/cards/${CARD}`);
    expect(cardReq?.headers.authorization).toBe(`Bearer ${JSON.parse(fixture('token.json')).result.value}`);
    expect(trackIdOf(cardReq!.search)).toMatch(/^[A-Za-z0-9-]{1,40}$/);
    expect(lines.join('')).not.toContain(SECRET);
    expect(lines.join('')).not.toContain(CARD);
  });

  it('cardToIban v2 and ibanInquiry map to the port; the token is reused', async () => {
    const server = track(await startCaptureServer(ok('token.json'), ok('card-to-iban.json'), ok('iban-inquiry.json')));
    const c = client(server.url);
    expect(await c.cardToIban('6362141081734437')).toEqual({
      card: '6362141081734437',
      iban: 'IR910800005000115426432001',
      bankName: 'قرض الحسنه رسالت',
      ownerName: 'شیما کیانی',
    });
    expect(await c.ibanInquiry('IR910800005000115426432001')).toEqual({
      iban: 'IR910800005000115426432001',
      bankName: 'قرض الحسنه رسالت',
      owners: [{ firstName: 'شیما', lastName: 'کیایی' }],
      accountStatus: 'ACTIVE',
    });
    expect(server.seen.map((r) => r.path)).toEqual([
      '/dev/v2/oauth2/token',
      '/facility/v2/clients/firstapp/cardToIban',
      '/oak/v2/clients/firstapp/ibanInquiry',
    ]);
    expect(new URLSearchParams(server.seen[1]!.search).get('version')).toBe('2');
  });

  it('statement: CODE token by refresh_token (bank), Jalali window, Rial → Toman, refCode and deposit id from the documented lines', async () => {
    const server = track(await startCaptureServer(ok('token-code.json'), ok('statement.json')));
    const page = await client(server.url).statement({
      depositNumber: '0302876214008',
      from: fromTehranJalali('14000501', '000000'),
      to: fromTehranJalali('14000520', '235959'),
      cursor: null,
    });
    expect(JSON.parse(server.seen[0]!.body)).toEqual({
      grant_type: 'refresh_token',
      token_type: 'CODE',
      bank: '062',
      refresh_token: 'configured-refresh',
    });
    const q = new URLSearchParams(server.seen[1]!.search);
    expect(server.seen[1]!.path).toBe('/oak/v2/clients/firstapp/deposits/0302876214008/statement');
    expect([q.get('fromDate'), q.get('fromTime'), q.get('toDate'), q.get('toTime')]).toEqual([
      '14000501',
      '000000',
      '14000520',
      '235959',
    ]);
    expect(page.next).toBeNull();
    expect(page.lines).toEqual([
      {
        refCode: '14000510135454KZ654661',
        amountToman: -1_200n,
        at: fromTehranJalali('14000510', '135454'),
        description: 'قاسم آینده',
        depositId: '121',
        sourceCard: null,
        sourceIban: null,
      },
      {
        refCode: '140005101342230000000',
        amountToman: -1_000n,
        at: fromTehranJalali('14000510', '134223'),
        description: 'قاسم ‌آینده',
        depositId: null,
        sourceCard: null,
        sourceIban: null,
      },
    ]);
    expect(page.lines[0]!.at.toISOString()).toBe('2021-08-01T09:24:54.000Z');
  });

  it('a statement amount that is not a whole number of Toman is refused; a window over 31 days is refused locally', async () => {
    const body = fixture('statement.json').replace('"0000000000012000"', '"0000000000012005"');
    const server = track(await startCaptureServer(ok('token-code.json'), { status: 200, body }));
    const c = client(server.url);
    await expect(
      c.statement({ depositNumber: 'd', from: new Date(Date.now() - 86_400_000), to: new Date(), cursor: null }),
    ).rejects.toBeInstanceOf(RialAmountError);
    await expect(
      c.statement({ depositNumber: 'd', from: new Date(Date.now() - 40 * 86_400_000), to: new Date(), cursor: null }),
    ).rejects.toThrow(/31 days/);
  });

  it('an invalid token (401) refreshes once with the refresh token, then retries with a new trackId', async () => {
    const server = track(
      await startCaptureServer(
        ok('token.json'),
        { status: 401, body: fixture('invalid-token.json') },
        ok('token.json'),
        ok('card-info.json'),
      ),
    );
    expect((await client(server.url).cardHolder(CARD)).name).toBe('علی آقایی');
    expect(JSON.parse(server.seen[2]!.body)).toMatchObject({
      grant_type: 'refresh_token',
      token_type: 'CLIENT-CREDENTIAL',
    });
    expect(trackIdOf(server.seen[3]!.search)).not.toBe(trackIdOf(server.seen[1]!.search));
  });

  it('cc/transferTo: the caller trackId, Rial, the documented body; DONE with refCode; a 400 FAILED is FAILED', async () => {
    const server = track(
      await startCaptureServer(ok('token.json'), ok('cc-transfer.json'), {
        status: 400,
        body: fixture('transfer-limit.json'),
      }),
    );
    const c = client(server.url);
    const request = {
      trackId: 'transfer-to-deposit-0323',
      amountToman: 1_000n,
      destinationIban: 'IR030000080100003030000007',
      destinationOwner: { firstName: 'تست', lastName: 'تستی' },
      description: 'تست',
      paymentNumber: '1134013',
    };
    expect(await c.transferTo(request)).toEqual({
      trackId: 'transfer-to-deposit-0323',
      state: 'DONE',
      refCode: '140109040622138',
      message: null,
    });
    const req = server.seen[1]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/oak/v2/clients/firstapp/cc/transferTo');
    expect(trackIdOf(req.search)).toBe('transfer-to-deposit-0323');
    expect(JSON.parse(req.body)).toEqual({
      amount: 10_000,
      description: 'تست',
      destinationFirstname: 'تست',
      destinationLastname: 'تستی',
      destinationNumber: 'IR030000080100003030000007',
      paymentNumber: '1134013',
      deposit: '776700000',
    });
    expect(await c.transferTo({ ...request, trackId: 'wd-2' })).toEqual({
      trackId: 'wd-2',
      state: 'FAILED',
      refCode: null,
      message: 'VALIDATION_ERROR: Max amount per transaction limitation exceeded',
    });
  });

  it('a 408 or a 5xx on transferTo is UNKNOWN and is not resent', async () => {
    const server = track(
      await startCaptureServer(
        ok('token.json'),
        { status: 408, body: '{"status":"FAILED"}' },
        { status: 502, body: 'bad gateway' },
      ),
    );
    const c = client(server.url);
    const t = {
      trackId: 'wd-408',
      amountToman: 1_000n,
      destinationIban: 'IR030000080100003030000007',
      destinationOwner: { firstName: 'تست', lastName: 'تستی' },
      description: 'x',
      paymentNumber: '1',
    };
    expect(await c.transferTo(t)).toMatchObject({ state: 'UNKNOWN', refCode: null });
    expect(await c.transferTo({ ...t, trackId: 'wd-502' })).toMatchObject({ state: 'UNKNOWN' });
    expect(server.seen).toHaveLength(3);
  });

  it('a FAILED read is a FinnotechRefusedError with FinnoTech’s code', async () => {
    const server = track(
      await startCaptureServer(ok('token.json'), { status: 400, body: fixture('transfer-limit.json') }),
    );
    const err = await client(server.url)
      .ibanInquiry('IR910800005000115426432001')
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FinnotechRefusedError);
    expect(err).toMatchObject({ reason: 'VALIDATION_ERROR', status: 400 });
  });
});
