import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalEvmChain, type LocalEvmChain } from '../../../devnet/evm/local-chain.js';
import { startSmsSimulator, type SmsSimulator } from '../../../devnet/sms/sms.simulator.js';
import { newId } from '../../../platform/ids.js';
import { createLogger } from '../../../platform/logger.js';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { until } from '../../../testing/until.js';

/**
 * Phone-code confirmation of withdrawal addresses through the gateway: kyc verifies a phone (code read from the SMS
 * simulator), the wallet learns it from `kyc.phone.verified` and keeps it sealed; addWithdrawalAddress sends a code
 * (captured by the simulator), confirmWithdrawalAddress whitelists the address, and a withdrawal to it is not
 * refused for the cooling-off period (one hour here). Wrong, expired and locked codes, the resend cool-down, a user
 * without a verified phone (cool-off as before), the sealed column and a scan of every log line for codes and numbers.
 */

const lines: string[] = [];
let chain: LocalEvmChain;
let sms: SmsSimulator;
let stack: TestStack;

beforeAll(async () => {
  chain = await startLocalEvmChain({ chainId: 1337 });
  sms = await startSmsSimulator();
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  stack = await startStack(
    {
      CHAIN_ETH_RPC_URL: chain.rpcUrl,
      CHAIN_ETH_CHAIN_ID: '1337',
      KAVENEGAR_BASE_URL: sms.url,
      WITHDRAWAL_ADDRESS_COOL_OFF_SECONDS: '3600',
      WITHDRAWAL_ADDRESS_CODE_MAX_ATTEMPTS: '3',
      WITHDRAWAL_HOLD_WAIT_MS: '8000',
    },
    { log: createLogger({ name: 'address-confirmation-e2e', level: 'trace', destination }) },
  );
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await sms?.close();
  await chain?.stop();
});

interface User {
  token: string;
  userId: string;
  phone: string;
}

let numbers = 0;
const codes = new Set<string>();

async function signIn(): Promise<User> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram;
  const tail = `${String(process.pid % 1000).padStart(3, '0')}${String(++numbers).padStart(4, '0')}`;
  return { token: accessToken, userId: user.id, phone: `+98913${tail}` };
}

const walletSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  stack.subgraphs.get('wallet')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);

/** Verifies the user's phone with kyc and waits until the wallet learnt it. */
async function verifyPhone(user: User): Promise<void> {
  const sent = await gql(
    stack.graphqlUrl,
    `mutation($p: String!) { sendPhoneCode(phone: $p) { phone } }`,
    { p: user.phone },
    user.token,
  );
  expect(sent.body.errors).toBeUndefined();
  const code = sms.lastCode(user.phone)!;
  codes.add(code);
  const ok = await gql(
    stack.graphqlUrl,
    `mutation($p: String!, $c: String!) { verifyPhoneCode(phone: $p, code: $c) { verifiedAt } }`,
    { p: user.phone, c: code },
    user.token,
  );
  expect(ok.body.errors).toBeUndefined();
  await until(
    'the wallet to learn the phone',
    () => walletSql('select 1 from wallet.verified_phone where user_id = ?', [user.userId]),
    (rows) => rows.length === 1,
  );
}

const A_FIELDS = 'id address status usableAt confirmedAt';

async function addAddress(user: User, address = `0x${randomBytes(20).toString('hex')}`) {
  const before = sms.messages().length;
  const res = await gql(
    stack.graphqlUrl,
    `mutation($i: AddWithdrawalAddressInput!) { addWithdrawalAddress(input: $i) { ${A_FIELDS} } }`,
    { i: { network: 'ETH', address } },
    user.token,
  );
  const sent = sms.messages().length > before ? sms.lastCode(user.phone) : null;
  if (sent) codes.add(sent);
  return { res, address, code: sent };
}

function confirm(user: User, id: string, code: string) {
  return gql(
    stack.graphqlUrl,
    `mutation($id: ID!, $c: String!) { confirmWithdrawalAddress(id: $id, code: $c) { ${A_FIELDS} } }`,
    { id, c: code },
    user.token,
  );
}

const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

function withdraw(user: User, toAddress: string) {
  return gql(
    stack.graphqlUrl,
    `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { id status } }`,
    { i: { asset: 'ETH', toAddress, amount: '0.01', idempotencyKey: newId('key') } },
    user.token,
  );
}

describe('withdrawal addresses confirmed by SMS code', () => {
  it('add → code by SMS → confirm → usable at once: the withdrawal is not refused for the cool-off', async () => {
    const alice = await signIn();
    await verifyPhone(alice);
    const added = await addAddress(alice);
    expect(added.res.body.errors).toBeUndefined();
    const row = added.res.body.data!.addWithdrawalAddress;
    expect(row).toMatchObject({ status: 'PENDING_CONFIRMATION', confirmedAt: null });
    expect(added.code).toMatch(/^\d{6}$/);
    // Before confirming, the address cools off.
    expect(errorCode(await withdraw(alice, added.address))).toBe('ADDRESS_COOLING_OFF');

    const bad = await confirm(alice, row.id, wrong(added.code!));
    expect(errorCode(bad)).toBe('PHONE_CODE_INVALID');
    expect(bad.body.errors![0]!.extensions!.attemptsLeft).toBe(2);

    const ok = await confirm(alice, row.id, added.code!);
    expect(ok.body.errors).toBeUndefined();
    expect(ok.body.data!.confirmWithdrawalAddress.status).toBe('CONFIRMED');
    expect(new Date(ok.body.data!.confirmWithdrawalAddress.usableAt).getTime()).toBeLessThanOrEqual(Date.now());
    // Past the address check: the ledger refuses the hold (alice holds nothing), not the cool-off.
    expect(errorCode(await withdraw(alice, added.address))).toBe('INSUFFICIENT_FUNDS');
    // Confirming again answers the confirmed address; adding a confirmed address sends nothing.
    expect(errorCode(await confirm(alice, row.id, added.code!))).toBeUndefined();
    const again = await addAddress(alice, added.address);
    expect(again.code).toBeNull();
    expect(again.res.body.data!.addWithdrawalAddress.status).toBe('CONFIRMED');

    // Someone else's address is not found.
    const mallory = await signIn();
    expect(errorCode(await confirm(mallory, row.id, added.code!))).toBe('NOT_FOUND');
  });

  it('too many wrong codes lock it; an expired code is refused; asking again at once is rate limited', async () => {
    const bob = await signIn();
    await verifyPhone(bob);
    const first = await addAddress(bob);
    const id = first.res.body.data!.addWithdrawalAddress.id as string;
    expect(errorCode(await confirm(bob, id, wrong(first.code!)))).toBe('PHONE_CODE_INVALID');
    expect(errorCode(await confirm(bob, id, wrong(first.code!)))).toBe('PHONE_CODE_INVALID');
    expect(errorCode(await confirm(bob, id, wrong(first.code!)))).toBe('PHONE_LOCKED');
    expect(errorCode(await confirm(bob, id, first.code!))).toBe('PHONE_LOCKED');
    expect(errorCode(await confirm(bob, id, 'abc'))).toBe('BAD_USER_INPUT');

    // The resend cool-down: a second code for the same number right away is refused.
    const soon = await addAddress(bob, first.address);
    expect(errorCode(soon.res)).toBe('RATE_LIMITED');
    expect(soon.res.body.errors![0]!.extensions!.scope).toBe('PHONE_COOLDOWN');
    expect(soon.code).toBeNull();

    // Expired: another user's code, aged in the table (no waiting).
    const carol = await signIn();
    await verifyPhone(carol);
    const third = await addAddress(carol);
    const tid = third.res.body.data!.addWithdrawalAddress.id as string;
    await walletSql(`update wallet.address_code set expires_at = now() - interval '1 second' where address_id = ?`, [
      tid,
    ]);
    expect(errorCode(await confirm(carol, tid, third.code!))).toBe('PHONE_CODE_EXPIRED');
    expect(errorCode(await confirm(carol, tid, third.code!))).toBe('PHONE_CODE_EXPIRED');
    expect(errorCode(await withdraw(carol, third.address))).toBe('ADDRESS_COOLING_OFF');
  });

  it('without a verified phone no code is sent and the cool-off applies as before', async () => {
    const dan = await signIn();
    const added = await addAddress(dan);
    expect(added.code).toBeNull();
    expect(added.res.body.data!.addWithdrawalAddress.status).toBe('COOLING_OFF');
    expect(errorCode(await withdraw(dan, added.address))).toBe('ADDRESS_COOLING_OFF');
    expect(errorCode(await confirm(dan, added.res.body.data!.addWithdrawalAddress.id, '123456'))).toBe(
      'PHONE_CODE_EXPIRED',
    );
  });

  it('the phone is sealed at rest; codes are stored only hashed; no code or number in any log line', async () => {
    const rows = await walletSql<Record<string, unknown>>('select * from wallet.verified_phone');
    expect(rows.length).toBeGreaterThanOrEqual(3);
    const table = JSON.stringify(rows);
    for (const n of Array.from({ length: numbers }, (_, i) => i + 1)) {
      const tail = `${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(4, '0')}`;
      expect(table).not.toContain(tail);
    }
    for (const r of rows) expect(String(r.phone_enc)).toMatch(/^e1\./);
    const codeTable = JSON.stringify(await walletSql('select * from wallet.address_code'));
    expect(codes.size).toBeGreaterThan(0);
    const logs = lines.join('');
    expect(logs).toContain('address code sent');
    for (const code of codes) {
      expect(codeTable).not.toContain(code);
      expect(logs).not.toContain(code);
    }
    for (let n = 1; n <= numbers; n++) {
      const tail = `${String(process.pid % 1000).padStart(3, '0')}${String(n).padStart(4, '0')}`;
      expect(logs).not.toContain(`913${tail}`);
    }
  });
});
