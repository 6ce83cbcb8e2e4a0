import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { newId } from '../../../platform/ids.js';
import { errorCode, gql, type GraphQLResponse } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import { verifyLedger } from '../core/verifier.js';
import { until } from '../../../testing/until.js';

/**
 * Reorg after spend, end to end: the wallet's events (written to its outbox the way the chain watcher writes them,
 * relayed over JetStream) drive the ledger; users and staff see the effects through the gateway.
 * A deposit credited, spent, then reorged away leaves a debt (receivable:<user>:<asset> below zero) instead of a
 * refused reversal; the user can send nothing while frozen or in debt; their next deposits repay the debt first.
 * Each reorged deposit has its own freeze: lifting one leaves the others.
 */

let stack: TestStack;
const USDT = 1_000_000n;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

const walletEm = () => stack.subgraphs.get('wallet')!.deps.orm.em.fork();
const ledgerEm = () => stack.subgraphs.get('ledger')!.deps.orm.em.fork();
const walletSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  walletEm().getConnection().execute<T[]>(text, params);
const ledgerSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  ledgerEm().getConnection().execute<T[]>(text, params);

interface Person {
  token: string;
  userId: string;
  walletId: string;
}

/** A Telegram user with an ETH deposit address, known to the ledger. */
async function signIn(): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, accessToken);
  const [wallet] = await walletSql<{ id: string }>(
    `select id from wallet.wallet where user_id = ? and network = 'ETH'`,
    [user.id],
  );
  await until(
    'the ledger to know the user',
    () => ledgerSql(`select 1 from ledger.user_directory where user_id = ?`, [user.id]),
    (r) => r.length === 1,
  );
  return { token: accessToken, userId: user.id, walletId: wallet!.id };
}

let deposits = 0;
interface SentDeposit {
  id: string;
  txHash: string;
  confirmEventId: string;
  amount: bigint;
}

/** A confirmed USDT_ETH deposit: its row and the credit request, in one wallet transaction (as deposit.ingest.ts does). */
async function confirmDeposit(p: Person, amount: bigint): Promise<SentDeposit> {
  const id = newId('dep');
  const txHash = `0x${(++deposits).toString(16).padStart(64, '0')}`;
  let confirmEventId = '';
  await walletEm().transactional(async (tx) => {
    await tx.execute(
      `insert into wallet.deposit (id, network, asset, user_id, wallet_id, amount, from_address, to_address, tx_hash, output_index, block_number, block_hash,
         confirmations, required_confirmations, status, confirmed_at, confirm_event_id)
       values (?, 'ETH', 'USDT_ETH', ?, ?, ?, '0xfrom', '0xto', ?, 0, 100, '0xblock', 12, 12, 'CONFIRMING', now(), ?)`,
      [id, p.userId, p.walletId, amount.toString(), txHash, `pending-${id}`],
    );
    const event = recordEvent(tx, 'wallet.deposit.confirmed', 'wallet', {
      depositId: id,
      userId: p.userId,
      network: 'ETH',
      asset: 'USDT_ETH',
      amount: amount.toString(),
      txHash,
      outputIndex: 0,
      status: 'CONFIRMING',
    });
    confirmEventId = event.id;
    await tx.execute(`update wallet.deposit set confirm_event_id = ? where id = ?`, [event.id, id]);
  });
  return { id, txHash, confirmEventId, amount };
}

/** The chain dropped the deposit after its credit was requested: REORGED, reversal requested, withdrawals frozen for it. */
async function reorg(p: Person, d: SentDeposit): Promise<void> {
  await until(
    'the wallet to link the credit',
    () => walletSql<{ status: string }>(`select status from wallet.deposit where id = ?`, [d.id]),
    (r) => r[0]?.status === 'CREDITED',
  );
  await walletEm().transactional(async (tx) => {
    await tx.execute(`update wallet.deposit set status = 'REORGED', reorged_at = now() where id = ?`, [d.id]);
    recordEvent(tx, 'wallet.deposit.reorged', 'wallet', {
      depositId: d.id,
      userId: p.userId,
      network: 'ETH',
      asset: 'USDT_ETH',
      amount: d.amount.toString(),
      txHash: d.txHash,
      outputIndex: 0,
      status: 'REORGED',
      confirmEventId: d.confirmEventId,
      transactionId: null,
    });
    const reason = `deposit ${d.id} was reorged away after its credit was requested`;
    const frozen = await tx.execute<{ user_id: string }[]>(
      `insert into wallet.withdrawal_freeze (user_id, reason, deposit_id) values (?, ?, ?) on conflict (deposit_id) where deposit_id is not null do nothing returning user_id`,
      [p.userId, reason, d.id],
    );
    if (frozen.length)
      recordEvent(tx, 'wallet.withdrawals.frozen', 'wallet', { userId: p.userId, reason, depositId: d.id });
  });
}

async function available(p: Person): Promise<string> {
  const res = await gql(stack.graphqlUrl, `{ me { balances(assets: ["USDT_ETH"]) { available } } }`, {}, p.token);
  return res.body.data!.me.balances[0].available as string;
}

const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) { __typename ... on Transaction { id amount fee } } }`;
function transfer(from: Person, to: Person, amount: string): Promise<GraphQLResponse<Record<string, any>>> {
  return gql(
    stack.graphqlUrl,
    TRANSFER,
    { input: { toUserId: to.userId, asset: 'USDT_ETH', amount, idempotencyKey: `t-${Math.random()}` } },
    from.token,
  );
}

const DEBTS = `query($after: String) { ledgerDebts(first: 50, after: $after) { edges { cursor node { user { id } asset { symbol } owed } } pageInfo { hasNextPage endCursor } } }`;
async function debtsOf(token: string, userId: string): Promise<string[]> {
  const res = await gql(stack.graphqlUrl, DEBTS, {}, token);
  expect(res.body.errors).toBeUndefined();
  return res.body
    .data!.ledgerDebts.edges.filter((e: { node: { user: { id: string } } }) => e.node.user.id === userId)
    .map((e: { node: { owed: string } }) => e.node.owed);
}

/** Postings of the DEPOSIT (or its REVERSAL) of one on-chain output. */
async function postingsOf(
  d: SentDeposit,
  kind: 'DEPOSIT' | 'REVERSAL',
): Promise<{ source: string; destination: string; amount: string }[]> {
  return ledgerSql(
    `select p.source, p.destination, p.amount::text as amount from ledger.posting p join ledger.transaction t on t.id = p.transaction_id
     where t.reference = ? and t.kind = ? order by p.idx`,
    [`deposit:ETH:${d.txHash}:0`, kind],
  );
}

const LIFT = `mutation($u: ID!, $n: String!, $d: ID) { liftWithdrawalFreeze(userId: $u, note: $n, depositId: $d) { deposit { id } } }`;

describe('reorg after spend', () => {
  it('the shortfall becomes a debt staff can see; nothing can be sent while frozen or in debt; the next deposits repay it first', async () => {
    const [dave, erin] = await Promise.all([signIn(), signIn()]);
    const finance = await signInStaff(stack, ['FINANCE']);
    const support = await signInStaff(stack, ['SUPPORT']);

    const first = await confirmDeposit(dave, 30n * USDT);
    await until(
      'the credit',
      () => available(dave),
      (v) => v === '30',
    );
    // Dave spends most of it: 25 + 0.025 fee.
    expect((await transfer(dave, erin, '25')).body.data!.transfer).toMatchObject({
      __typename: 'Transaction',
      amount: '25',
      fee: '0.025',
    });
    expect(await available(dave)).toBe('4.975');

    await reorg(dave, first);
    await until(
      'the debt',
      () => debtsOf(support.token, dave.userId),
      (owed) => owed.length === 1,
    );
    // Custody gets the whole 30 back: 4.975 from what Dave had, 25.025 as his debt.
    expect(await postingsOf(first, 'REVERSAL')).toEqual([
      {
        source: `user:${dave.userId}:USDT_ETH:available`,
        destination: 'custody:ETH:USDT_ETH',
        amount: 4_975_000n.toString(),
      },
      {
        source: `receivable:${dave.userId}:USDT_ETH`,
        destination: 'custody:ETH:USDT_ETH',
        amount: 25_025_000n.toString(),
      },
    ]);
    expect(await debtsOf(support.token, dave.userId)).toEqual(['25.025']);
    expect(await available(dave)).toBe('0');
    expect(await available(erin)).toBe('25');
    expect((await verifyLedger(ledgerEm())).ok).toBe(true);
    const debtEvents = await ledgerSql<{ envelope: { payload: Record<string, unknown> } }>(
      `select envelope from ledger.outbox where subject = 'ledger.debt.recorded'`,
    );
    expect(debtEvents.map((e) => e.envelope.payload)).toContainEqual(
      expect.objectContaining({ userId: dave.userId, asset: 'USDT_ETH', amount: '25025000' }),
    );

    // Users never see the debt list; a user in debt or frozen sends nothing (the freeze copy arrives by event).
    expect(errorCode(await gql(stack.graphqlUrl, DEBTS, {}, dave.token))).toBe('FORBIDDEN');
    const frozen = await until(
      'the freeze in the ledger',
      () => transfer(dave, erin, '0.000001'),
      (r) => r.body.errors?.[0]?.extensions?.reason === 'WITHDRAWAL_FREEZE',
    );
    expect(errorCode(frozen)).toBe('ACCOUNT_FROZEN');

    // Staff lift the freeze: the debt alone still blocks sending.
    expect(
      (
        await gql(
          stack.graphqlUrl,
          LIFT,
          { u: dave.userId, n: 'debt recorded, repaid from deposits', d: first.id },
          finance.token,
        )
      ).body.errors,
    ).toBeUndefined();
    const inDebt = await until(
      'the lift in the ledger',
      () => transfer(dave, erin, '0.000001'),
      (r) => r.body.errors?.[0]?.extensions?.reason === 'DEBT',
    );
    expect(errorCode(inDebt)).toBe('ACCOUNT_FROZEN');

    // The next deposit pays the debt first, in the deposit's own transaction: all 10 go to the debt.
    const second = await confirmDeposit(dave, 10n * USDT);
    await until(
      'the partial repayment',
      () => debtsOf(support.token, dave.userId),
      (owed) => owed[0] === '15.025',
    );
    expect(await postingsOf(second, 'DEPOSIT')).toEqual([
      {
        source: 'custody:ETH:USDT_ETH',
        destination: `user:${dave.userId}:USDT_ETH:available`,
        amount: (10n * USDT).toString(),
      },
      {
        source: `user:${dave.userId}:USDT_ETH:available`,
        destination: `receivable:${dave.userId}:USDT_ETH`,
        amount: (10n * USDT).toString(),
      },
    ]);
    expect(await available(dave)).toBe('0');
    // The one after repays the rest and credits what is left over.
    await confirmDeposit(dave, 20n * USDT);
    await until(
      'the debt repaid',
      () => available(dave),
      (v) => v === '4.975',
    );
    expect(await debtsOf(support.token, dave.userId)).toEqual([]);
    expect((await transfer(dave, erin, '1')).body.data!.transfer.__typename).toBe('Transaction');
    const report = await verifyLedger(ledgerEm());
    expect(report.mismatches).toEqual([]);
    const sums = await ledgerSql<{ asset: string; total: string }>(
      `select asset, sum(amount)::text as total from ledger.balance group by asset having sum(amount) <> 0`,
    );
    expect(sums).toEqual([]);
  });

  it('a reorged deposit the user still has is reversed in full, without a debt', async () => {
    const frank = await signIn();
    const support = await signInStaff(stack, ['SUPPORT']);
    const d = await confirmDeposit(frank, 7n * USDT);
    await until(
      'the credit',
      () => available(frank),
      (v) => v === '7',
    );
    await reorg(frank, d);
    await until(
      'the reversal',
      () => postingsOf(d, 'REVERSAL'),
      (p) => p.length > 0,
    );
    expect(await postingsOf(d, 'REVERSAL')).toEqual([
      {
        source: `user:${frank.userId}:USDT_ETH:available`,
        destination: 'custody:ETH:USDT_ETH',
        amount: (7n * USDT).toString(),
      },
    ]);
    expect(await debtsOf(support.token, frank.userId)).toEqual([]);
  });

  it('each reorged deposit has its own freeze: lifting one keeps the user frozen until the last goes', async () => {
    const [gina, erin] = await Promise.all([signIn(), signIn()]);
    const finance = await signInStaff(stack, ['FINANCE']);
    const a = await confirmDeposit(gina, 3n * USDT);
    const b = await confirmDeposit(gina, 4n * USDT);
    const c = await confirmDeposit(gina, 5n * USDT);
    await until(
      'the credits',
      () => available(gina),
      (v) => v === '12',
    );
    await reorg(gina, a);
    await reorg(gina, b);
    expect(
      await walletSql(`select deposit_id from wallet.withdrawal_freeze where user_id = ? order by deposit_id`, [
        gina.userId,
      ]),
    ).toEqual([{ deposit_id: a.id }, { deposit_id: b.id }].sort((x, y) => (x.deposit_id < y.deposit_id ? -1 : 1)));
    await until(
      'both freezes in the ledger',
      () => ledgerSql(`select 1 from ledger.withdrawal_freeze where user_id = ? and lifted_at is null`, [gina.userId]),
      (r) => r.length === 2,
    );
    expect(errorCode(await transfer(gina, erin, '1'))).toBe('ACCOUNT_FROZEN');

    // Two freezes: staff must say which one.
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: gina.userId, n: 'which one?' }, finance.token))).toBe(
      'BAD_USER_INPUT',
    );
    const lifted = await gql(
      stack.graphqlUrl,
      LIFT,
      { u: gina.userId, n: 'first reversal settled', d: a.id },
      finance.token,
    );
    expect(lifted.body.data!.liftWithdrawalFreeze.deposit).toEqual({ id: a.id });
    await until(
      'the lift in the ledger',
      () => ledgerSql(`select 1 from ledger.withdrawal_freeze where user_id = ? and lifted_at is null`, [gina.userId]),
      (r) => r.length === 1,
    );
    // The other freeze stands, in the wallet and in the ledger.
    expect(
      (await gql(stack.graphqlUrl, `{ me { withdrawalsFrozen } }`, {}, gina.token)).body.data!.me.withdrawalsFrozen,
    ).toBe(true);
    expect(errorCode(await transfer(gina, erin, '1'))).toBe('ACCOUNT_FROZEN');
    // A third reorg while one freeze stands adds its own.
    await reorg(gina, c);
    expect(
      await walletSql(`select count(*)::int as n from wallet.withdrawal_freeze where user_id = ?`, [gina.userId]),
    ).toEqual([{ n: 2 }]);

    for (const d of [b, c])
      expect(
        (await gql(stack.graphqlUrl, LIFT, { u: gina.userId, n: 'settled', d: d.id }, finance.token)).body.errors,
      ).toBeUndefined();
    expect(
      (await gql(stack.graphqlUrl, `{ me { withdrawalsFrozen } }`, {}, gina.token)).body.data!.me.withdrawalsFrozen,
    ).toBe(false);
    await until(
      'the last lift in the ledger',
      () => ledgerSql(`select 1 from ledger.withdrawal_freeze where user_id = ? and lifted_at is null`, [gina.userId]),
      (r) => r.length === 0,
    );
    // Nothing was spent, so no debt: sending works again.
    await until(
      'all reversals',
      () => available(gina),
      (v) => v === '0',
    );
    await confirmDeposit(gina, 2n * USDT);
    await until(
      'a new credit',
      () => available(gina),
      (v) => v === '2',
    );
    expect((await transfer(gina, erin, '1')).body.data!.transfer.__typename).toBe('Transaction');
  });
});
