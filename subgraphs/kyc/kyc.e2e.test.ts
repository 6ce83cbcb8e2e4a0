import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsSimulator, type SmsSimulator } from '../../devnet/sms/sms.simulator.js';
import { createLogger } from '../../platform/logger.js';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { publishMarketPrice } from '../../testing/market-prices.js';
import { createTestObjectStore, postPresignedUpload, type TestObjectStore } from '../../testing/s3.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import type { LedgerServices } from '../ledger/context.js';
import { until } from '../../testing/until.js';

/**
 * The whole KYC path through the gateway with the SMS simulator and the devnet S3 server: send code → verify →
 * upload three documents → submit → a reviewer approves → identity raises tier and level from the event → the
 * ledger's level limits follow (a transfer above level 1's cap now goes, one above level 2's is LIMIT_EXCEEDED). Then the
 * phone rules (wrong code ×5, expiry, a number taken by another user, malformed numbers, the resend cool-down and
 * the per-user limit), and a scan of every log line for codes, national IDs, phone numbers, keys and URLs.
 */
const LEVEL_LIMITS = '1:USD:100:-:-,2:USD:1000:-:-';
const lines: string[] = [];
let stack: TestStack;
let s3: TestObjectStore;
let sms: SmsSimulator;
beforeAll(async () => {
  s3 = await createTestObjectStore('kycfull');
  sms = await startSmsSimulator();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({ name: 'kyc-e2e', level: 'trace', destination });
  // Level limits on (the test env turns them off): 100 USD per transaction at level 1, 1,000 at level 2.
  stack = await startStack(
    {
      ...s3.env,
      KAVENEGAR_BASE_URL: sms.url,
      KYC_USER_SENDS_PER_HOUR: '4',
      LEDGER_LEVEL_LIMITS: LEVEL_LIMITS,
      LEDGER_FEES: '*:0:0',
    },
    { log },
  );
});
afterAll(async () => {
  await stack?.close();
  await sms?.close();
  s3?.close();
});

const kycSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  stack.subgraphs.get('kyc')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);

async function user(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user: u } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: accessToken, userId: u.id };
}

const ledgerEm = () => stack.subgraphs.get('ledger')!.deps.orm.em.fork();
const ledger = () => (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;

/** 2,000 USDT credited through the deposit path (custody → available), as a confirmed wallet deposit is. */
async function fund(userId: string): Promise<void> {
  await until(
    'the ledger to know the user',
    () => ledgerEm().getConnection().execute(`select 1 from ledger.user_directory where user_id = ?`, [userId]),
    (r) => r.length === 1,
  );
  const result = await ledgerEm().transactional((tx) =>
    ledger().postings.creditDeposit(
      tx,
      {
        depositId: `dep_kyc_${userId}`,
        userId,
        network: 'ETH',
        asset: 'USDT_ETH',
        amount: 2_000_000_000n,
        txHash: `0xkyc${userId}`,
        outputIndex: 0,
      },
      'system:test',
    ),
  );
  expect(result.type).toBe('Transaction');
}

const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) {
  __typename
  ... on Transaction { id amount }
  ... on LimitExceeded { code period limit remaining currency level }
} }`;
const transfer = (token: string, toUserId: string, amount: string, key: string) =>
  gql(stack.graphqlUrl, TRANSFER, { input: { toUserId, asset: 'USDT_ETH', amount, idempotencyKey: key } }, token).then(
    (r) => {
      expect(r.body.errors).toBeUndefined();
      return r.body.data!.transfer as Record<string, unknown>;
    },
  );

let numbers = 0;
/** A fresh mobile number, as a user might type it (`09…`), and its E.164 form. */
function newNumber(): { typed: string; e164: string } {
  const tail = `${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;
  return { typed: `0912${tail}`, e164: `+98912${tail}` };
}

const SEND = `mutation($p: String!) { sendPhoneCode(phone: $p) { phone expiresAt resendAfterSeconds } }`;
const VERIFY = `mutation($p: String!, $c: String!) { verifyPhoneCode(phone: $p, code: $c) { phone verifiedAt } }`;
const ME = `{ me { kycTier level kyc { tier status phone nextTierNeeds } } }`;

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe1, ...new Array(3000).fill(9)]);
const NATIONAL_ID = '0499370899';
const secrets = new Set<string>();

describe('the whole KYC path', () => {
  it('send code → verify → three documents → submit → approve → tier and level rise → the new level’s limits apply', async () => {
    const me = await user();
    const friend = await user();
    await fund(me.userId);
    await publishMarketPrice(stack, 'USDT', 'USD', '1.0000');
    // Level 1 before KYC: 500 USDT is above its 100 USD per transaction; nothing moves.
    expect(await transfer(me.token, friend.userId, '500', 'kyc-before')).toEqual({
      __typename: 'LimitExceeded',
      code: 'LIMIT_EXCEEDED',
      period: 'TRANSACTION',
      limit: '100',
      remaining: '100',
      currency: 'USD',
      level: 1,
    });
    const phone = newNumber();
    // Persian digits, as typed on a Persian keyboard
    const persian = phone.typed.replace(/\d/g, (d) => '۰۱۲۳۴۵۶۷۸۹'[Number(d)]!);
    const sent = await gql(stack.graphqlUrl, SEND, { p: persian }, me.token);
    expect(sent.body.errors).toBeUndefined();
    expect(sent.body.data!.sendPhoneCode).toMatchObject({
      phone: `+98912***${phone.e164.slice(-4)}`,
      resendAfterSeconds: 60,
    });
    const code = sms.lastCode(phone.e164)!;
    expect(code).toMatch(/^\d{6}$/);
    secrets.add(code);
    // only a hash is stored
    const stored = await kycSql<{ code_hash: string }>(`select code_hash from kyc.verification_code where phone = ?`, [
      phone.e164,
    ]);
    expect(stored).toHaveLength(1);
    expect(stored[0]!.code_hash).not.toContain(code);

    const verified = await gql(stack.graphqlUrl, VERIFY, { p: `+98${phone.typed.slice(1)}`, c: code }, me.token);
    expect(verified.body.errors).toBeUndefined();
    // a used code is spent
    expect(errorCode(await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: code }, me.token))).toBe(
      'PHONE_CODE_EXPIRED',
    );

    const documentIds: string[] = [];
    for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SELFIE']) {
      const req = await gql(
        stack.graphqlUrl,
        `mutation($k: KycDocumentKind!) { requestKycUpload(kind: $k) { document { id } url fields { name value } } }`,
        { k: kind },
        me.token,
      );
      expect(req.body.errors).toBeUndefined();
      const u = req.body.data!.requestKycUpload;
      secrets.add(u.url);
      for (const f of u.fields)
        if (f.name === 'key' || f.name === 'Policy' || f.name === 'X-Amz-Signature') secrets.add(f.value);
      const posted = await postPresignedUpload(
        { url: u.url, fields: Object.fromEntries(u.fields.map((f: any) => [f.name, f.value])) },
        JPEG,
      );
      expect(posted.status).toBeLessThan(300);
      const ok = await gql(
        stack.graphqlUrl,
        `mutation($id: ID!) { confirmKycUpload(id: $id) { status } }`,
        { id: u.document.id },
        me.token,
      );
      expect(ok.body.data!.confirmKycUpload.status).toBe('ACCEPTED');
      documentIds.push(u.document.id);
    }
    const keys = await kycSql<{ object_key: string }>(`select object_key from kyc.kyc_document where user_id = ?`, [
      me.userId,
    ]);
    for (const k of keys) secrets.add(k.object_key);

    const ready = await gql(stack.graphqlUrl, ME, {}, me.token);
    expect(ready.body.data!.me.kyc.nextTierNeeds).toEqual(['SUBMISSION', 'REVIEW']);

    const submitted = await gql(
      stack.graphqlUrl,
      `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id status } }`,
      {
        i: {
          tier: 'FULL',
          firstName: 'زهرا',
          lastName: 'کریمی',
          nationalId: NATIONAL_ID,
          birthDate: '1368-11-02',
          documentIds,
        },
      },
      me.token,
    );
    expect(submitted.body.errors).toBeUndefined();
    const id = submitted.body.data!.submitKyc.id as string;

    const email = `kyc-full-${process.pid}@example.com`;
    const staff = await signInStaff(stack, ['COMPLIANCE'], email);
    await stack.subgraphs
      .get('identity')!
      .deps.orm.em.fork()
      .getConnection()
      .execute(`update identity."user" set claims = '{kyc:review}' where id = ?`, [staff.userId]);
    const staffToken = (
      await gql(
        stack.graphqlUrl,
        `mutation { signInAdmin(email: "${email}", password: "correct horse battery staple") { accessToken } }`,
      )
    ).body.data!.signInAdmin.accessToken as string;
    const docs = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { kycSubmission(id: $id) { nationalId documents { kind download { url } } } }`,
      { id },
      staffToken,
    );
    expect(docs.body.data!.kycSubmission.nationalId).toBe(NATIONAL_ID);
    for (const d of docs.body.data!.kycSubmission.documents) {
      secrets.add(d.download.url);
      expect((await fetch(d.download.url)).status).toBe(200);
    }
    const approved = await gql(
      stack.graphqlUrl,
      `mutation($id: ID!) { approveKyc(id: $id, tier: FULL) { status } }`,
      { id },
      staffToken,
    );
    expect(approved.body.data!.approveKyc.status).toBe('APPROVED');

    const after = await until(
      'tier and level to rise',
      async () => (await gql(stack.graphqlUrl, ME, {}, me.token)).body.data!.me,
      (m) => m.kycTier === 'FULL' && m.level === 2,
    );
    expect(after.kyc).toMatchObject({ tier: 'FULL', status: 'APPROVED', nextTierNeeds: [] });

    // identity's level change reaches the ledger as an event: the viewer's limits are level 2's
    await until(
      'the ledger to apply level 2',
      async () => (await gql(stack.graphqlUrl, `{ me { limits { level } } }`, {}, me.token)).body.data?.me.limits,
      (l) => l?.level === 2,
    );
    // above the old limit, now within the new one: it goes
    expect(await transfer(me.token, friend.userId, '500', 'kyc-after')).toMatchObject({
      __typename: 'Transaction',
      amount: '500',
    });
    // above the new limit: LIMIT_EXCEEDED with level 2's cap
    expect(await transfer(me.token, friend.userId, '1000.01', 'kyc-above')).toEqual({
      __typename: 'LimitExceeded',
      code: 'LIMIT_EXCEEDED',
      period: 'TRANSACTION',
      limit: '1000',
      remaining: '1000',
      currency: 'USD',
      level: 2,
    });
  });
});

describe('phone rules', () => {
  it('five wrong codes lock the code, even against the right one afterwards', async () => {
    const me = await user();
    const phone = newNumber();
    await gql(stack.graphqlUrl, SEND, { p: phone.typed }, me.token);
    const code = sms.lastCode(phone.e164)!;
    secrets.add(code);
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    for (let i = 1; i <= 4; i++) {
      const res = await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: wrong }, me.token);
      expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'PHONE_CODE_INVALID', attemptsLeft: 5 - i });
    }
    expect(errorCode(await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: wrong }, me.token))).toBe('PHONE_LOCKED');
    expect(errorCode(await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: code }, me.token))).toBe('PHONE_LOCKED');
    expect(await kycSql(`select 1 from kyc.verified_phone where user_id = ?`, [me.userId])).toEqual([]);
  });

  it('an expired code is refused', async () => {
    const me = await user();
    const phone = newNumber();
    await gql(stack.graphqlUrl, SEND, { p: phone.typed }, me.token);
    const code = sms.lastCode(phone.e164)!;
    secrets.add(code);
    const [row] = await kycSql<{ expires_at: Date; created_at: Date }>(
      `select expires_at, created_at from kyc.verification_code where phone = ?`,
      [phone.e164],
    );
    expect(new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()).toBeGreaterThanOrEqual(119_000);
    expect(new Date(row!.expires_at).getTime() - new Date(row!.created_at).getTime()).toBeLessThanOrEqual(121_000);
    // two minutes pass
    await kycSql(`update kyc.verification_code set expires_at = now() - interval '1 second' where phone = ?`, [
      phone.e164,
    ]);
    expect(errorCode(await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: code }, me.token))).toBe(
      'PHONE_CODE_EXPIRED',
    );
  });

  it('a number verified by one user cannot be claimed by another', async () => {
    const first = await user();
    const second = await user();
    const phone = newNumber();
    // the second user asks for a code before the first has verified
    await gql(stack.graphqlUrl, SEND, { p: phone.typed }, first.token);
    const firstCode = sms.lastCode(phone.e164)!;
    secrets.add(firstCode);
    await kycSql(`select 1`);
    expect(
      (await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: firstCode }, first.token)).body.errors,
    ).toBeUndefined();
    const claim = await gql(stack.graphqlUrl, SEND, { p: phone.e164 }, second.token);
    expect(errorCode(claim)).toBe('PHONE_TAKEN');
    expect(await kycSql(`select user_id from kyc.verified_phone where phone = ?`, [phone.e164])).toEqual([
      { user_id: first.userId },
    ]);
  });

  it('malformed numbers are BAD_USER_INPUT and send nothing; the cool-down and the per-user limit are RATE_LIMITED', async () => {
    const me = await user();
    const before = sms.messages().length;
    for (const bad of ['02112345678', '0912123', '+449121234567', 'phone', '۰۹۱۲۱۲۳۴۵۶۷۸۹'])
      expect((await gql(stack.graphqlUrl, SEND, { p: bad }, me.token)).body.errors?.[0]?.extensions, bad).toMatchObject(
        {
          code: 'BAD_USER_INPUT',
          field: 'phone',
        },
      );
    expect(errorCode(await gql(stack.graphqlUrl, VERIFY, { p: '09121234567', c: '12ab56' }, me.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(sms.messages().length).toBe(before);

    const phone = newNumber();
    expect((await gql(stack.graphqlUrl, SEND, { p: phone.typed }, me.token)).body.errors).toBeUndefined();
    secrets.add(sms.lastCode(phone.e164)!);
    const again = await gql(stack.graphqlUrl, SEND, { p: phone.typed }, me.token);
    expect(again.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'PHONE_COOLDOWN' });
    // KYC_USER_SENDS_PER_HOUR=4 in this stack: the fifth code of the hour (any numbers) is refused
    for (let i = 0; i < 3; i++) {
      const n = newNumber();
      expect((await gql(stack.graphqlUrl, SEND, { p: n.typed }, me.token)).body.errors).toBeUndefined();
      secrets.add(sms.lastCode(n.e164)!);
    }
    const limited = await gql(stack.graphqlUrl, SEND, { p: newNumber().typed }, me.token);
    expect(limited.body.errors?.[0]?.extensions).toMatchObject({ code: 'RATE_LIMITED', scope: 'USER' });
    expect(errorCode(await gql(stack.graphqlUrl, SEND, { p: newNumber().typed }, null))).toBe('UNAUTHENTICATED');
  });
});

describe('one number per user', () => {
  it('verifying two numbers at once leaves exactly one, never PHONE_TAKEN for one’s own race', async () => {
    const me = await user();
    const a = newNumber();
    const b = newNumber();
    await gql(stack.graphqlUrl, SEND, { p: a.typed }, me.token);
    await gql(stack.graphqlUrl, SEND, { p: b.typed }, me.token);
    const [ca, cb] = [sms.lastCode(a.e164)!, sms.lastCode(b.e164)!];
    secrets.add(ca).add(cb);
    const results = await Promise.all([
      gql(stack.graphqlUrl, VERIFY, { p: a.typed, c: ca }, me.token),
      gql(stack.graphqlUrl, VERIFY, { p: b.typed, c: cb }, me.token),
    ]);
    for (const r of results)
      if (r.body.errors)
        expect(r.body.errors[0]!.extensions).toMatchObject({ code: 'CONFLICT', reason: 'CONCURRENT_VERIFICATION' });
    expect(results.some((r) => !r.body.errors)).toBe(true);
    const rows = await kycSql<{ phone: string }>(`select phone from kyc.verified_phone where user_id = ?`, [me.userId]);
    expect(rows).toHaveLength(1);
    expect([a.e164, b.e164]).toContain(rows[0]!.phone);
  });
});

describe('SMS provider down', () => {
  it('is SERVICE_UNAVAILABLE, stores no code, and the user may ask again at once', async () => {
    const me = await user();
    const phone = newNumber();
    sms.setFailure({ mode: 'server-error', times: 3 }); // the first try and both retries
    const down = await gql(stack.graphqlUrl, SEND, { p: phone.typed }, me.token);
    expect(errorCode(down)).toBe('SERVICE_UNAVAILABLE');
    expect(await kycSql(`select 1 from kyc.verification_code where phone = ?`, [phone.e164])).toEqual([]);
    sms.setFailure(null);
    const again = await gql(stack.graphqlUrl, SEND, { p: phone.typed }, me.token);
    expect(again.body.errors).toBeUndefined();
    secrets.add(sms.lastCode(phone.e164)!);
  });
});

describe('logs', () => {
  it('never carry a phone code, a national ID, a phone number, a document key or URL', () => {
    const text = lines.join('');
    expect(text).toContain('phone verified'); // the scan saw the kyc service's lines
    expect(text).toContain('kyc upload accepted');
    expect(secrets.size).toBeGreaterThan(10);
    const leaked = [...secrets].filter((s) => text.includes(s));
    expect(leaked).toEqual([]);
    expect(text).not.toContain(NATIONAL_ID);
    expect(text).not.toMatch(/\+989\d{9}|09\d{9}/);
    // a six-digit code appears only where a number of the same shape could (ids, timestamps)
    for (const line of lines) expect(line, line.slice(0, 200)).not.toMatch(/"code"\s*:\s*"\d{6}"/);
  });
});
