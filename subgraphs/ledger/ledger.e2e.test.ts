import { createClient, type Client } from 'graphql-ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { errorCode, gql } from '../../testing/graphql-client.js';
import { callSubgraphAs, signInStaff } from '../../testing/viewers.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import type { LedgerServices } from './context.js';

let stack: TestStack;
let ledger: LedgerServices;
const clients: Client[] = [];
beforeAll(async () => {
  stack = await startStack({ LEDGER_FEES: 'USDT_TON:0.1:0,*:0:0', LEDGER_LIMITS: 'USDT_TON:500:-,*:-:-' });
  ledger = (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
});
afterAll(async () => {
  for (const c of clients) await c.dispose();
  await stack?.close();
});

const SIGN_IN = `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id username } } }`;
const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) {
  __typename
  ... on Transaction { id kind status amount fee direction note asset { symbol decimals } counterparty { id username } postings { source destination amount } }
  ... on InsufficientFunds { code message available required asset { symbol } }
  ... on RecipientNotFound { code message }
  ... on LimitExceeded { code message period limit used }
} }`;
const ADJUST = `mutation($userId: ID!, $asset: String!, $amount: Amount!, $reason: String!, $key: String!) {
  adjustBalance(userId: $userId, asset: $asset, amount: $amount, reason: $reason, idempotencyKey: $key) { __typename ... on Transaction { id kind amount actor reason } }
}`;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A Telegram user, signed in, and known to the ledger (identity.user.created applied). */
async function signIn(): Promise<{ token: string; id: string; username: string }> {
  const tg = newTelegramUser();
  const res = await gql(stack.graphqlUrl, SIGN_IN, { d: initDataFor(tg) });
  const payload = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string; username: string } };
  const em = stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  await until(
    () => ledger.directory.byUsername(em, tg.username),
    (id) => id === payload.user.id,
  );
  return { token: payload.accessToken, id: payload.user.id, username: tg.username };
}

async function staff(
  email: string,
  roles: ('FINANCE' | 'ADMIN' | 'SUPERADMIN')[],
): Promise<{ token: string; id: string }> {
  const { token, userId } = await signInStaff(stack, roles, email);
  return { token, id: userId };
}

/** Signs an existing staff account in again (a new token carries its new claims). */
async function adminToken(email: string): Promise<string> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`,
    { e: email, p: 'correct horse battery staple' },
  );
  return res.body.data!.signInAdmin.accessToken as string;
}

/** A SUPERADMIN holds every claim: it funds test users through adjustBalance. */
let treasuryToken: string | null = null;
async function fund(userId: string, asset: string, amount: string) {
  treasuryToken ??= (await staff('treasury@example.com', ['SUPERADMIN'])).token;
  const res = await gql(
    stack.graphqlUrl,
    ADJUST,
    { userId, asset, amount, reason: 'test funding', key: `fund-${userId}-${asset}-${amount}-${Math.random()}` },
    treasuryToken,
  );
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.adjustBalance.__typename).toBe('Transaction');
}

describe('money admin', () => {
  it('adjustBalance needs FINANCE and ledger:adjust; a USER and a claimless FINANCE are refused before the ledger is asked', async () => {
    const root = await staff('root@example.com', ['SUPERADMIN']);
    const finance = await staff('finance@example.com', ['FINANCE']);
    const someone = await signIn();
    const vars = { userId: someone.id, asset: 'IRT', amount: '1000', reason: 'goodwill credit', key: 'adj-1' };
    for (const token of [someone.token, finance.token]) {
      const res = await gql(stack.graphqlUrl, ADJUST, vars, token);
      expect(errorCode(res)).toBe('FORBIDDEN');
    }
    const grant = await gql(
      stack.graphqlUrl,
      `mutation($u: ID!) { grantClaim(userId: $u, claim: "ledger:adjust") { claims } }`,
      { u: finance.id },
      root.token,
    );
    expect(grant.body.data!.grantClaim.claims).toContain('ledger:adjust');
    const financeToken = await adminToken('finance@example.com');
    const res = await gql(stack.graphqlUrl, ADJUST, vars, financeToken);
    expect(res.body.data!.adjustBalance).toMatchObject({
      __typename: 'Transaction',
      kind: 'ADJUSTMENT',
      amount: '1000',
      actor: finance.id,
      reason: 'goodwill credit',
    });
    const replay = await gql(stack.graphqlUrl, ADJUST, vars, financeToken);
    expect(replay.body.data!.adjustBalance.id).toBe(res.body.data!.adjustBalance.id);
    const conflict = await gql(stack.graphqlUrl, ADJUST, { ...vars, amount: '2000' }, financeToken);
    expect(errorCode(conflict)).toBe('CONFLICT');

    const verify = `{ verifyLedger { ok transactions chainLength unsealed mismatches { kind subject } } }`;
    expect(errorCode(await gql(stack.graphqlUrl, verify, {}, someone.token))).toBe('FORBIDDEN');
    const report = await gql(stack.graphqlUrl, verify, {}, financeToken);
    expect(report.body.data!.verifyLedger).toMatchObject({ ok: true, mismatches: [], unsealed: 0 });
    expect(report.body.data!.verifyLedger.chainLength).toBe(report.body.data!.verifyLedger.transactions);
  });
});

describe('transfer through the gateway', () => {
  it('sends to a username; both sides see the balance, the history and the counterparty; assets resolve in the market subgraph', async () => {
    const alice = await signIn();
    const bob = await signIn();
    await fund(alice.id, 'USDT_TON', '50');
    const res = await gql(
      stack.graphqlUrl,
      TRANSFER,
      {
        input: {
          toUsername: `@${bob.username.toUpperCase()}`,
          asset: 'USDT_TON',
          amount: '12.5',
          note: 'rent',
          idempotencyKey: 'e2e-1',
        },
      },
      alice.token,
    );
    expect(res.body.errors).toBeUndefined();
    const t = res.body.data!.transfer;
    expect(t).toMatchObject({
      __typename: 'Transaction',
      kind: 'TRANSFER',
      status: 'COMMITTED',
      amount: '12.5',
      fee: '0.1',
      direction: 'OUT',
      note: 'rent',
      asset: { symbol: 'USDT_TON', decimals: 6 },
      counterparty: { id: bob.id, username: bob.username },
    });
    expect(t.postings).toEqual([
      {
        source: `user:${alice.id}:USDT_TON:available`,
        destination: `user:${bob.id}:USDT_TON:available`,
        amount: '12.5',
      },
      { source: `user:${alice.id}:USDT_TON:available`, destination: 'fees:USDT_TON', amount: '0.1' },
    ]);
    const ME = `{ me { id balances(assets: ["USDT_TON", "IRT"]) { asset { symbol name } available held total }
      transactions(first: 5) { edges { node { id kind amount direction counterparty { id } } } pageInfo { hasNextPage } } } }`;
    const bobView = await gql(stack.graphqlUrl, ME, {}, bob.token);
    expect(bobView.body.errors).toBeUndefined();
    expect(bobView.body.data!.me.balances).toEqual([
      { asset: { symbol: 'USDT_TON', name: 'Tether USD (TON jetton)' }, available: '12.5', held: '0', total: '12.5' },
      { asset: { symbol: 'IRT', name: 'Toman' }, available: '0', held: '0', total: '0' },
    ]);
    expect(bobView.body.data!.me.transactions.edges).toEqual([
      { node: { id: t.id, kind: 'TRANSFER', amount: '12.5', direction: 'IN', counterparty: { id: alice.id } } },
    ]);
    const aliceView = await gql(stack.graphqlUrl, ME, {}, alice.token);
    expect(aliceView.body.data!.me.balances[0]).toMatchObject({ available: '37.4', total: '37.4' });
    expect(
      aliceView.body.data!.me.transactions.edges.map((e: { node: { kind: string; direction: string } }) => [
        e.node.kind,
        e.node.direction,
      ]),
    ).toEqual([
      ['TRANSFER', 'OUT'],
      ['ADJUSTMENT', 'IN'],
    ]);

    // the same request again: the same transaction, nothing moves twice
    const replay = await gql(
      stack.graphqlUrl,
      TRANSFER,
      {
        input: {
          toUsername: `@${bob.username.toUpperCase()}`,
          asset: 'USDT_TON',
          amount: '12.5',
          note: 'rent',
          idempotencyKey: 'e2e-1',
        },
      },
      alice.token,
    );
    expect(replay.body.data!.transfer.id).toBe(t.id);

    // a third user can neither read the transaction nor the balances behind its counterparty
    const eve = await signIn();
    const peek = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { transaction(id: $id) { id } }`,
      { id: t.id },
      eve.token,
    );
    expect(peek.body.data).toEqual({ transaction: null });
    const own = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { transaction(id: $id) { id reversedBy { id } actor } }`,
      { id: t.id },
      bob.token,
    );
    expect(own.body.data!.transaction).toEqual({ id: t.id, reversedBy: null, actor: null });
  });

  it('answers refusals as union members and bad input with clear codes', async () => {
    const carl = await signIn();
    const dina = await signIn();
    await fund(carl.id, 'USDT_TON', '1000');
    const send = (input: Record<string, unknown>, token = carl.token) =>
      gql(
        stack.graphqlUrl,
        TRANSFER,
        { input: { asset: 'USDT_TON', idempotencyKey: `k-${Math.random()}`, ...input } },
        token,
      );
    expect((await send({ toUserId: dina.id, amount: '2000' })).body.data!.transfer).toMatchObject({
      __typename: 'LimitExceeded',
      code: 'LIMIT_EXCEEDED',
      period: 'TRANSFER',
      limit: '500',
      used: '0',
    });
    const poor = await send({ toUserId: carl.id, amount: '1' }, dina.token);
    expect(poor.body.data!.transfer).toMatchObject({
      __typename: 'InsufficientFunds',
      code: 'INSUFFICIENT_FUNDS',
      available: '0',
      required: '1.1',
      asset: { symbol: 'USDT_TON' },
    });
    expect((await send({ toUsername: 'nobody_here_at_all', amount: '1' })).body.data!.transfer).toMatchObject({
      __typename: 'RecipientNotFound',
      code: 'RECIPIENT_NOT_FOUND',
    });
    for (const input of [
      { toUserId: dina.id, amount: '0' },
      { toUserId: dina.id, amount: '-3' },
      { toUserId: dina.id, amount: '1.0000001' },
      { toUserId: dina.id, amount: 'lots' },
      { toUserId: dina.id, amount: '1', asset: 'DOGE' },
      { toUserId: carl.id, amount: '1' },
      { toUserId: dina.id, amount: '1', idempotencyKey: '' },
    ]) {
      const res = await send(input);
      expect({ input, code: errorCode(res) }).toEqual({ input, code: 'BAD_USER_INPUT' });
      expect(res.status).toBeLessThan(500);
    }
    const noKey = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: dina.id, asset: 'USDT_TON', amount: '1' } },
      carl.token,
    );
    expect(errorCode(noKey)).toMatch(/BAD_USER_INPUT|GRAPHQL_VALIDATION_FAILED/);
    expect(
      errorCode(
        await gql(stack.graphqlUrl, TRANSFER, {
          input: { toUserId: dina.id, asset: 'USDT_TON', amount: '1', idempotencyKey: 'anon' },
        }),
      ),
    ).toBe('UNAUTHENTICATED');
    const balances = await gql(stack.graphqlUrl, `{ balances(assets: ["USDT_TON"]) { available } }`, {}, carl.token);
    expect(balances.body.data!.balances).toEqual([{ available: '1000' }]);
  });
});

describe('staff', () => {
  it('search transactions by user, asset and kind, and reverse one with the two keys; a USER gets FORBIDDEN', async () => {
    const ivy = await signIn();
    const jon = await signIn();
    await fund(ivy.id, 'TRX', '100');
    const sent = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: jon.id, asset: 'TRX', amount: '10', idempotencyKey: 'staff-1' } },
      ivy.token,
    );
    const id = sent.body.data!.transfer.id as string;
    const support = await staff('support@example.com', ['ADMIN']);
    const SEARCH = `query($f: LedgerTransactionFilter) { ledgerTransactions(filter: $f, first: 10) { edges { node { id kind amount actor } } pageInfo { hasNextPage } } }`;
    const found = await gql(
      stack.graphqlUrl,
      SEARCH,
      { f: { userId: jon.id, asset: 'TRX', kinds: ['TRANSFER'] } },
      support.token,
    );
    expect(found.body.data!.ledgerTransactions.edges).toEqual([
      { node: { id, kind: 'TRANSFER', amount: '10', actor: ivy.id } },
    ]);
    expect(errorCode(await gql(stack.graphqlUrl, SEARCH, { f: {} }, jon.token))).toBe('FORBIDDEN');

    const REVERSE = `mutation($id: ID!, $k: String!) { reverseTransaction(transactionId: $id, reason: "sent to the wrong user", idempotencyKey: $k) {
      __typename ... on Transaction { kind amount reverses { id status } } ... on InsufficientFunds { code } } }`;
    expect(errorCode(await gql(stack.graphqlUrl, REVERSE, { id, k: 'rev-1' }, support.token))).toBe('FORBIDDEN'); // ADMIN without FINANCE
    await fund(jon.id, 'IRT', '1'); // make sure the treasury exists
    const reversed = await gql(stack.graphqlUrl, REVERSE, { id, k: 'rev-1' }, treasuryToken!);
    expect(reversed.body.data!.reverseTransaction).toEqual({
      __typename: 'Transaction',
      kind: 'REVERSAL',
      amount: '10',
      reverses: { id, status: 'REVERSED' },
    });
    const balances = await gql(stack.graphqlUrl, `{ balances(assets: ["TRX"]) { available } }`, {}, jon.token);
    expect(balances.body.data!.balances).toEqual([{ available: '0' }]);
    expect(errorCode(await gql(stack.graphqlUrl, REVERSE, { id, k: 'rev-2' }, treasuryToken!))).toBe('CONFLICT');
  });
});

describe('entity references', () => {
  it('resolves Transaction (visible ones only) and User through _entities, one query per type', async () => {
    const ann = await signIn();
    const ben = await signIn();
    await fund(ann.id, 'TON', '2');
    const sent = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: ben.id, asset: 'TON', amount: '0.5', idempotencyKey: 'ent-1' } },
      ann.token,
    );
    const id = sent.body.data!.transfer.id as string;
    const entities = async (viewerId: string | null, representations: Record<string, unknown>[]) => {
      const res = await callSubgraphAs(
        stack,
        'ledger',
        { userId: viewerId, roles: ['USER'], claims: [], sessionId: null },
        `query($r: [_Any!]!) { _entities(representations: $r) { ... on Transaction { id amount } ... on User { id balances(assets: ["TON"]) { available } } } }`,
        { r: representations },
      );
      expect(res.body.errors).toBeUndefined();
      return res.body.data!._entities;
    };
    const transactions = [
      { __typename: 'Transaction', id },
      { __typename: 'Transaction', id: 'txn_00000000000000000000000000' },
    ];
    expect(await entities(ann.id, transactions)).toEqual([{ id, amount: '0.5' }, null]);
    expect(await entities(ben.id, transactions.slice(0, 1))).toEqual([{ id, amount: '0.5' }]);
    expect(await entities((await signIn()).id, transactions.slice(0, 1))).toEqual([null]); // not a party
    expect(await entities(ann.id, [{ __typename: 'User', id: ann.id }])).toEqual([
      { id: ann.id, balances: [{ available: '1.5' }] },
    ]);
  });
});

describe('balanceUpdated over graphql-ws', () => {
  function subscribe(token: string, query: string) {
    const received: {
      data?: { balanceUpdated: { asset: { symbol: string }; available: string }[] } | null;
      at: number;
    }[] = [];
    const client = createClient({
      url: stack.wsUrl,
      webSocketImpl: WebSocket,
      connectionParams: { authorization: `Bearer ${token}` },
      lazy: false,
      retryAttempts: 0,
      onNonLazyError: () => undefined,
    });
    clients.push(client);
    client.subscribe(
      { query },
      {
        next: (v) => received.push({ ...(v as { data?: never }), at: Date.now() }),
        error: () => undefined,
        complete: () => undefined,
      },
    );
    return { received, ready: new Promise((r) => setTimeout(r, 300)) };
  }

  it("pushes the recipient's changed balance within 1 s, filtered by asset, and nothing to a bystander", async () => {
    const fay = await signIn();
    const gus = await signIn();
    const hal = await signIn();
    await fund(fay.id, 'USDT_TON', '20');
    const query = `subscription { balanceUpdated { asset { symbol } available } }`;
    const gusSub = subscribe(gus.token, query);
    const gusIrt = subscribe(
      gus.token,
      `subscription { balanceUpdated(assets: ["IRT"]) { asset { symbol } available } }`,
    );
    const halSub = subscribe(hal.token, query);
    await Promise.all([gusSub.ready, gusIrt.ready, halSub.ready]);
    const sentAt = Date.now();
    const res = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: gus.id, asset: 'USDT_TON', amount: '3', idempotencyKey: 'live-1' } },
      fay.token,
    );
    expect(res.body.data!.transfer.__typename).toBe('Transaction');
    const first = await until(async () => gusSub.received[0], Boolean, 5000);
    expect(first?.data).toEqual({ balanceUpdated: [{ asset: { symbol: 'USDT_TON' }, available: '3' }] });
    expect(first!.at - sentAt).toBeLessThan(1000);
    await new Promise((r) => setTimeout(r, 500));
    expect(gusIrt.received).toEqual([]);
    expect(halSub.received).toEqual([]);
  });
});
