import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql, type GraphQLResponse } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';
import type { LedgerServices } from '../context.js';

/** `updateAsset(enabled: false)` in the market reaches the ledger (`market.asset.updated`): no new transfers in that asset. */
let stack: TestStack;
let ledger: LedgerServices;
beforeAll(async () => {
  stack = await startStack({ LEDGER_FEES: '*:0:0', LEDGER_LIMITS: '*:-:-' });
  ledger = (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
});
afterAll(async () => {
  await stack?.close();
});

const TRANSFER = `mutation($input: TransferInput!) { transfer(input: $input) { __typename ... on Transaction { id amount } } }`;
const UPDATE = `mutation($s: String!, $e: Boolean!) { updateAsset(input: { symbol: $s, enabled: $e }) { symbol enabled } }`;
const BALANCE = `{ me { balances(assets: ["IRT"]) { available } } }`;

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function signIn(): Promise<{ token: string; id: string }> {
  const tg = newTelegramUser();
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(tg) },
  );
  const payload = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  const em = stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  await until(() => ledger.directory.exists(em, payload.user.id), Boolean);
  return { token: payload.accessToken, id: payload.user.id };
}

let keys = 0;
function transfer(from: string, to: string, amount: string): Promise<GraphQLResponse<Record<string, any>>> {
  return gql(
    stack.graphqlUrl,
    TRANSFER,
    { input: { toUserId: to, asset: 'IRT', amount, idempotencyKey: `switch-${++keys}` } },
    from,
  );
}

async function available(token: string): Promise<string> {
  return (await gql(stack.graphqlUrl, BALANCE, {}, token)).body.data!.me.balances[0].available as string;
}

describe('a disabled asset', () => {
  it('refuses new transfers with ASSET_DISABLED until staff enable it again', async () => {
    const alice = await signIn();
    const bob = await signIn();
    const root = await signInStaff(stack, ['SUPERADMIN']);
    const funded = await gql(
      stack.graphqlUrl,
      `mutation($u: ID!) { adjustBalance(userId: $u, asset: "IRT", amount: "1000", reason: "test funding", idempotencyKey: "fund-alice") { __typename } }`,
      { u: alice.id },
      root.token,
    );
    expect(funded.body.data).toEqual({ adjustBalance: { __typename: 'Transaction' } });
    const before = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: bob.id, asset: 'IRT', amount: '100', idempotencyKey: 'before-the-switch' } },
      alice.token,
    );
    expect(before.body.data!.transfer.__typename).toBe('Transaction');

    const admin = await signInStaff(stack, ['ADMIN']);
    expect((await gql(stack.graphqlUrl, UPDATE, { s: 'IRT', e: false }, admin.token)).body.data).toEqual({
      updateAsset: { symbol: 'IRT', enabled: false },
    });
    const switches = () =>
      stack.subgraphs
        .get('ledger')!
        .deps.orm.em.fork()
        .getConnection()
        .execute<{ enabled: boolean }[]>(`select enabled from ledger.asset_switch where symbol = 'IRT'`);
    await until(switches, (rows) => rows[0]?.enabled === false);
    const refused = await until(
      () => transfer(alice.token, bob.id, '1'),
      (res) => errorCode(res) === 'ASSET_DISABLED',
      3_000,
    );
    expect({
      code: errorCode(refused),
      asset: refused.body.errors?.[0]?.extensions?.asset,
      data: refused.body.data ?? null,
    }).toEqual({ code: 'ASSET_DISABLED', asset: 'IRT', data: null });
    expect(refused.status).toBeLessThan(500);
    // a retry of the transfer made before the switch gets its original answer; the same key with another amount is a CONFLICT
    const retry = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: bob.id, asset: 'IRT', amount: '100', idempotencyKey: 'before-the-switch' } },
      alice.token,
    );
    expect(retry.body.data!.transfer).toEqual(before.body.data!.transfer);
    const reused = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: bob.id, asset: 'IRT', amount: '101', idempotencyKey: 'before-the-switch' } },
      alice.token,
    );
    expect(errorCode(reused)).toBe('CONFLICT');
    const aliceBefore = await available(alice.token);
    const again = await transfer(alice.token, bob.id, '50');
    expect(errorCode(again)).toBe('ASSET_DISABLED');
    expect(await available(alice.token)).toBe(aliceBefore);
    // other assets are not affected: a TON transfer is refused for funds, not for the switch
    const ton = await gql(
      stack.graphqlUrl,
      `mutation($input: TransferInput!) { transfer(input: $input) { __typename } }`,
      { input: { toUserId: bob.id, asset: 'TON', amount: '1', idempotencyKey: 'ton-1' } },
      alice.token,
    );
    expect(ton.body.data).toEqual({ transfer: { __typename: 'InsufficientFunds' } });

    expect(await available(bob.token)).toBe('100');
    expect((await gql(stack.graphqlUrl, UPDATE, { s: 'IRT', e: true }, admin.token)).body.data).toEqual({
      updateAsset: { symbol: 'IRT', enabled: true },
    });
    const allowed = await until(
      () => transfer(alice.token, bob.id, '25'),
      (res) => res.body.data?.transfer?.__typename === 'Transaction',
    );
    expect(allowed.body.data!.transfer).toMatchObject({ __typename: 'Transaction', amount: '25' });
    expect(await available(bob.token)).toBe('125');
  });

  it('keeps the newest switch whatever order the events arrive in, and applies each event once', async () => {
    const { applyAssetSwitch } = await import('./asset-switches.js');
    const deps = { orm: stack.subgraphs.get('ledger')!.deps.orm };
    const event = (id: string, enabled: boolean, revision: string) => ({
      id,
      type: 'market.asset.updated',
      version: 1,
      occurredAt: new Date().toISOString(),
      source: 'market',
      payload: { symbol: 'TRX', enabled, minDeposit: '1000000', decimals: 6, revision },
    });
    await applyAssetSwitch(deps, ledger.assetSwitches, event('evt_b', false, '7'));
    await applyAssetSwitch(deps, ledger.assetSwitches, event('evt_a', true, '6')); // older: ignored
    await applyAssetSwitch(deps, ledger.assetSwitches, event('evt_b', false, '7')); // redelivered: once
    const rows = await deps.orm.em
      .fork()
      .getConnection()
      .execute(`select symbol, enabled, revision::text as revision from ledger.asset_switch where symbol = 'TRX'`);
    expect(rows).toEqual([{ symbol: 'TRX', enabled: false, revision: '7' }]);
    const alice = await signIn();
    const bob = await signIn();
    const res = await gql(
      stack.graphqlUrl,
      TRANSFER,
      { input: { toUserId: bob.id, asset: 'TRX', amount: '1', idempotencyKey: 'trx-1' } },
      alice.token,
    );
    expect(errorCode(res)).toBe('ASSET_DISABLED');
  });
});
