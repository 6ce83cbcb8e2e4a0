import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../../platform/auth/viewer.js';
import { newId } from '../../../platform/ids.js';
import { errorCode, gql, type GraphQLResponse } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { callSubgraphAs, signInStaff } from '../../../testing/viewers.js';
import { WithdrawalFreezeEvents } from './deposit.events.js';

/**
 * Staff handling of withdrawal freezes: listing them and lifting one. The freezes themselves are written the way
 * the chain watcher writes them after a reorg of a credited deposit (deposit.ingest.ts; the whole path is in
 * workers/chain-watchers/deposits.e2e.test.ts), straight into wallet.withdrawal_freeze.
 */

let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});

afterAll(async () => {
  await stack?.close();
});

function walletSql<T = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> {
  return stack.subgraphs.get('wallet')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
}

async function signIn(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  return { token: res.body.data!.signInWithTelegram.accessToken, userId: res.body.data!.signInWithTelegram.user.id };
}

async function freeze(userId: string, frozenAt: string): Promise<void> {
  await walletSql(`insert into wallet.withdrawal_freeze (user_id, reason, frozen_at) values (?, ?, ?::timestamptz)`, [
    userId,
    `deposit of ${userId} reorged away`,
    frozenAt,
  ]);
}

const LIST = `query($first: Int!, $after: String) { withdrawalFreezes(first: $first, after: $after) { edges { cursor node { user { id } reason frozenAt deposit { id } } } pageInfo { hasNextPage endCursor } } }`;
const LIFT = `mutation($u: ID!, $n: String!) { liftWithdrawalFreeze(userId: $u, note: $n) { id user { id } reason frozenAt liftedAt liftedBy { id } note deposit { id } } }`;

async function listAll(token: string, first: number): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let page = 0; page < 20; page++) {
    const res: GraphQLResponse<Record<string, any>> = await gql(stack.graphqlUrl, LIST, { first, after }, token);
    expect(res.body.errors).toBeUndefined();
    const conn: {
      edges: { node: { user: { id: string } } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string | null };
    } = res.body.data!.withdrawalFreezes;
    ids.push(...conn.edges.map((e) => e.node.user.id));
    if (!conn.pageInfo.hasNextPage) return ids;
    after = conn.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

describe('withdrawal freezes', () => {
  it('staff list them newest first, page by page without gaps or repeats (ties on the microsecond included); users may not', async () => {
    const users = await Promise.all(Array.from({ length: 5 }, () => signIn()));
    // Two share a timestamp to the microsecond; two more differ from it by one microsecond either side.
    await freeze(users[0]!.userId, '2026-11-20 10:00:00.000001+00');
    await freeze(users[1]!.userId, '2026-11-20 10:00:00.000002+00');
    await freeze(users[2]!.userId, '2026-11-20 10:00:00.000002+00');
    await freeze(users[3]!.userId, '2026-11-20 10:00:00.000003+00');
    await freeze(users[4]!.userId, '2026-11-21 09:00:00+00');
    const support = await signInStaff(stack, ['SUPPORT']);
    // Ties on the microsecond are ordered by the freeze's id.
    const ties = await walletSql<{ user_id: string }>(
      `select user_id from wallet.withdrawal_freeze where user_id in (?, ?) order by id desc`,
      [users[1]!.userId, users[2]!.userId],
    );
    const [tieA, tieB] = ties.map((t) => t.user_id);
    const expected = [users[4]!.userId, users[3]!.userId, tieA!, tieB!, users[0]!.userId];
    for (const first of [1, 2, 5, 20]) expect(await listAll(support.token, first)).toEqual(expected);

    const one = await gql(stack.graphqlUrl, LIST, { first: 1 }, support.token);
    expect(one.body.data!.withdrawalFreezes.edges[0].node).toMatchObject({
      reason: `deposit of ${users[4]!.userId} reorged away`,
      frozenAt: '2026-11-21T09:00:00.000Z',
      deposit: null,
    });
    // The user is the federated User: staff reach identity's fields through it in the same query.
    const withNames = await gql(
      stack.graphqlUrl,
      `{ withdrawalFreezes(first: 1) { edges { node { user { id username } } } } }`,
      {},
      support.token,
    );
    expect(withNames.body.data!.withdrawalFreezes.edges[0].node.user).toEqual({
      id: users[4]!.userId,
      username: expect.stringMatching(/^user\d+$/),
    });

    expect(errorCode(await gql(stack.graphqlUrl, LIST, { first: 5 }, users[0]!.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, LIST, { first: 5 }))).toBe('UNAUTHENTICATED');
    expect(errorCode(await gql(stack.graphqlUrl, LIST, { first: 0 }, support.token))).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(stack.graphqlUrl, LIST, { first: 5, after: 'not-a-cursor' }, support.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(
      errorCode(
        await gql(
          stack.graphqlUrl,
          LIST,
          { first: 5, after: Buffer.from('["yesterday","usr_x"]').toString('base64url') },
          support.token,
        ),
      ),
    ).toBe('BAD_USER_INPUT');
    // Past the gateway, the subgraph refuses a signed-in user and an anonymous caller on its own.
    const direct = await callSubgraphAs(
      stack,
      'wallet',
      { userId: users[0]!.userId, roles: ['USER'], claims: [], sessionId: null },
      LIST,
      { first: 5 },
    );
    expect(errorCode(direct)).toBe('FORBIDDEN');
    expect(errorCode(await callSubgraphAs(stack, 'wallet', ANONYMOUS, LIST, { first: 5 }))).toBe('UNAUTHENTICATED');
    await walletSql(`delete from wallet.withdrawal_freeze`);
  });

  it('FINANCE lifts one with a note: the user may withdraw again, the lift is on record with who and why, an event is published', async () => {
    const carol = await signIn();
    await freeze(carol.userId, '2026-11-21 08:00:00+00');
    expect(
      (await gql(stack.graphqlUrl, `{ me { withdrawalsFrozen } }`, {}, carol.token)).body.data!.me.withdrawalsFrozen,
    ).toBe(true);
    const finance = await signInStaff(stack, ['FINANCE']);

    const res = await gql(
      stack.graphqlUrl,
      LIFT,
      { u: carol.userId, n: '  reversal settled by adjustBalance txn_x  ' },
      finance.token,
    );
    expect(res.body.errors).toBeUndefined();
    const lift = res.body.data!.liftWithdrawalFreeze;
    expect(lift).toMatchObject({
      user: { id: carol.userId },
      liftedBy: { id: finance.userId },
      note: 'reversal settled by adjustBalance txn_x',
      frozenAt: '2026-11-21T08:00:00.000Z',
      deposit: null,
    });
    expect(lift.id).toMatch(/^wfl_/);
    expect(Date.now() - Date.parse(lift.liftedAt)).toBeLessThan(60_000);

    expect(
      (await gql(stack.graphqlUrl, `{ me { withdrawalsFrozen } }`, {}, carol.token)).body.data!.me.withdrawalsFrozen,
    ).toBe(false);
    const [record] = await walletSql<{ user_id: string; lifted_by: string; note: string; reason: string }>(
      `select user_id, lifted_by, note, reason from wallet.withdrawal_freeze_lift where id = ?`,
      [lift.id],
    );
    expect(record).toEqual({
      user_id: carol.userId,
      lifted_by: finance.userId,
      note: 'reversal settled by adjustBalance txn_x',
      reason: `deposit of ${carol.userId} reorged away`,
    });
    const events = await walletSql<{ envelope: { payload: Record<string, unknown> } }>(
      `select envelope from wallet.outbox where subject = ?`,
      [WithdrawalFreezeEvents.unfrozen],
    );
    expect(events.map((e) => e.envelope.payload)).toEqual([
      {
        userId: carol.userId,
        depositId: null,
        liftedBy: finance.userId,
        note: 'reversal settled by adjustBalance txn_x',
      },
    ]);

    // Lifting again: nothing is frozen any more.
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: carol.userId, n: 'again' }, finance.token))).toBe(
      'NOT_FOUND',
    );
    // Frozen again by a later reorg, lifted again: both lifts stay on record.
    await freeze(carol.userId, '2026-11-21 09:00:00+00');
    expect(
      (await gql(stack.graphqlUrl, LIFT, { u: carol.userId, n: 'second reorg settled' }, finance.token)).body.errors,
    ).toBeUndefined();
    // The record keeps the freeze's time to the microsecond.
    await freeze(carol.userId, '2026-11-21 10:00:00.123456+00');
    expect(
      (await gql(stack.graphqlUrl, LIFT, { u: carol.userId, n: 'third' }, finance.token)).body.errors,
    ).toBeUndefined();
    expect(
      await walletSql(
        `select frozen_at = '2026-11-21 10:00:00.123456+00'::timestamptz as same from wallet.withdrawal_freeze_lift where user_id = ? and note = 'third'`,
        [carol.userId],
      ),
    ).toEqual([{ same: true }]);
    expect(
      await walletSql(
        `select note from wallet.withdrawal_freeze_lift where user_id = ? and note <> 'third' order by lifted_at`,
        [carol.userId],
      ),
    ).toEqual([{ note: 'reversal settled by adjustBalance txn_x' }, { note: 'second reorg settled' }]);
  });

  it('refuses the wrong people and bad input, and changes nothing when it does', async () => {
    const dave = await signIn();
    await freeze(dave.userId, '2026-11-21 07:00:00+00');
    const support = await signInStaff(stack, ['SUPPORT']);
    const admin = await signInStaff(stack, ['ADMIN']);
    const finance = await signInStaff(stack, ['FINANCE']);
    const vars = { u: dave.userId, n: 'looks fine' };
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, vars, dave.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, vars, support.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, vars, admin.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, vars))).toBe('UNAUTHENTICATED');
    // Past the gateway, the subgraph checks the role itself.
    expect(
      errorCode(
        await callSubgraphAs(
          stack,
          'wallet',
          { userId: support.userId, roles: ['USER', 'SUPPORT'], claims: [], sessionId: null },
          LIFT,
          vars,
        ),
      ),
    ).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: dave.userId, n: '   ' }, finance.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: dave.userId, n: 'x'.repeat(501) }, finance.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: 'dave', n: 'looks fine' }, finance.token))).toBe(
      'BAD_USER_INPUT',
    );
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: newId('usr'), n: 'looks fine' }, finance.token))).toBe(
      'NOT_FOUND',
    );
    // Nobody lifts their own freeze, not even FINANCE.
    await freeze(finance.userId, '2026-11-21 07:30:00+00');
    expect(errorCode(await gql(stack.graphqlUrl, LIFT, { u: finance.userId, n: 'mine' }, finance.token))).toBe(
      'FORBIDDEN',
    );
    expect(
      await walletSql(`select user_id from wallet.withdrawal_freeze where user_id in (?, ?) order by user_id`, [
        dave.userId,
        finance.userId,
      ]),
    ).toHaveLength(2);
    expect(
      await walletSql(`select 1 from wallet.withdrawal_freeze_lift where user_id in (?, ?)`, [
        dave.userId,
        finance.userId,
      ]),
    ).toEqual([]);
  });

  it('two staff lifting the same freeze at once: one lift, one NOT_FOUND', async () => {
    const erin = await signIn();
    await freeze(erin.userId, '2026-11-21 06:00:00+00');
    const [a, b] = await Promise.all([signInStaff(stack, ['FINANCE']), signInStaff(stack, ['SUPERADMIN'])]);
    const results = await Promise.all(
      [a, b].map((s) => gql(stack.graphqlUrl, LIFT, { u: erin.userId, n: `lifted by ${s.userId}` }, s.token)),
    );
    expect(results.map((r) => errorCode(r) ?? 'OK').sort()).toEqual(['NOT_FOUND', 'OK']);
    expect(
      await walletSql(`select 1 from wallet.withdrawal_freeze_lift where user_id = ?`, [erin.userId]),
    ).toHaveLength(1);
  });
});
