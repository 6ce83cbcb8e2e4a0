import { connect as connectNats } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFinnotechSimulator, type FinnotechSimulator } from '../../devnet/finnotech/finnotech.simulator.js';
import { SEED_CARDS } from '../../devnet/finnotech/fixtures.js';
import { startPaystarSimulator, type PaystarSimulator } from '../../devnet/paystar/paystar.simulator.js';
import { startUwalletSimulator, type UwalletSimulator } from '../../devnet/vouchers/uwallet.simulator.js';
import { makeEvent } from '../../platform/bus/envelope.js';
import { gql } from '../../testing/graphql-client.js';
import { publishMarketPrice } from '../../testing/market-prices.js';
import { startStack, type TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import type { LedgerServices } from '../ledger/context.js';
import { accounts } from '../ledger/core/accounts.js';
import { draft } from '../ledger/core/ledger.types.js';
import { until } from '../../testing/until.js';

/**
 * Ticket links of the kinds whose subgraphs merged after support: a user links their own crypto withdrawal
 * (learnt from wallet.withdrawal.requested), trade order (ledger.order.*), voucher (voucher.purchase.requested)
 * and card payment (payment.card-payment.started), each created the real way through the gateway; support staff
 * read all four through the ticket in one query (each owner's entity reference); another user gets NOT_FOUND.
 */
let stack: TestStack;
let uwallet: UwalletSimulator;
let paystar: PaystarSimulator;
let bank: FinnotechSimulator;
const ALI_CARD = SEED_CARDS[0]!; // علی رضایی

beforeAll(async () => {
  uwallet = await startUwalletSimulator({ balances: { HotVoucher: '100000000' } });
  paystar = await startPaystarSimulator();
  bank = await startFinnotechSimulator({ seedLines: 0, pageSize: 40 });
  stack = await startStack({
    UWALLET_BASE_URL: uwallet.url,
    PAYSTAR_BASE_URL: paystar.apiBaseUrl,
    FINNOTECH_BASE_URL: bank.url,
    FINNOTECH_SOURCE_DEPOSIT: bank.deposit,
    LEDGER_ORDER_SPREADS: '*:50',
    LEDGER_ORDER_QUOTE_TTL_SECONDS: '120',
    LEDGER_ORDER_PRICE_MAX_AGE_SECONDS: '600',
    WITHDRAWAL_HOLD_WAIT_MS: '8000',
    VOUCHER_HOLD_WAIT_MS: '15000',
  });
  await publishMarketPrice(stack, 'TON', 'IRT', '250000');
  await publishMarketPrice(stack, 'TON', 'USD', '3.2');
  await publishMarketPrice(stack, 'ETH', 'USD', '2000');
  await publishMarketPrice(stack, 'ETH', 'IRT', '160000000');
  await until(
    'the wallet to know the ETH price',
    () => sql('wallet')(`select 1 from wallet.price where coin = 'ETH' and quote = 'USD'`),
    (r) => r.length > 0,
  );
  const admin = (await signInStaff(stack, ['SUPERADMIN'])).token;
  const rate = await gql(
    stack.graphqlUrl,
    `mutation($input: SetVoucherRateInput!) { setVoucherRate(input: $input) { id } }`,
    {
      input: {
        type: 'HOT',
        side: 'BUY',
        currency: 'IRT',
        price: '1.02',
        validUntil: new Date(Date.now() + 3600_000).toISOString(),
      },
    },
    admin,
  );
  expect(rate.body.errors).toBeUndefined();
}, 120_000);

afterAll(async () => {
  await stack?.close();
  await Promise.all([uwallet?.close(), paystar?.close(), bank?.close()]);
});

const sql =
  (subgraph: string) =>
  <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);

interface Person {
  token: string;
  userId: string;
}

async function signIn(): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  await until(
    'the ledger to know the user',
    () => sql('ledger')(`select 1 from ledger.user_directory where user_id = ?`, [user.id]),
    (r) => r.length === 1,
  );
  return { token: accessToken, userId: user.id };
}

/** Test funds: an adjustment from world:<asset> (minor units), as the ledger's and voucher's e2e tests do. */
async function fund(p: Person, asset: string, amount: bigint): Promise<void> {
  const ledger = (stack.subgraphs.get('ledger')!.app.context!() as { ledger: LedgerServices }).ledger;
  const em = stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  const r = await ledger.ledger.commit(
    em,
    draft({
      kind: 'ADJUSTMENT',
      asset,
      amount,
      userId: p.userId,
      actor: 'system:test',
      reason: 'test funding',
      postings: [{ source: accounts.world(asset), destination: accounts.available(p.userId, asset), asset, amount }],
    }),
  );
  expect(r.type).toBe('Transaction');
}

let keys = 0;
const key = () => `support-links-${Date.now()}-${++keys}`;

async function ok(res: Awaited<ReturnType<typeof gql>>, field: string): Promise<string> {
  expect(res.body.errors).toBeUndefined();
  return ((res.body.data as Record<string, { id: string }>)[field] as { id: string }).id;
}

/** An instant order: IRT → TON at the published price (ledger.order.filled). */
async function order(p: Person): Promise<string> {
  const q = await gql(
    stack.graphqlUrl,
    `mutation($input: TradeQuoteInput!) { quote(input: $input) { id } }`,
    { input: { from: 'IRT', to: 'TON', amount: '100000', side: 'SPEND' } },
    p.token,
  );
  const quoteId = await ok(q, 'quote');
  return ok(
    await gql(
      stack.graphqlUrl,
      `mutation($input: PlaceOrderInput!) { placeOrder(input: $input) { id status } }`,
      { input: { quoteId, idempotencyKey: key() } },
      p.token,
    ),
    'placeOrder',
  );
}

/** A HOT voucher bought with Toman through the uWallet simulator (voucher.purchase.requested). */
async function voucher(p: Person): Promise<string> {
  return ok(
    await gql(
      stack.graphqlUrl,
      `mutation($k: String!) { buyVoucher(type: HOT, amount: "250000", payWith: "IRT", idempotencyKey: $k) { id } }`,
      { k: key() },
      p.token,
    ),
    'buyVoucher',
  );
}

/** A card payment started at the Paystar simulator (payment.card-payment.started), after KYC and a checked card. */
async function payment(p: Person): Promise<string> {
  const nc = await connectNats({ servers: stack.config.nats.url });
  try {
    const event = makeEvent('kyc.submission.approved', 'kyc', {
      submissionId: `kyc_${Date.now()}`,
      userId: p.userId,
      tier: 'BASIC',
      approvedTier: 'BASIC',
      holderName: { firstName: 'علی', lastName: 'رضایی' },
    });
    await nc
      .jetstream()
      .publish(
        `${stack.config.nats.subjectPrefix}kyc.submission.approved`,
        new TextEncoder().encode(JSON.stringify(event)),
        { msgID: event.id },
      );
  } finally {
    await nc.close();
  }
  await until(
    'payment to learn the KYC name',
    () => sql('payment')(`select 1 from payment.kyc_holder where user_id = ?`, [p.userId]),
    (r) => r.length === 1,
  );
  const cardId = await ok(
    await gql(
      stack.graphqlUrl,
      `mutation($n: String!) { addBankCard(cardNumber: $n) { id } }`,
      { n: ALI_CARD.card },
      p.token,
    ),
    'addBankCard',
  );
  return ok(
    await gql(
      stack.graphqlUrl,
      `mutation($c: ID!, $k: String!) { startCardPayment(amountToman: "250000", cardId: $c, idempotencyKey: $k) { id } }`,
      { c: cardId, k: key() },
      p.token,
    ),
    'startCardPayment',
  );
}

/** An ETH withdrawal to another user's deposit address (an internal transfer, sent without adding
 * the address and settled without a chain; wallet.withdrawal.requested). */
async function withdrawal(p: Person, to: Person): Promise<string> {
  const address = (await gql(stack.graphqlUrl, `{ me { depositAddress(network: ETH) { address } } }`, {}, to.token))
    .body.data!.me.depositAddress.address as string;
  return ok(
    await gql(
      stack.graphqlUrl,
      `mutation($i: RequestWithdrawalInput!) { requestWithdrawal(input: $i) { id } }`,
      { i: { asset: 'ETH', toAddress: address, amount: '0.01', idempotencyKey: key() } },
      p.token,
    ),
    'requestWithdrawal',
  );
}

const OPEN = `mutation($i: OpenTicketInput!) { openTicket(input: $i) { id links { kind id } } }`;

describe('links to withdrawals, orders, vouchers and payments', () => {
  it('the owner links all four; staff see each through the ticket in one query; another user gets NOT_FOUND', async () => {
    const owner = await signIn();
    const friend = await signIn();
    const mallory = await signIn();
    await fund(owner, 'IRT', 2_000_000n);
    await fund(owner, 'ETH', 10n ** 17n);

    const ids = {
      WITHDRAWAL: await withdrawal(owner, friend),
      ORDER: await order(owner),
      VOUCHER: await voucher(owner),
      PAYMENT: await payment(owner),
    };
    expect(ids.WITHDRAWAL).toMatch(/^wdr_/);
    expect(ids.ORDER).toMatch(/^ord_/);
    expect(ids.PAYMENT).toMatch(/^pay_/);
    for (const [kind, id] of Object.entries(ids))
      await until(
        `the link directory to learn the ${kind}`,
        () => sql('support')(`select user_id from support.link_owner where kind = ? and object_id = ?`, [kind, id]),
        (rows) => rows.length > 0,
      );

    // someone else's object of each kind: NOT_FOUND, naming the link, and no ticket
    for (const [kind, id] of Object.entries(ids)) {
      const stolen = await gql(
        stack.graphqlUrl,
        OPEN,
        { i: { subject: 'mine', body: 'mine', links: [{ kind, id }] } },
        mallory.token,
      );
      expect(stolen.body.errors?.[0]?.extensions).toMatchObject({ code: 'NOT_FOUND', kind, id });
    }
    expect(await sql('support')(`select 1 from support.ticket where user_id = ?`, [mallory.userId])).toEqual([]);

    const links = Object.entries(ids).map(([kind, id]) => ({ kind, id }));
    const opened = await gql(
      stack.graphqlUrl,
      OPEN,
      { i: { subject: 'my money', body: 'where is it?', category: 'GENERAL', links } },
      owner.token,
    );
    expect(opened.body.errors).toBeUndefined();
    const ticketId = opened.body.data!.openTicket.id as string;
    expect(opened.body.data!.openTicket.links).toEqual(expect.arrayContaining(links));

    const staff = await signInStaff(stack, ['SUPPORT']);
    const seen = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { id user { id }
        withdrawal { id amount status asset { symbol } }
        order { id status kind from { symbol } to { symbol } }
        voucher { id type direction status }
        payment { id userId amountToman status } } }`,
      { id: ticketId },
      staff.token,
    );
    expect(seen.body.errors).toBeUndefined();
    expect(seen.body.data!.ticket).toMatchObject({
      id: ticketId,
      user: { id: owner.userId },
      withdrawal: { id: ids.WITHDRAWAL, amount: '0.01', asset: { symbol: 'ETH' } },
      order: { id: ids.ORDER, kind: 'BUY', from: { symbol: 'IRT' }, to: { symbol: 'TON' } },
      voucher: { id: ids.VOUCHER, type: 'HOT', direction: 'BUY' },
      payment: { id: ids.PAYMENT, userId: owner.userId, amountToman: '250000' },
    });

    // the owner reads them through their own ticket too; a ticket without links answers null for each
    const own = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { withdrawal { id } order { id } voucher { id } payment { id } } }`,
      { id: ticketId },
      owner.token,
    );
    expect(own.body.data!.ticket).toEqual({
      withdrawal: { id: ids.WITHDRAWAL },
      order: { id: ids.ORDER },
      voucher: { id: ids.VOUCHER },
      payment: { id: ids.PAYMENT },
    });
    const bare = await gql(stack.graphqlUrl, OPEN, { i: { subject: 'hello', body: 'no links' } }, owner.token);
    const empty = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { ticket(id: $id) { withdrawal { id } order { id } voucher { id } payment { id } } }`,
      { id: bare.body.data!.openTicket.id },
      staff.token,
    );
    expect(empty.body.data!.ticket).toEqual({ withdrawal: null, order: null, voucher: null, payment: null });
  }, 120_000);
});
