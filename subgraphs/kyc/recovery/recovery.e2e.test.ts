import { Writable } from 'node:stream';
import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmsSimulator, type SmsSimulator } from '../../../devnet/sms/sms.simulator.js';
import { tokensInvalidBeforeKey } from '../../../platform/auth/revocation-keys.js';
import { createLogger } from '../../../platform/logger.js';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { createTestObjectStore, type TestObjectStore } from '../../../testing/s3.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser, type TestTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import { until } from '../../../testing/until.js';

/**
 * Account recovery through the gateway, with the SMS simulator: an account with a verified phone and a balance
 * loses its Telegram account; a new Telegram account proves the phone, a reviewer approves, identity moves the
 * Telegram id. Then the refusals: a wrong code, a number nobody verified (same answer, no SMS), a reviewer who
 * is one of the accounts, a USER listing or deciding, a decision made twice; and a scan of the logs for codes
 * and numbers.
 */
const lines: string[] = [];
let stack: TestStack;
let s3: TestObjectStore;
let sms: SmsSimulator;
beforeAll(async () => {
  s3 = await createTestObjectStore('kycrecovery');
  sms = await startSmsSimulator();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  const log = createLogger({ name: 'recovery-e2e', level: 'trace', destination });
  stack = await startStack({ ...s3.env, KAVENEGAR_BASE_URL: sms.url }, { log });
});
const clients: Client[] = [];
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stack?.close();
  await sms?.close();
  s3?.close();
});

const sqlOf =
  (subgraph: string) =>
  <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
const kycSql = sqlOf('kyc');
const identitySql = sqlOf('identity');
const ledgerSql = sqlOf('ledger');

interface Person {
  token: string;
  refreshToken: string;
  userId: string;
  tg: TestTelegramUser;
}

async function signIn(tg: TestTelegramUser): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken refreshToken user { id } } }`,
    { d: initDataFor(tg) },
  );
  expect(res.body.errors).toBeUndefined();
  const p = res.body.data!.signInWithTelegram as { accessToken: string; refreshToken: string; user: { id: string } };
  return { token: p.accessToken, refreshToken: p.refreshToken, userId: p.user.id, tg };
}

let numbers = 0;
function newNumber(): { typed: string; e164: string } {
  const tail = `${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;
  return { typed: `0935${tail}`, e164: `+98935${tail}` };
}

const secrets = new Set<string>();
const SEND = `mutation($p: String!) { sendPhoneCode(phone: $p) { phone } }`;
const VERIFY = `mutation($p: String!, $c: String!) { verifyPhoneCode(phone: $p, code: $c) { phone } }`;
const REQUEST = `mutation($p: String!) { requestAccountRecovery(phone: $p) { phone expiresAt resendAfterSeconds } }`;
const CONFIRM = `mutation($p: String!, $c: String!) { confirmAccountRecovery(phone: $p, code: $c) { id status oldUserId newUserId phone } }`;
const APPROVE = `mutation($id: ID!) { approveAccountRecovery(id: $id, note: "id card matches") { id status reviewerId } }`;
const REJECT = `mutation($id: ID!) { rejectAccountRecovery(id: $id, reason: "the selfie does not match") { id status rejectionReason } }`;
const LIST = `query($s: AccountRecoveryStatus) { accountRecoveries(status: $s, first: 100) { edges { node { id status } } pageInfo { hasNextPage } } }`;

/** A Telegram account with a verified phone. */
async function verifiedOwner(): Promise<Person & { phone: { typed: string; e164: string } }> {
  const person = await signIn(newTelegramUser());
  const phone = newNumber();
  expect((await gql(stack.graphqlUrl, SEND, { p: phone.typed }, person.token)).body.errors).toBeUndefined();
  const code = sms.lastCode(phone.e164)!;
  secrets.add(code);
  expect((await gql(stack.graphqlUrl, VERIFY, { p: phone.typed, c: code }, person.token)).body.errors).toBeUndefined();
  return { ...person, phone };
}

/** A new Telegram account proves the owner's phone: a PENDING recovery. */
async function pendingRecovery(owner: { phone: { typed: string; e164: string } }) {
  const fresh = await signIn(newTelegramUser());
  const before = sms.lastCode(owner.phone.e164);
  const asked = await gql(stack.graphqlUrl, REQUEST, { p: owner.phone.typed }, fresh.token);
  expect(asked.body.errors).toBeUndefined();
  const code = sms.lastCode(owner.phone.e164)!;
  expect(code).not.toBe(before);
  secrets.add(code);
  const confirmed = await gql(stack.graphqlUrl, CONFIRM, { p: owner.phone.typed, c: code }, fresh.token);
  expect(confirmed.body.errors).toBeUndefined();
  return { fresh, recovery: confirmed.body.data!.confirmAccountRecovery as Record<string, string> };
}

let reviewers = 0;
async function reviewer(): Promise<{ token: string; userId: string }> {
  const email = `recovery-reviewer${++reviewers}-${process.pid}@example.com`;
  const staff = await signInStaff(stack, ['COMPLIANCE'], email);
  await identitySql(`update identity."user" set claims = '{kyc:review}' where id = ?`, [staff.userId]);
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!) { signInAdmin(email: $e, password: "correct horse battery staple") { accessToken } }`,
    { e: email },
  );
  return { token: res.body.data!.signInAdmin.accessToken as string, userId: staff.userId };
}

/** A live subscription of this viewer; resolves with the close event when the gateway closes the socket. */
function openSocket(token: string): { closed: Promise<{ code: number }>; ready: Promise<void> } {
  let onClosed: (e: { code: number }) => void = () => undefined;
  const closed = new Promise<{ code: number }>((resolve) => (onClosed = resolve));
  let onOpen: () => void = () => undefined;
  const opened = new Promise<void>((resolve) => (onOpen = resolve));
  const client = createClient({
    url: stack.wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { authorization: `Bearer ${token}` },
    lazy: false,
    retryAttempts: 0,
    onNonLazyError: () => undefined,
    on: { connected: () => onOpen(), closed: (e) => onClosed({ code: (e as { code: number }).code }) },
  });
  clients.push(client);
  client.subscribe(
    { query: `subscription { kycUpdated { id status } }` },
    { next: () => undefined, error: () => undefined, complete: () => undefined },
  );
  return { closed, ready: opened };
}

async function irt(token: string): Promise<string> {
  const res = await gql(stack.graphqlUrl, `{ me { id balances(assets: ["IRT"]) { available } } }`, {}, token);
  expect(res.body.errors).toBeUndefined();
  return res.body.data!.me.balances[0].available as string;
}

describe('account recovery', () => {
  it('a new Telegram account proves the phone, a reviewer approves: it signs in to the old account, old sessions end', async () => {
    const owner = await verifiedOwner();
    // A balance on the old account, credited by a money admin.
    await until(
      'the ledger to know the owner',
      () => ledgerSql(`select 1 from ledger.user_directory where user_id = ?`, [owner.userId]),
      (r) => r.length === 1,
    );
    const moneyEmail = `recovery-money-${process.pid}@example.com`;
    const money = await signInStaff(stack, ['FINANCE'], moneyEmail);
    await identitySql(`update identity."user" set claims = '{ledger:adjust}' where id = ?`, [money.userId]);
    const moneyToken = (
      await gql(
        stack.graphqlUrl,
        `mutation($e: String!) { signInAdmin(email: $e, password: "correct horse battery staple") { accessToken } }`,
        { e: moneyEmail },
      )
    ).body.data!.signInAdmin.accessToken as string;
    const credit = await gql(
      stack.graphqlUrl,
      `mutation($u: ID!) { adjustBalance(userId: $u, asset: "IRT", amount: "5000", reason: "goodwill credit", idempotencyKey: "recovery-credit") { __typename } }`,
      { u: owner.userId },
      moneyToken,
    );
    expect(credit.body.data?.adjustBalance.__typename).toBe('Transaction');
    expect(await irt(owner.token)).toBe('5000');

    const { fresh, recovery } = await pendingRecovery(owner);
    expect(recovery).toMatchObject({ status: 'PENDING', oldUserId: owner.userId, newUserId: fresh.userId });
    expect(recovery.phone).not.toContain(owner.phone.e164.slice(-7, -4));

    const socket = openSocket(owner.token);
    await socket.ready;

    const staff = await reviewer();
    const queue = await gql(stack.graphqlUrl, LIST, { s: 'PENDING' }, staff.token);
    expect(queue.body.data!.accountRecoveries.edges.map((e: { node: { id: string } }) => e.node.id)).toContain(
      recovery.id,
    );
    const approved = await gql(stack.graphqlUrl, APPROVE, { id: recovery.id }, staff.token);
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data!.approveAccountRecovery).toMatchObject({ status: 'APPROVED', reviewerId: staff.userId });

    // identity applies the event: the Telegram id now belongs to the old account; the new one is retired.
    await until(
      'identity to move the Telegram id',
      () => identitySql<{ id: string }>(`select id from identity."user" where telegram_id = ?`, [fresh.tg.id]),
      (r) => r[0]?.id === owner.userId,
    );
    const [retired] = await identitySql<{ telegram_id: string | null }>(
      `select telegram_id from identity."user" where id = ?`,
      [fresh.userId],
    );
    expect(retired!.telegram_id).toBeNull();
    expect(
      await identitySql(`select 1 from identity.session where user_id in (?, ?) and revoked_at is null`, [
        owner.userId,
        fresh.userId,
      ]),
    ).toEqual([]);
    // The old account's open socket is closed by the gateway (the revocation channel).
    const closed = await Promise.race([
      socket.closed,
      new Promise<{ code: number }>((resolve) => setTimeout(() => resolve({ code: -1 }), 10_000)),
    ]);
    expect(closed.code).toBe(4403);
    // Tokens issued up to the revocation second are refused: wait for the key, then for the next second.
    const redis = stack.subgraphs.get('identity')!.deps.redis;
    const prefix = stack.subgraphs.get('identity')!.deps.config.redis.keyPrefix;
    const invalidBefore = await until(
      'the revocation key',
      () => redis.get(tokensInvalidBeforeKey(prefix, owner.userId)),
      (v) => v !== null,
    );
    const meOld = await gql(stack.graphqlUrl, `{ me { id } }`, {}, owner.token);
    expect(errorCode(meOld)).toBe('UNAUTHENTICATED');
    const refreshed = await gql(
      stack.graphqlUrl,
      `mutation($r: String!) { refreshSession(refreshToken: $r) { accessToken } }`,
      { r: owner.refreshToken },
    );
    expect(errorCode(refreshed)).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(stack.graphqlUrl, `{ me { id } }`, {}, fresh.token))).toBe('UNAUTHENTICATED');
    await until(
      'the next second',
      () => Promise.resolve(Math.floor(Date.now() / 1000)),
      (s) => s > Number(invalidBefore),
    );

    const again = await signIn(fresh.tg);
    expect(again.userId).toBe(owner.userId);
    expect(await irt(again.token)).toBe('5000');

    const audit = await kycSql<{ action: string; actor_id: string }>(
      `select action, actor_id from kyc.account_recovery_audit where recovery_id = ? order by at`,
      [recovery.id],
    );
    expect(audit).toEqual([
      { action: 'REQUESTED', actor_id: fresh.userId },
      { action: 'APPROVED', actor_id: staff.userId },
    ]);
    await expect(
      kycSql(`update kyc.account_recovery_audit set note = 'x' where recovery_id = ?`, [recovery.id]),
    ).rejects.toThrow(/append-only/);
  });

  it('a wrong code counts against the code and opens nothing', async () => {
    const owner = await verifiedOwner();
    const fresh = await signIn(newTelegramUser());
    expect((await gql(stack.graphqlUrl, REQUEST, { p: owner.phone.typed }, fresh.token)).body.errors).toBeUndefined();
    const code = sms.lastCode(owner.phone.e164)!;
    secrets.add(code);
    const wrong = code === '000000' ? '000001' : '000000';
    const res = await gql(stack.graphqlUrl, CONFIRM, { p: owner.phone.typed, c: wrong }, fresh.token);
    expect(errorCode(res)).toBe('PHONE_CODE_INVALID');
    expect(res.body.errors![0]!.extensions!.attemptsLeft).toBe(4);
    expect(await kycSql(`select 1 from kyc.account_recovery where new_user_id = ?`, [fresh.userId])).toEqual([]);
  });

  it('a number nobody verified gets the same answer, no SMS, and its code never works', async () => {
    const fresh = await signIn(newTelegramUser());
    const nobody = newNumber();
    const owner = await verifiedOwner();
    const freshToo = await signIn(newTelegramUser());
    const unknown = await gql(stack.graphqlUrl, REQUEST, { p: nobody.typed }, fresh.token);
    const known = await gql(stack.graphqlUrl, REQUEST, { p: owner.phone.typed }, freshToo.token);
    expect(unknown.body.errors).toBeUndefined();
    expect(known.body.errors).toBeUndefined();
    expect(Object.keys(unknown.body.data!.requestAccountRecovery)).toEqual(
      Object.keys(known.body.data!.requestAccountRecovery),
    );
    expect(unknown.body.data!.requestAccountRecovery.resendAfterSeconds).toBe(
      known.body.data!.requestAccountRecovery.resendAfterSeconds,
    );
    expect(sms.lastCode(nobody.e164)).toBeNull();
    // Guessing fails exactly as a wrong code for a real owner does.
    const guess = await gql(stack.graphqlUrl, CONFIRM, { p: nobody.typed, c: '123456' }, fresh.token);
    expect(errorCode(guess)).toBe('PHONE_CODE_INVALID');
    // The limits apply the same way too.
    const again = await gql(stack.graphqlUrl, REQUEST, { p: nobody.typed }, fresh.token);
    expect(errorCode(again)).toBe('RATE_LIMITED');
    // One's own number is no recovery either: no code sent.
    const before = sms.lastCode(owner.phone.e164);
    const self = await gql(stack.graphqlUrl, REQUEST, { p: owner.phone.typed }, owner.token);
    expect(errorCode(self)).toBe('CONFLICT'); // the owner's account holds KYC data: not a new account
    expect(self.body.errors![0]!.extensions!.reason).toBe('NEW_ACCOUNT_NOT_EMPTY');
    expect(sms.lastCode(owner.phone.e164)).toBe(before);
  });

  it('a reviewer who is one of the accounts is refused; a USER can neither list nor decide', async () => {
    const owner = await verifiedOwner();
    const { fresh, recovery } = await pendingRecovery(owner);
    // Promote the old account to a reviewer (a staff member recovering their own Telegram account).
    const staff = await reviewer();
    await kycSql(`update kyc.account_recovery set old_user_id = ? where id = ?`, [staff.userId, recovery.id]);
    const own = await gql(stack.graphqlUrl, APPROVE, { id: recovery.id }, staff.token);
    expect(errorCode(own)).toBe('FORBIDDEN');
    for (const token of [fresh.token, owner.token]) {
      expect(errorCode(await gql(stack.graphqlUrl, LIST, {}, token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id: recovery.id }, token))).toBe('FORBIDDEN');
      expect(errorCode(await gql(stack.graphqlUrl, REJECT, { id: recovery.id }, token))).toBe('FORBIDDEN');
    }
    const [row] = await kycSql<{ status: string }>(`select status from kyc.account_recovery where id = ?`, [
      recovery.id,
    ]);
    expect(row!.status).toBe('PENDING');
  });

  it('a rejected recovery stays rejected and moves nothing', async () => {
    const owner = await verifiedOwner();
    const { fresh, recovery } = await pendingRecovery(owner);
    const staff = await reviewer();
    const rejected = await gql(stack.graphqlUrl, REJECT, { id: recovery.id }, staff.token);
    expect(rejected.body.data!.rejectAccountRecovery).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'the selfie does not match',
    });
    const approve = await gql(stack.graphqlUrl, APPROVE, { id: recovery.id }, staff.token);
    expect(errorCode(approve)).toBe('CONFLICT');
    expect(approve.body.errors![0]!.extensions!.reason).toBe('ALREADY_DECIDED');
    const [row] = await kycSql<{ status: string }>(`select status from kyc.account_recovery where id = ?`, [
      recovery.id,
    ]);
    expect(row!.status).toBe('REJECTED');
    const [tg] = await identitySql<{ id: string }>(`select id from identity."user" where telegram_id = ?`, [
      fresh.tg.id,
    ]);
    expect(tg!.id).toBe(fresh.userId);
  });

  it('identity refuses to merge a new account that is not empty: nothing moves, the refusal is published', async () => {
    const owner = await verifiedOwner();
    const { fresh, recovery } = await pendingRecovery(owner);
    // The new account gained something after asking (here a role): identity must not retire it.
    await identitySql(`update identity."user" set roles = '{USER,SUPPORT}' where id = ?`, [fresh.userId]);
    const staff = await reviewer();
    expect((await gql(stack.graphqlUrl, APPROVE, { id: recovery.id }, staff.token)).body.errors).toBeUndefined();
    const refused = await until(
      'the refusal event',
      () =>
        identitySql<{ payload: { reason: string; recoveryId: string } }>(
          `select envelope -> 'payload' as payload from identity.outbox where subject = 'identity.user.recovery-refused'`,
        ),
      (rows) => rows.some((r) => r.payload.recoveryId === recovery.id),
    );
    expect(refused.find((r) => r.payload.recoveryId === recovery.id)!.payload.reason).toBe('NEW_ACCOUNT_NOT_EMPTY');
    const holders = await identitySql<{ id: string; telegram_id: string }>(
      `select id, telegram_id from identity."user" where id in (?, ?) order by id`,
      [owner.userId, fresh.userId],
    );
    expect(Object.fromEntries(holders.map((h) => [h.id, String(h.telegram_id)]))).toEqual({
      [owner.userId]: String(owner.tg.id),
      [fresh.userId]: String(fresh.tg.id),
    });
    // Both still signed in.
    expect((await gql(stack.graphqlUrl, `{ me { id } }`, {}, owner.token)).body.errors).toBeUndefined();
  });

  it('logs no code and no phone number', () => {
    const all = lines.join('');
    for (const s of secrets) expect(all).not.toContain(s);
    expect(all).not.toMatch(/\+98935\d{7}/);
  });
});
