import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UtopiaSimulator } from '../../devnet/vouchers/utopia.simulator.js';
import type { UwalletSimulator } from '../../devnet/vouchers/uwallet.simulator.js';
import { createUwalletProvider } from '../../providers/uwallet/uwallet.client.js';
import { errorCode, gql } from '../../testing/graphql-client.js';
import type { TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { startVoucherStack, type VoucherStack } from '../../testing/voucher-stack.js';
import type { LedgerServices } from '../ledger/context.js';
import { accounts } from '../ledger/core/accounts.js';
import { draft } from '../ledger/core/ledger.types.js';

let stack: TestStack;
let ledger: LedgerServices;
let uwallet: UwalletSimulator;
let utopia: UtopiaSimulator;
let rateSetter: string;
let logLines: string[] = [];
let world: VoucherStack;

beforeAll(async () => {
  world = await startVoucherStack();
  ({ stack, ledger, uwallet, utopia, logLines } = world);
  rateSetter = (await signInStaff(stack, ['SUPERADMIN'])).token;
  const until = new Date(Date.now() + 3600_000).toISOString();
  for (const [type, side, currency, price] of [
    ['HOT', 'BUY', 'IRT', '1.02'],
    ['HOT', 'SELL', 'IRT', '0.98'],
    ['UTOPIA_UUSD', 'BUY', 'USD', '1.05'],
    ['UTOPIA_UUSD', 'SELL', 'USD', '0.97'],
    ['PS', 'SELL', 'USD', '0.9'],
  ] as const) {
    const res = await gql(
      stack.graphqlUrl,
      SET_RATE,
      { input: { type, side, currency, price, validUntil: until } },
      rateSetter,
    );
    expect(res.body.errors).toBeUndefined();
  }
}, 120_000);

afterAll(async () => {
  await world?.close();
});

const SIGN_IN = `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`;
const SET_RATE = `mutation($input: SetVoucherRateInput!) { setVoucherRate(input: $input) { id type side currency price stale } }`;
const VOUCHER_FIELDS = `id type direction status faceCurrency faceAmount asset assetAmount rate reason ledgerReference codeAvailable`;
const BUY = `mutation($type: VoucherType!, $amount: Amount!, $pay: String!, $key: String!) {
  buyVoucher(type: $type, amount: $amount, payWith: $pay, idempotencyKey: $key) { ${VOUCHER_FIELDS} } }`;
const REVEAL = `mutation($id: ID!) { revealVoucherCode(id: $id) { code voucher { id } } }`;
const REDEEM = `mutation($type: VoucherType!, $code: String!, $key: String!, $as: String) {
  redeemVoucher(type: $type, code: $code, idempotencyKey: $key, receiveAs: $as) { ${VOUCHER_FIELDS} } }`;
const BALANCES = `query($a: [String!]) { balances(assets: $a) { asset { symbol } available held } }`;
const HISTORY = `query($type: VoucherType) { me { vouchers(first: 10, type: $type) { edges { node { id type direction status } } } } }`;

async function wait<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let keys = 0;
const key = () => `k-${Date.now()}-${++keys}`;

/** A signed-in user the ledger knows, funded with `funds` (asset → minor units) by a test adjustment. */
async function user(funds: Record<string, bigint> = {}): Promise<{ token: string; id: string }> {
  const res = await gql(stack.graphqlUrl, SIGN_IN, { d: initDataFor(newTelegramUser()) });
  const { accessToken, user } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  const em = stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  for (const [asset, amount] of Object.entries(funds)) {
    await wait(
      async () => {
        try {
          const result = await em.fork().transactional((tx) =>
            ledger.ledger.commitWithin(
              tx,
              draft({
                kind: 'ADJUSTMENT',
                asset,
                amount,
                userId: user.id,
                actor: 'system:test',
                reason: 'test funds',
                postings: [
                  { source: accounts.world(asset), destination: accounts.available(user.id, asset), asset, amount },
                ],
              }),
            ),
          );
          return result.type === 'Transaction';
        } catch {
          return false;
        }
      },
      (ok) => ok,
    );
  }
  return { token: accessToken, id: user.id };
}

async function balance(token: string, asset: string): Promise<{ available: string; held: string }> {
  const res = await gql(stack.graphqlUrl, BALANCES, { a: [asset] }, token);
  const row = (
    res.body.data?.balances as { asset: { symbol: string }; available: string; held: string }[] | undefined
  )?.[0];
  return { available: row?.available ?? '0', held: row?.held ?? '0' };
}

async function voucherRow(id: string): Promise<Record<string, unknown>> {
  const rows = await stack.subgraphs
    .get('voucher')!
    .deps.orm.em.fork()
    .getConnection()
    .execute<Record<string, unknown>[]>('select * from voucher.voucher where id = ?', [id]);
  return rows[0]!;
}

describe('voucher rates', () => {
  it('a USER cannot set rates; the rate setter can, and users read them', async () => {
    const u = await user();
    const res = await gql(
      stack.graphqlUrl,
      SET_RATE,
      {
        input: {
          type: 'HOT',
          side: 'BUY',
          currency: 'IRT',
          price: '0.5',
          validUntil: new Date(Date.now() + 60_000).toISOString(),
        },
      },
      u.token,
    );
    expect(errorCode(res)).toBe('FORBIDDEN');
    const rates = await gql(
      stack.graphqlUrl,
      `query { voucherRates(type: HOT) { side currency price stale } }`,
      {},
      u.token,
    );
    expect(rates.body.data?.voucherRates).toEqual(
      expect.arrayContaining([{ side: 'BUY', currency: 'IRT', price: '1.02', stale: false }]),
    );
  });

  it('a stale rate refuses trading (RATE_STALE) until a new one is set', async () => {
    const res = await gql(
      stack.graphqlUrl,
      SET_RATE,
      {
        input: {
          type: 'PS',
          side: 'BUY',
          currency: 'USD',
          price: '1.1',
          validUntil: new Date(Date.now() + 800).toISOString(),
        },
      },
      rateSetter,
    );
    expect(res.body.errors).toBeUndefined();
    await new Promise((r) => setTimeout(r, 900));
    const u = await user({ USDT_TRON: 100_000_000n });
    const buy = await gql(stack.graphqlUrl, BUY, { type: 'PS', amount: '5', pay: 'USDT_TRON', key: key() }, u.token);
    expect(errorCode(buy)).toBe('RATE_STALE');
    expect(await balance(u.token, 'USDT_TRON')).toEqual({ available: '100', held: '0' });
  });
});

describe('buying vouchers', () => {
  it('buys a HOT voucher with Toman at the rate: exact balances, the code for its owner only, sealed in the database, absent from logs', async () => {
    const u = await user({ IRT: 1_000_000n });
    const res = await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '250000', pay: 'IRT', key: key() }, u.token);
    expect(res.body.errors).toBeUndefined();
    const v = res.body.data!.buyVoucher;
    expect(v).toMatchObject({
      status: 'COMPLETED',
      faceCurrency: 'IRT',
      faceAmount: '250000',
      asset: 'IRT',
      assetAmount: '255000',
      codeAvailable: true,
    });
    expect(uwallet.created().at(-1)?.amount).toBe('2500000'); // Rial on the wire
    expect(
      await wait(
        () => balance(u.token, 'IRT'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '745000', held: '0' });

    const reveal = await gql(stack.graphqlUrl, REVEAL, { id: v.id }, u.token);
    const code = reveal.body.data!.revealVoucherCode.code as string;
    expect(code).toBe(uwallet.created().at(-1)!.code);
    const other = await user();
    expect(errorCode(await gql(stack.graphqlUrl, REVEAL, { id: v.id }, other.token))).toBe('NOT_FOUND');

    const tableText = await stack.subgraphs
      .get('voucher')!
      .deps.orm.em.fork()
      .getConnection()
      .execute<{ t: string }[]>(
        `select t::text as t from voucher.voucher t union all select e::text from voucher.outbox e`,
      );
    expect(tableText.length).toBeGreaterThan(0);
    expect(tableText.some((r) => r.t.includes(code))).toBe(false);
    const audits = await stack.subgraphs
      .get('voucher')!
      .deps.orm.em.fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*)::text as n from voucher.voucher_reveal where voucher_id = ?`, [v.id]);
    expect(audits[0]!.n).toBe('1');
    expect(logLines.length).toBeGreaterThan(0);
    expect(logLines.some((l) => l.includes(code))).toBe(false);
  });

  it('buys a UTOPIA UUSD voucher with USDT at the USD rate, exactly', async () => {
    const u = await user({ USDT_TRON: 20_000_000n });
    const res = await gql(
      stack.graphqlUrl,
      BUY,
      { type: 'UTOPIA_UUSD', amount: '12.34', pay: 'USDT_TRON', key: key() },
      u.token,
    );
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data!.buyVoucher).toMatchObject({ status: 'COMPLETED', assetAmount: '12.957' });
    expect(
      await wait(
        () => balance(u.token, 'USDT_TRON'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '7.043', held: '0' });
    const reveal = await gql(stack.graphqlUrl, REVEAL, { id: res.body.data!.buyVoucher.id }, u.token);
    expect(utopia.rows().some((r) => r.voucherid === reveal.body.data!.revealVoucherCode.code)).toBe(true);
  });

  it('not enough funds is INSUFFICIENT_FUNDS, directly; a replay of the same key answers the same', async () => {
    const u = await user({ IRT: 1_000n });
    const k = key();
    const res = await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '250000', pay: 'IRT', key: k }, u.token);
    expect(errorCode(res)).toBe('INSUFFICIENT_FUNDS');
    expect(
      errorCode(await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '250000', pay: 'IRT', key: k }, u.token)),
    ).toBe('INSUFFICIENT_FUNDS');
    expect(errorCode(await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '1', pay: 'IRT', key: k }, u.token))).toBe(
      'CONFLICT',
    );
    expect(await balance(u.token, 'IRT')).toEqual({ available: '1000', held: '0' });
  });

  it('a provider that answers nothing: the lookup finds nothing was created, then the hold is released', async () => {
    const u = await user({ USDT_TRON: 20_000_000n });
    utopia.script('create', 'hang-before');
    const res = await gql(
      stack.graphqlUrl,
      BUY,
      { type: 'UTOPIA_UUSD', amount: '7.77', pay: 'USDT_TRON', key: key() },
      u.token,
    );
    expect(res.body.data!.buyVoucher).toMatchObject({ status: 'FAILED', reason: 'NOT_CREATED' });
    expect(
      await wait(
        () => balance(u.token, 'USDT_TRON'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '20', held: '0' });
  });

  it('a voucher created but whose answer was lost is found by the lookup: captured, and the code is kept', async () => {
    const u = await user({ USDT_TRON: 20_000_000n });
    utopia.script('create', 'hang-after');
    const res = await gql(
      stack.graphqlUrl,
      BUY,
      { type: 'UTOPIA_UUSD', amount: '8.89', pay: 'USDT_TRON', key: key() },
      u.token,
    );
    expect(res.body.data!.buyVoucher).toMatchObject({ status: 'COMPLETED', assetAmount: '9.3345' });
    const reveal = await gql(stack.graphqlUrl, REVEAL, { id: res.body.data!.buyVoucher.id }, u.token);
    expect(utopia.rows().some((r) => r.voucherid === reveal.body.data!.revealVoucherCode.code)).toBe(true);
    expect(
      await wait(
        () => balance(u.token, 'USDT_TRON'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '10.6655', held: '0' });
  });

  it('an answer lost at uWallet (no lookup without its transaction id) keeps the hold for staff: UNDER_REVIEW', async () => {
    const u = await user({ IRT: 100_000n });
    uwallet.script('create', 'hang-after');
    const res = await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '10000', pay: 'IRT', key: key() }, u.token);
    expect(res.body.data!.buyVoucher).toMatchObject({ status: 'UNDER_REVIEW' });
    expect(await balance(u.token, 'IRT')).toEqual({ available: '89800', held: '10200' });
  });

  it('refuses a purchase the provider balance cannot cover, and staff see the low balance', async () => {
    const u = await user({ USDT_TRON: 100_000_000_000n });
    const res = await gql(
      stack.graphqlUrl,
      BUY,
      { type: 'UTOPIA_UUSD', amount: '200000', pay: 'USDT_TRON', key: key() },
      u.token,
    );
    expect(errorCode(res)).toBe('VOUCHER_PROVIDER_BALANCE_LOW');
    utopia.setBalance('UUSD', '5');
    const balances = await gql(
      stack.graphqlUrl,
      `query { voucherProviderBalances { provider asset currency available low } }`,
      {},
      rateSetter,
    );
    expect(balances.body.data?.voucherProviderBalances).toEqual(
      expect.arrayContaining([{ provider: 'utopia', asset: 'UUSD', currency: 'USD', available: '5', low: true }]),
    );
    expect(logLines.some((l) => l.includes('voucher provider balance low'))).toBe(true);
    utopia.setBalance('UUSD', '100000');
    expect(errorCode(await gql(stack.graphqlUrl, `query { voucherProviderBalances { low } }`, {}, u.token))).toBe(
      'FORBIDDEN',
    );
  });
});

describe('redeeming vouchers', () => {
  it('the same code redeemed twice at once credits once', async () => {
    const u = await user();
    const code = uwallet.issue('HotVoucher', '1000000');
    const [a, b] = await Promise.all([
      gql(stack.graphqlUrl, REDEEM, { type: 'HOT', code, key: key() }, u.token),
      gql(stack.graphqlUrl, REDEEM, { type: 'HOT', code, key: key() }, u.token),
    ]);
    const ok = [a, b].filter((r) => !r.body.errors);
    expect(ok).toHaveLength(1);
    expect(ok[0]!.body.data!.redeemVoucher).toMatchObject({
      status: 'COMPLETED',
      faceAmount: '100000',
      assetAmount: '98000',
      asset: 'IRT',
    });
    expect([a, b].map(errorCode).filter(Boolean)).toEqual(['VOUCHER_CODE_USED']);
    expect(
      await wait(
        () => balance(u.token, 'IRT'),
        (x) => x.available === '98000',
      ),
    ).toEqual({ available: '98000', held: '0' });
    await new Promise((r) => setTimeout(r, 300));
    expect(await balance(u.token, 'IRT')).toEqual({ available: '98000', held: '0' });
  });

  it('an invalid code and a code already used at the provider are refused clearly; nothing is credited', async () => {
    const u = await user();
    expect(
      errorCode(await gql(stack.graphqlUrl, REDEEM, { type: 'HOT', code: 'IRRnot-a-code', key: key() }, u.token)),
    ).toBe('VOUCHER_CODE_INVALID');
    const code = uwallet.issue('HotVoucher', '50000');
    await createUwalletProvider({
      baseUrl: uwallet.url,
      token: 'devnet-uwallet-token',
      coins: { HOT: { coin: 'HotVoucher', wireUnit: 'IRR' } },
    }).redeem('HOT', code);
    expect(errorCode(await gql(stack.graphqlUrl, REDEEM, { type: 'HOT', code, key: key() }, u.token))).toBe(
      'VOUCHER_CODE_USED',
    );
    expect(await balance(u.token, 'IRT')).toEqual({ available: '0', held: '0' });
  });

  it('a provider `pending` is polled until it confirms, then credited once (USDT at the USD sell rate)', async () => {
    const u = await user();
    const code = uwallet.issue('PSVoucher', '20');
    uwallet.script('use', 'pending');
    const res = await gql(stack.graphqlUrl, REDEEM, { type: 'PS', code, key: key(), as: 'USDT_TON' }, u.token);
    expect(res.body.data!.redeemVoucher).toMatchObject({ status: 'PENDING' });
    const pendingTx = uwallet.transactions().find((t) => t.kind === 'use' && t.status === 'pending')!;
    uwallet.settle(pendingTx.id, 'confirm');
    const row = await wait(
      () => voucherRow(res.body.data!.redeemVoucher.id),
      (r) => r.status === 'CONFIRMED',
    );
    expect(row).toMatchObject({ status: 'CONFIRMED', face_amount: '2000', asset_amount: '18000000' });
    expect(
      await wait(
        () => balance(u.token, 'USDT_TON'),
        (b) => b.available !== '0',
      ),
    ).toEqual({ available: '18', held: '0' });
  });

  it('a provider timeout leaves the redemption for review, uncredited; the code cannot be redeemed again meanwhile', async () => {
    const u = await user();
    const code = uwallet.issue('HotVoucher', '70000');
    uwallet.script('use', 'hang-after');
    const res = await gql(stack.graphqlUrl, REDEEM, { type: 'HOT', code, key: key() }, u.token);
    expect(['PENDING', 'UNDER_REVIEW']).toContain(res.body.data!.redeemVoucher.status);
    await wait(
      () => voucherRow(res.body.data!.redeemVoucher.id),
      (r) => r.reason === 'NEEDS_REVIEW',
    );
    expect(errorCode(await gql(stack.graphqlUrl, REDEEM, { type: 'HOT', code, key: key() }, u.token))).toBe(
      'VOUCHER_CODE_USED',
    );
    expect(await balance(u.token, 'IRT')).toEqual({ available: '0', held: '0' });
  });

  it('history per type for the user', async () => {
    const u = await user({ IRT: 100_000n });
    await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '1000', pay: 'IRT', key: key() }, u.token);
    await gql(stack.graphqlUrl, BUY, { type: 'UTOPIA_UUSD', amount: '1', pay: 'USDT_TRON', key: key() }, u.token);
    const mine = await gql(stack.graphqlUrl, HISTORY, { type: 'HOT' }, u.token);
    expect(mine.body.errors).toBeUndefined();
    expect(mine.body.data!.me.vouchers.edges).toEqual([
      { node: expect.objectContaining({ type: 'HOT', direction: 'BUY', status: 'COMPLETED' }) },
    ]);
    const search = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { searchVouchers(filter: { userId: $id, type: HOT }) { edges { node { type direction status } } } }`,
      { id: u.id },
      rateSetter,
    );
    expect(search.body.data?.searchVouchers.edges).toEqual([
      { node: { type: 'HOT', direction: 'BUY', status: 'COMPLETED' } },
    ]);
  });
});
