import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERNAL_CONTEXT_HEADER } from '../../../platform/auth/tokens.js';
import { ASSETS } from '../../../platform/money/assets.js';
import { formatAmount, parseAmount } from '../../../platform/money/amount.js';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { internalTokenFor, signInStaff } from '../../../testing/viewers.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';

let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const ASSET_FIELDS = 'symbol name coin network decimals contract enabled minDeposit';

async function userToken(): Promise<string> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  return res.body.data!.signInWithTelegram.accessToken as string;
}

async function adminToken(email: string): Promise<string> {
  return (await signInStaff(stack, ['ADMIN'], email)).token;
}

describe('assets', () => {
  it('lists the seeded catalogue, to anyone, in catalogue order, equal to platform/money/assets.ts', async () => {
    const res = await gql(stack.graphqlUrl, `{ assets { ${ASSET_FIELDS} } }`);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.assets).toEqual(
      ASSETS.map((a) => ({
        symbol: a.symbol,
        name: a.name,
        coin: a.coin,
        network: a.network,
        decimals: a.decimals,
        contract: a.contract,
        enabled: true,
        // the migration stores minor units: the round trip must give the catalogue's text back
        minDeposit: formatAmount(parseAmount(a.minDeposit, a.decimals), a.decimals),
      })),
    );
  });

  it('reads one asset by symbol; an unknown symbol is null', async () => {
    const res = await gql(
      stack.graphqlUrl,
      `{ bsc: asset(symbol: "USDT_BSC") { symbol decimals contract iconUrl } nope: asset(symbol: "DOGE") { symbol } }`,
    );
    expect(res.body.data).toEqual({
      bsc: {
        symbol: 'USDT_BSC',
        decimals: 18,
        contract: '0x55d398326f99059fF775485246999027B3197955',
        iconUrl: expect.stringMatching(/^https:\/\//),
      },
      nope: null,
    });
  });

  it('resolves Asset references through _entities (unknown symbols are null)', async () => {
    const market = stack.subgraphs.get('market')!;
    const token = await internalTokenFor(stack, 'market', { userId: null, roles: [], claims: [], sessionId: null });
    const res = await gql(
      market.url,
      `query($r: [_Any!]!) { _entities(representations: $r) { ... on Asset { symbol decimals } } }`,
      {
        r: [
          { __typename: 'Asset', symbol: 'TRX' },
          { __typename: 'Asset', symbol: 'USDT_TRON' },
          { __typename: 'Asset', symbol: 'NOPE' },
        ],
      },
      null,
      { [INTERNAL_CONTEXT_HEADER]: token },
    );
    expect(res.body.data).toEqual({
      _entities: [{ symbol: 'TRX', decimals: 6 }, { symbol: 'USDT_TRON', decimals: 6 }, null],
    });
  });

  it('updateAsset: ADMIN only; exact minimums in the asset unit; enabled filter', async () => {
    const UPDATE = `mutation($i: UpdateAssetInput!) { updateAsset(input: $i) { symbol enabled minDeposit iconUrl } }`;
    const user = await userToken();
    const denied = await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'TRX', enabled: false } }, user);
    expect(errorCode(denied)).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'TRX', enabled: false } }))).toBe(
      'UNAUTHENTICATED',
    );

    const admin = await adminToken('market-admin@example.com');
    const done = await gql(
      stack.graphqlUrl,
      UPDATE,
      { i: { symbol: 'TRX', enabled: false, minDeposit: '2.5', iconUrl: '' } },
      admin,
    );
    expect(done.body.errors).toBeUndefined();
    expect(done.body.data!.updateAsset).toEqual({ symbol: 'TRX', enabled: false, minDeposit: '2.5', iconUrl: null });

    const tooPrecise = await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'TRX', minDeposit: '0.0000001' } }, admin);
    expect(errorCode(tooPrecise)).toBe('BAD_USER_INPUT');
    expect(
      errorCode(
        await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'TRX', iconUrl: 'http://insecure.example/x.png' } }, admin),
      ),
    ).toBe('BAD_USER_INPUT');
    expect(errorCode(await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'NOPE', enabled: true } }, admin))).toBe(
      'NOT_FOUND',
    );
    expect(errorCode(await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'TRX' } }, admin))).toBe('BAD_USER_INPUT');

    const enabled = await gql(
      stack.graphqlUrl,
      `{ assets(enabled: true) { symbol } disabled: assets(enabled: false) { symbol } }`,
    );
    expect(enabled.body.data!.assets).toHaveLength(ASSETS.length - 1);
    expect(enabled.body.data!.disabled).toEqual([{ symbol: 'TRX' }]);

    const back = await gql(
      stack.graphqlUrl,
      UPDATE,
      { i: { symbol: 'TRX', enabled: true, minDeposit: '1', iconUrl: 'https://cdn.example/trx.svg' } },
      admin,
    );
    expect(back.body.data!.updateAsset).toEqual({
      symbol: 'TRX',
      enabled: true,
      minDeposit: '1',
      iconUrl: 'https://cdn.example/trx.svg',
    });
  });

  it('publishes each change as market.asset.updated through the outbox, with a growing revision; a refused change publishes nothing', async () => {
    const UPDATE = `mutation($i: UpdateAssetInput!) { updateAsset(input: $i) { symbol } }`;
    const admin = await adminToken('market-events@example.com');
    const em = stack.subgraphs.get('market')!.deps.orm.em;
    const events = () =>
      em
        .fork()
        .getConnection()
        .execute<{ subject: string; payload: Record<string, unknown>; published: boolean }[]>(
          `select subject, envelope->'payload' as payload, published_at is not null as published from market.outbox where envelope->'payload'->>'symbol' = 'USDT_TON' order by occurred_at, id`,
        );
    expect(await events()).toEqual([]);
    await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'USDT_TON', enabled: false } }, admin);
    await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'USDT_TON', minDeposit: '2.5' } }, admin);
    expect(
      errorCode(await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'USDT_TON', minDeposit: '0.0000001' } }, admin)),
    ).toBe('BAD_USER_INPUT');
    expect(
      errorCode(await gql(stack.graphqlUrl, UPDATE, { i: { symbol: 'USDT_TON', enabled: true } }, await userToken())),
    ).toBe('FORBIDDEN');
    const rows = await until(events, (r) => r.length === 2 && r.every((e) => e.published));
    expect(rows.map((r) => [r.subject.replace(stack.config.nats.subjectPrefix, ''), r.payload, r.published])).toEqual([
      [
        'market.asset.updated',
        { symbol: 'USDT_TON', enabled: false, minDeposit: '1000000', decimals: 6, revision: '1' },
        true,
      ],
      [
        'market.asset.updated',
        { symbol: 'USDT_TON', enabled: false, minDeposit: '2500000', decimals: 6, revision: '2' },
        true,
      ],
    ]);
  });
});

async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}
