import { generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { dataCheckString, InitDataError, InitDataVerifier, signInitData } from './telegram-init-data.js';

const BOT_TOKEN = '5768337691:AAH5YkoiEuPk8-FZa32hStHTqXiLPtAEhx8';
const now = new Date('2026-11-21T12:00:00Z');
const authDate = String(Math.floor(now.getTime() / 1000) - 60);
const user = JSON.stringify({
  id: 279058397,
  first_name: 'Vladislav',
  username: 'vdkfrost',
  language_code: 'ru',
  is_premium: true,
});

function verifier(extra: Partial<ConstructorParameters<typeof InitDataVerifier>[0]> = {}) {
  return new InitDataVerifier({
    botToken: BOT_TOKEN,
    botId: null,
    publicKeyHex: 'e7bf03a2fa4602af4580703d88dda5bb59f32ed8b02a56c187fe7d34caed242d',
    maxAgeSeconds: 3600,
    ...extra,
  });
}

function reason(fn: () => unknown): string {
  try {
    fn();
    return 'accepted';
  } catch (err) {
    return err instanceof InitDataError ? err.reason : `threw ${(err as Error).message}`;
  }
}

describe('InitDataVerifier (HMAC, first party)', () => {
  const initData = signInitData(BOT_TOKEN, {
    query_id: 'AAHdF6IQAAAAAN0XohDhrOrc',
    user,
    auth_date: authDate,
    signature: 'sig-stays-in-the-check-string',
  });

  it('accepts correctly signed initData and returns the user', () => {
    const result = verifier().verify(initData, now);
    expect(result).toMatchObject({
      via: 'hmac',
      queryId: 'AAHdF6IQAAAAAN0XohDhrOrc',
      user: { id: 279058397, username: 'vdkfrost' },
    });
  });

  it('builds the data-check-string from URL-decoded, sorted fields without hash', () => {
    const fields = new Map([
      ['user', '{"a":1}'],
      ['auth_date', '1'],
      ['hash', 'x'],
      ['signature', 's'],
    ]);
    expect(dataCheckString(fields, ['hash'])).toBe('auth_date=1\nsignature=s\nuser={"a":1}');
  });

  it('refuses tampering, wrong tokens, staleness and garbage with a reason', () => {
    const params = new URLSearchParams(initData);
    params.set('user', user.replace('vdkfrost', 'mallory'));
    expect(reason(() => verifier().verify(params.toString(), now))).toBe('bad_signature');
    const withoutSignature = new URLSearchParams(initData);
    withoutSignature.delete('signature');
    expect(reason(() => verifier().verify(withoutSignature.toString(), now))).toBe('bad_signature');
    expect(reason(() => verifier({ botToken: '1:other' }).verify(initData, now))).toBe('bad_signature');
    expect(reason(() => verifier().verify(initData, new Date(now.getTime() + 2 * 3600_000)))).toBe('expired');
    expect(reason(() => verifier({ maxAgeSeconds: 30 }).verify(initData, now))).toBe('expired');
    expect(reason(() => verifier().verify(initData, new Date(now.getTime() - 3600_000)))).toBe('from_future');
    const noHash = new URLSearchParams(initData);
    noHash.delete('hash');
    noHash.delete('signature');
    expect(reason(() => verifier().verify(noHash.toString(), now))).toBe('missing_hash');
    expect(reason(() => verifier().verify(`${initData}&hash=deadbeef`, now))).toBe('malformed');
    expect(reason(() => verifier().verify('x'.repeat(9000), now))).toBe('malformed');
    expect(reason(() => verifier().verify(undefined as unknown as string, now))).toBe('malformed');
  });
});

describe('InitDataVerifier (Ed25519, third party)', () => {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const publicKeyHex = Buffer.from(publicKey.export({ format: 'jwk' }).x!, 'base64url').toString('hex');
  const botId = '5768337691';
  const fields = { query_id: 'AAH', user, auth_date: authDate };
  const check = `${botId}:WebAppData\n${dataCheckString(new Map(Object.entries(fields)), [])}`;
  const signature = sign(null, Buffer.from(check), privateKey).toString('base64url');
  const initData = new URLSearchParams({ ...fields, signature, hash: '0'.repeat(64) }).toString();

  it('accepts Telegram-signed data when a bot id is configured', () => {
    expect(verifier({ botId, publicKeyHex, botToken: '1:not-the-issuing-bot' }).verify(initData, now).via).toBe(
      'ed25519',
    );
  });

  it('gives one proof per launch, whichever form checks it: the signature when there is one, else the hash', () => {
    // Telegram's initData carries both: a valid hash over the fields with the signature, and the signature
    const both = signInitData(BOT_TOKEN, { ...fields, signature });
    const viaHmac = verifier({ botId, publicKeyHex }).verify(both, now);
    const tampered = new URLSearchParams(both);
    tampered.set('hash', 'f'.repeat(64)); // the hash no longer matches: the Ed25519 form still does
    const viaSignature = verifier({ botId, publicKeyHex }).verify(tampered.toString(), now);
    expect([viaHmac.via, viaSignature.via]).toEqual(['hmac', 'ed25519']);
    expect(viaSignature.proof).toBe(viaHmac.proof);
    const hashOnly = signInitData(BOT_TOKEN, fields);
    const plain = verifier().verify(hashOnly, now);
    expect(plain.proof).toBe(`hash:${new URLSearchParams(hashOnly).get('hash')}`);
    expect(
      verifier().verify(
        hashOnly.replace(/hash=([0-9a-f]+)/, (_, h: string) => `hash=${h.toUpperCase()}`),
        now,
      ).proof,
    ).toBe(plain.proof);
  });

  it('refuses it without a bot id, with another bot id, or when a field changed', () => {
    expect(reason(() => verifier({ publicKeyHex, botToken: '1:x' }).verify(initData, now))).toBe('bad_signature');
    expect(reason(() => verifier({ botId: '42', publicKeyHex, botToken: '1:x' }).verify(initData, now))).toBe(
      'bad_signature',
    );
    const tampered = new URLSearchParams(initData);
    tampered.set('query_id', 'other');
    expect(reason(() => verifier({ botId, publicKeyHex, botToken: '1:x' }).verify(tampered.toString(), now))).toBe(
      'bad_signature',
    );
  });
});
