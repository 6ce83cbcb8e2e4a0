import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, type GraphQLResponse } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { callSubgraphAs, signInStaff } from '../../../testing/viewers.js';
import { verifyLedger } from '../core/verifier.js';
import { until } from '../../../testing/until.js';

/**
 * Four eyes on created money, through the gateway: an adjustBalance above the asset's approval threshold (here
 * 1,000 IRT) or of the admin's own account is a pending, expiring request; another FINANCE member with the
 * ledger:adjust claim approves it, which posts it exactly once.
 */

let stack: TestStack;
let staffCount = 0;

beforeAll(async () => {
  stack = await startStack({ LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD: 'IRT:1000,*:-' });
});

afterAll(async () => {
  await stack?.close();
});

const sqlOf =
  (subgraph: string) =>
  <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
const ledgerSql = sqlOf('ledger');
const identitySql = sqlOf('identity');

interface Person {
  token: string;
  userId: string;
}

const knownToLedger = (userId: string) =>
  until(
    'the ledger to know the user',
    () => ledgerSql(`select 1 from ledger.user_directory where user_id = ?`, [userId]),
    (r) => r.length === 1,
  );

/** FINANCE with the ledger:adjust claim, signed in after the claim was granted. */
async function moneyAdmin(): Promise<Person> {
  const email = `money${++staffCount}-${process.pid}@example.com`;
  const { userId } = await signInStaff(stack, ['FINANCE'], email);
  await identitySql(`update identity."user" set claims = '{ledger:adjust}' where id = ?`, [userId]);
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`,
    { e: email, p: 'correct horse battery staple' },
  );
  // Staff accounts made by admin:create publish no identity.user.created: make this one a known account holder
  // (as the ledger's directory would after a Telegram sign-in), so adjusting it is possible at all.
  await ledgerSql(`insert into ledger.user_directory (user_id, seen_at) values (?, now()) on conflict do nothing`, [
    userId,
  ]);
  return { token: res.body.data!.signInAdmin.accessToken as string, userId };
}

async function user(): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user: u } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  await knownToLedger(u.id);
  return { token: accessToken, userId: u.id };
}

const REQUEST_FIELDS =
  'id code status amount reason user { id } requestedBy { id } decidedBy { id } expiresAt transactionId decisionNote';
const ADJUST = `mutation($u: ID!, $a: Amount!, $k: String!) { adjustBalance(userId: $u, asset: "IRT", amount: $a, reason: "goodwill credit", idempotencyKey: $k) {
  __typename ... on Transaction { id amount actor } ... on AdjustmentRequest { ${REQUEST_FIELDS} } } }`;
const APPROVE = `mutation($id: ID!) { approveAdjustment(requestId: $id) { __typename ... on Transaction { id kind amount actor reason } ... on InsufficientFunds { code } } }`;
const REJECT = `mutation($id: ID!, $n: String!) { rejectAdjustment(requestId: $id, note: $n) { ${REQUEST_FIELDS} } }`;
const LIST = `query($s: AdjustmentStatus, $after: String) { adjustmentRequests(status: $s, first: 2, after: $after) { edges { cursor node { id status } } pageInfo { hasNextPage endCursor } } }`;

function adjust(
  by: Person,
  userId: string,
  amount: string,
  key = `k-${Math.random()}`,
): Promise<GraphQLResponse<Record<string, any>>> {
  return gql(stack.graphqlUrl, ADJUST, { u: userId, a: amount, k: key }, by.token);
}

async function irt(p: Person): Promise<string> {
  const res = await gql(stack.graphqlUrl, `{ me { balances(assets: ["IRT"]) { available } } }`, {}, p.token);
  return res.body.data!.me.balances[0].available as string;
}

async function listAll(token: string, status: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (let i = 0; i < 50; i++) {
    const res: GraphQLResponse<Record<string, any>> = await gql(stack.graphqlUrl, LIST, { s: status, after }, token);
    expect(res.body.errors).toBeUndefined();
    const conn = res.body.data!.adjustmentRequests as {
      edges: { node: { id: string; status: string } }[];
      pageInfo: { hasNextPage: boolean; endCursor: string };
    };
    for (const e of conn.edges) {
      expect(e.node.status).toBe(status);
      ids.push(e.node.id);
    }
    if (!conn.pageInfo.hasNextPage) return ids;
    after = conn.pageInfo.endCursor;
  }
  throw new Error('pagination did not end');
}

describe('four eyes on adjustments', () => {
  it("an adjustment of one's own account waits for another money admin; the requester cannot approve it; the second approval posts it once", async () => {
    const [fay, gus] = await Promise.all([moneyAdmin(), moneyAdmin()]);
    const own = await adjust(fay, fay.userId, '10', 'own-1');
    expect(own.body.errors).toBeUndefined();
    const request = own.body.data!.adjustBalance;
    expect(request).toMatchObject({
      __typename: 'AdjustmentRequest',
      code: 'APPROVAL_REQUIRED',
      status: 'PENDING',
      amount: '10',
      user: { id: fay.userId },
      requestedBy: { id: fay.userId },
      transactionId: null,
    });
    expect(Date.parse(request.expiresAt) - Date.now()).toBeGreaterThan(23 * 3600_000);
    expect(await irt(fay)).toBe('0');
    // The same key again: the same request, nothing new.
    expect((await adjust(fay, fay.userId, '10', 'own-1')).body.data!.adjustBalance.id).toBe(request.id);
    expect(errorCode(await adjust(fay, fay.userId, '11', 'own-1'))).toBe('CONFLICT');

    const self = await gql(stack.graphqlUrl, APPROVE, { id: request.id }, fay.token);
    expect(errorCode(self)).toBe('FORBIDDEN');
    expect(self.body.errors![0]!.extensions!.reason).toBe('FOUR_EYES');
    expect(await irt(fay)).toBe('0');

    const approved = await gql(stack.graphqlUrl, APPROVE, { id: request.id }, gus.token);
    expect(approved.body.data!.approveAdjustment).toMatchObject({
      __typename: 'Transaction',
      kind: 'ADJUSTMENT',
      amount: '10',
      actor: gus.userId,
      reason: 'goodwill credit',
    });
    expect(await irt(fay)).toBe('10');
    // Approving again answers the same transaction; nothing more is posted.
    expect((await gql(stack.graphqlUrl, APPROVE, { id: request.id }, gus.token)).body.data!.approveAdjustment.id).toBe(
      approved.body.data!.approveAdjustment.id,
    );
    expect(await irt(fay)).toBe('10');
    const [row] = await ledgerSql<{ status: string; decided_by: string; transaction_id: string }>(
      `select status, decided_by, transaction_id from ledger.adjustment_request where id = ?`,
      [request.id],
    );
    expect(row).toEqual({
      status: 'APPROVED',
      decided_by: gus.userId,
      transaction_id: approved.body.data!.approveAdjustment.id,
    });
    const events = await ledgerSql<{ subject: string }>(
      `select subject from ledger.outbox where subject like 'ledger.adjustment.%' and envelope->'payload'->>'requestId' = ? order by occurred_at`,
      [request.id],
    );
    expect(events.map((e) => e.subject)).toEqual(['ledger.adjustment.requested', 'ledger.adjustment.approved']);
  });

  it('above the threshold it waits, below it posts at once; two money admins approving at once post it exactly once', async () => {
    const [fay, gus, hal] = await Promise.all([moneyAdmin(), moneyAdmin(), moneyAdmin()]);
    const ivy = await user();
    const small = await adjust(fay, ivy.userId, '1000');
    expect(small.body.data!.adjustBalance).toMatchObject({
      __typename: 'Transaction',
      amount: '1000',
      actor: fay.userId,
    });
    expect(await irt(ivy)).toBe('1000');

    const big = (await adjust(fay, ivy.userId, '5000')).body.data!.adjustBalance;
    expect(big).toMatchObject({ __typename: 'AdjustmentRequest', status: 'PENDING', amount: '5000' });
    expect(await irt(ivy)).toBe('1000');
    const approvals = await Promise.all(
      [gus, hal, gus, hal].map((p) => gql(stack.graphqlUrl, APPROVE, { id: big.id }, p.token)),
    );
    const ids = new Set(approvals.map((r) => r.body.data!.approveAdjustment.id as string));
    expect(ids.size).toBe(1);
    expect(await irt(ivy)).toBe('6000');
    expect(await ledgerSql(`select id from ledger.transaction where reference = ?`, [`adjustment:${big.id}`])).toEqual([
      { id: [...ids][0] },
    ]);

    // A debit above the threshold waits too; so does the adjusted user approving their own adjustment.
    const debit = (await adjust(gus, hal.userId, '-2000')).body.data!.adjustBalance;
    expect(debit).toMatchObject({ __typename: 'AdjustmentRequest', amount: '-2000' });
    expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id: debit.id }, hal.token))).toBe('FORBIDDEN');
    // Approved while the user has nothing: refused, still pending; approved again once the user has funds: posted.
    expect((await gql(stack.graphqlUrl, APPROVE, { id: debit.id }, fay.token)).body.data!.approveAdjustment).toEqual({
      __typename: 'InsufficientFunds',
      code: 'INSUFFICIENT_FUNDS',
    });
    expect((await adjust(fay, hal.userId, '900')).body.data!.adjustBalance.__typename).toBe('Transaction');
    expect((await adjust(gus, hal.userId, '900')).body.data!.adjustBalance.__typename).toBe('Transaction');
    expect((await adjust(fay, hal.userId, '900')).body.data!.adjustBalance.__typename).toBe('Transaction');
    expect(
      (await gql(stack.graphqlUrl, APPROVE, { id: debit.id }, fay.token)).body.data!.approveAdjustment.__typename,
    ).toBe('Transaction');
    expect(await irt(hal)).toBe('700');
    expect((await verifyLedger(stack.subgraphs.get('ledger')!.deps.orm.em.fork())).mismatches).toEqual([]);
  });

  it('an expired request cannot be approved; staff list requests by status; the requester cancels, another admin rejects', async () => {
    const [fay, gus] = await Promise.all([moneyAdmin(), moneyAdmin()]);
    const jon = await user();
    const stale = (await adjust(fay, jon.userId, '3000')).body.data!.adjustBalance;
    const open = (await adjust(fay, jon.userId, '4000')).body.data!.adjustBalance;
    const third = (await adjust(fay, jon.userId, '4500')).body.data!.adjustBalance;
    await ledgerSql(`update ledger.adjustment_request set expires_at = now() - interval '1 second' where id = ?`, [
      stale.id,
    ]);
    const expired = await gql(stack.graphqlUrl, APPROVE, { id: stale.id }, gus.token);
    expect(errorCode(expired)).toBe('ADJUSTMENT_EXPIRED');
    expect(await irt(jon)).toBe('0');

    const pending = await listAll(gus.token, 'PENDING');
    expect(pending).toEqual(expect.arrayContaining([open.id, third.id]));
    expect(pending).not.toContain(stale.id);
    expect(pending.indexOf(third.id)).toBeLessThan(pending.indexOf(open.id)); // newest first
    expect(await listAll(gus.token, 'EXPIRED')).toEqual([stale.id]);
    expect(errorCode(await gql(stack.graphqlUrl, LIST, { s: 'PENDING' }, jon.token))).toBe('FORBIDDEN');

    const cancelled = await gql(stack.graphqlUrl, REJECT, { id: open.id, n: 'typo in the amount' }, fay.token);
    expect(cancelled.body.data!.rejectAdjustment).toMatchObject({
      status: 'CANCELLED',
      decidedBy: { id: fay.userId },
      decisionNote: 'typo in the amount',
    });
    const rejected = await gql(stack.graphqlUrl, REJECT, { id: third.id, n: 'no ticket for this' }, gus.token);
    expect(rejected.body.data!.rejectAdjustment).toMatchObject({ status: 'REJECTED', decidedBy: { id: gus.userId } });
    for (const id of [open.id, third.id])
      expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id }, gus.token))).toBe('CONFLICT');
    expect(await irt(jon)).toBe('0');
    expect(await listAll(gus.token, 'CANCELLED')).toContain(open.id);
  });

  it('the ledger subgraph checks the roles itself: a USER or a FINANCE without the claim cannot approve, past the gateway too', async () => {
    const [fay, kim] = await Promise.all([moneyAdmin(), user()]);
    const request = (await adjust(fay, kim.userId, '2000')).body.data!.adjustBalance;
    const plainFinance = await signInStaff(stack, ['FINANCE']);
    expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id: request.id }, plainFinance.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id: request.id }, kim.token))).toBe('FORBIDDEN');
    const direct = await callSubgraphAs(
      stack,
      'ledger',
      { userId: plainFinance.userId, roles: ['USER', 'FINANCE'], claims: [], sessionId: null },
      APPROVE,
      { id: request.id },
    );
    expect(errorCode(direct)).toBe('FORBIDDEN');
    const directList = await callSubgraphAs(
      stack,
      'ledger',
      { userId: kim.userId, roles: ['USER'], claims: [], sessionId: null },
      LIST,
      { s: 'PENDING' },
    );
    expect(errorCode(directList)).toBe('FORBIDDEN');
    expect(await irt(kim)).toBe('0');
  });
});
