import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UTOPIA_SIMULATOR_TOKEN, type UtopiaSimulator } from '../../devnet/vouchers/utopia.simulator.js';
import { createUtopiaProvider } from '../../providers/utopia/utopia.client.js';
import type { UwalletSimulator } from '../../devnet/vouchers/uwallet.simulator.js';
import { errorCode, gql, type GraphQLResponse } from '../../testing/graphql-client.js';
import type { TestStack } from '../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../testing/telegram.js';
import { signInStaff } from '../../testing/viewers.js';
import { startVoucherStack, type VoucherStack } from '../../testing/voucher-stack.js';
import type { LedgerServices } from '../ledger/context.js';
import { accounts } from '../ledger/core/accounts.js';
import { draft } from '../ledger/core/ledger.types.js';

// Staff resolution of purchases whose provider answer was lost (UNDER_REVIEW), through the gateway with the
// simulators: the uWallet simulator performs the purchase and never answers (or never performs it), the lookup
// cannot tell, and two different staff members settle it.

let stack: TestStack;
let ledger: LedgerServices;
let uwallet: UwalletSimulator;
let utopia: UtopiaSimulator;
let proposer: { token: string; userId: string };
let confirmer: { token: string; userId: string };
let finance: { token: string; userId: string };
let logLines: string[] = [];
let world: VoucherStack;

beforeAll(async () => {
  world = await startVoucherStack();
  ({ stack, ledger, uwallet, utopia, logLines } = world);
  // SUPERADMIN holds every claim (vouchers:review among them); FINANCE alone does not hold vouchers:review.
  proposer = await signInStaff(stack, ['SUPERADMIN']);
  confirmer = await signInStaff(stack, ['SUPERADMIN']);
  finance = await signInStaff(stack, ['FINANCE']);
  const until = new Date(Date.now() + 3600_000).toISOString();
  for (const [type, currency, price] of [
    ['HOT', 'IRT', '1.02'],
    ['UTOPIA_UUSD', 'USD', '1.05'],
  ] as const) {
    const res = await gql(
      stack.graphqlUrl,
      `mutation($input: SetVoucherRateInput!) { setVoucherRate(input: $input) { id } }`,
      { input: { type, side: 'BUY', currency, price, validUntil: until } },
      proposer.token,
    );
    expect(res.body.errors).toBeUndefined();
  }
}, 120_000);

afterAll(async () => {
  await world?.close();
});

const SIGN_IN = `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`;
const VOUCHER_FIELDS = `id status reason faceAmount assetAmount codeAvailable`;
const BUY = `mutation($type: VoucherType!, $amount: Amount!, $pay: String!, $key: String!) {
  buyVoucher(type: $type, amount: $amount, payWith: $pay, idempotencyKey: $key) { ${VOUCHER_FIELDS} } }`;
const REVEAL = `mutation($id: ID!) { revealVoucherCode(id: $id) { code voucher { id status } } }`;
const BALANCES = `query($a: [String!]) { balances(assets: $a) { asset { symbol } available held } }`;
const RESOLUTION_FIELDS = `id voucherId outcome status providerReference proposedBy confirmedBy voucher { ${VOUCHER_FIELDS} }`;
const PROPOSE = `mutation($id: ID!, $outcome: VoucherResolutionOutcome!, $code: String, $ref: String, $key: String!) {
  proposeVoucherResolution(voucherId: $id, outcome: $outcome, code: $code, providerReference: $ref, idempotencyKey: $key) { ${RESOLUTION_FIELDS} } }`;
const CONFIRM = `mutation($id: ID!) { confirmVoucherResolution(id: $id) { ${RESOLUTION_FIELDS} } }`;
const PENDING = `query { pendingVoucherResolutions(first: 100) { id voucherId outcome proposedBy } }`;
const QUEUE = `query { searchVouchers(filter: { status: UNDER_REVIEW }, first: 100) { edges { node { id status } } } }`;

async function wait<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await read();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
}

let keys = 0;
const key = () => `rk-${Date.now()}-${++keys}`;

async function fund(userId: string, asset: string, amount: bigint): Promise<void> {
  const em = stack.subgraphs.get('ledger')!.deps.orm.em.fork();
  const done = await wait(
    async () => {
      try {
        const result = await em.fork().transactional((tx) =>
          ledger.ledger.commitWithin(
            tx,
            draft({
              kind: 'ADJUSTMENT',
              asset,
              amount,
              userId,
              actor: 'system:test',
              reason: 'test funds',
              postings: [
                { source: accounts.world(asset), destination: accounts.available(userId, asset), asset, amount },
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
  expect(done).toBe(true);
}

async function user(funds: Record<string, bigint> = {}): Promise<{ token: string; id: string }> {
  const res = await gql(stack.graphqlUrl, SIGN_IN, { d: initDataFor(newTelegramUser()) });
  const { accessToken, user } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  for (const [asset, amount] of Object.entries(funds)) await fund(user.id, asset, amount);
  return { token: accessToken, id: user.id };
}

async function balance(token: string, asset: string): Promise<{ available: string; held: string }> {
  const res = await gql(stack.graphqlUrl, BALANCES, { a: [asset] }, token);
  const row = (
    res.body.data?.balances as { asset: { symbol: string }; available: string; held: string }[] | undefined
  )?.[0];
  return { available: row?.available ?? '0', held: row?.held ?? '0' };
}

async function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
  return stack.subgraphs.get('voucher')!.deps.orm.em.fork().getConnection().execute<T[]>(query, params);
}

function reasonOf(res: GraphQLResponse): unknown {
  return (res.body.errors?.[0]?.extensions as { reason?: unknown } | undefined)?.reason;
}

/** A HOT purchase of 10 000 Toman (10 200 at the rate) whose uWallet answer is lost: UNDER_REVIEW, hold kept. */
async function purchaseUnderReview(token: string, outcome: 'hang-after' | 'hang-before'): Promise<string> {
  uwallet.script('create', outcome);
  const res = await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '10000', pay: 'IRT', key: key() }, token);
  expect(res.body.errors).toBeUndefined();
  expect(res.body.data!.buyVoucher).toMatchObject({ status: 'UNDER_REVIEW', codeAvailable: false });
  return res.body.data!.buyVoucher.id as string;
}

describe('staff resolution of a purchase under review', () => {
  it('DELIVERED with the code found at the provider: proposed by one, refused to the same one, confirmed by another; captured exactly; code sealed, revealable by the owner only afterwards', async () => {
    const buyer = await user({ IRT: 100_000n });
    const createdBefore = uwallet.created().length;
    const voucherId = await purchaseUnderReview(buyer.token, 'hang-after');
    // The simulator performed the purchase and never answered: the code exists only in its history ("the panel").
    expect(uwallet.created().length).toBe(createdBefore + 1);
    const code = uwallet.created().at(-1)!.code;
    expect(await balance(buyer.token, 'IRT')).toEqual({ available: '89800', held: '10200' });
    expect(errorCode(await gql(stack.graphqlUrl, REVEAL, { id: voucherId }, buyer.token))).toBe('CONFLICT');

    // The queue: staff list purchases under review.
    const queue = await gql(stack.graphqlUrl, QUEUE, {}, proposer.token);
    expect(queue.body.errors).toBeUndefined();
    const queued = (queue.body.data!.searchVouchers.edges as { node: { id: string; status: string } }[]).map(
      (e) => e.node,
    );
    expect(queued).toContainEqual({ id: voucherId, status: 'UNDER_REVIEW' });
    expect(queued.every((v) => v.status === 'UNDER_REVIEW')).toBe(true);

    // Who may not: the buyer (no staff), staff without vouchers:review; a DELIVERED without its code.
    const args = { id: voucherId, outcome: 'DELIVERED', code, ref: null, key: key() };
    expect(errorCode(await gql(stack.graphqlUrl, PROPOSE, args, buyer.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, PROPOSE, args, finance.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, PROPOSE, { ...args, code: null }, proposer.token))).toBe(
      'BAD_USER_INPUT',
    );

    const proposed = await gql(stack.graphqlUrl, PROPOSE, args, proposer.token);
    expect(proposed.body.errors).toBeUndefined();
    const resolution = proposed.body.data!.proposeVoucherResolution;
    expect(resolution).toMatchObject({
      voucherId,
      outcome: 'DELIVERED',
      status: 'PROPOSED',
      proposedBy: proposer.userId,
      confirmedBy: null,
    });
    // Idempotent: the same key and request answer the same proposal; the key for another request is refused.
    const replay = await gql(stack.graphqlUrl, PROPOSE, args, proposer.token);
    expect(replay.body.data!.proposeVoucherResolution.id).toBe(resolution.id);
    const reused = await gql(stack.graphqlUrl, PROPOSE, { ...args, code: `${code}x` }, proposer.token);
    expect(errorCode(reused)).toBe('CONFLICT');
    expect(reasonOf(reused)).toBe('IDEMPOTENCY_KEY_REUSED');
    // One resolution per purchase: a second staff member's different proposal is refused.
    const second = await gql(
      stack.graphqlUrl,
      PROPOSE,
      { id: voucherId, outcome: 'NOT_CREATED', code: null, ref: null, key: key() },
      confirmer.token,
    );
    expect(errorCode(second)).toBe('CONFLICT');
    expect(reasonOf(second)).toBe('RESOLUTION_EXISTS');

    // Four eyes: the proposer cannot confirm; nothing moved.
    const self = await gql(stack.graphqlUrl, CONFIRM, { id: resolution.id }, proposer.token);
    expect(errorCode(self)).toBe('FORBIDDEN');
    expect(reasonOf(self)).toBe('SAME_STAFF');
    expect(errorCode(await gql(stack.graphqlUrl, CONFIRM, { id: resolution.id }, finance.token))).toBe('FORBIDDEN');
    expect(await balance(buyer.token, 'IRT')).toEqual({ available: '89800', held: '10200' });
    expect(errorCode(await gql(stack.graphqlUrl, REVEAL, { id: voucherId }, buyer.token))).toBe('CONFLICT');

    const pending = await gql(stack.graphqlUrl, PENDING, {}, confirmer.token);
    expect(pending.body.data!.pendingVoucherResolutions).toContainEqual({
      id: resolution.id,
      voucherId,
      outcome: 'DELIVERED',
      proposedBy: proposer.userId,
    });

    const confirmed = await gql(stack.graphqlUrl, CONFIRM, { id: resolution.id }, confirmer.token);
    expect(confirmed.body.errors).toBeUndefined();
    expect(confirmed.body.data!.confirmVoucherResolution).toMatchObject({
      status: 'CONFIRMED',
      confirmedBy: confirmer.userId,
      voucher: { id: voucherId, status: 'COMPLETED', codeAvailable: true, assetAmount: '10200' },
    });
    // A repeat answers the same and settles nothing twice.
    const again = await gql(stack.graphqlUrl, CONFIRM, { id: resolution.id }, confirmer.token);
    expect(again.body.data!.confirmVoucherResolution).toMatchObject({
      status: 'CONFIRMED',
      confirmedBy: confirmer.userId,
    });
    expect(
      await wait(
        () => balance(buyer.token, 'IRT'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '89800', held: '0' });
    const captures = await stack.subgraphs
      .get('ledger')!
      .deps.orm.em.fork()
      .getConnection()
      .execute<{ n: string }[]>(`select count(*)::text as n from ledger.transaction where reference = ?`, [
        `voucher:${voucherId}`,
      ]);
    expect(captures[0]!.n).toBe('2'); // the hold and its one capture

    // Settled: a further resolution is refused with a clear code.
    const late = await gql(
      stack.graphqlUrl,
      PROPOSE,
      { id: voucherId, outcome: 'NOT_CREATED', code: null, ref: null, key: key() },
      confirmer.token,
    );
    expect(errorCode(late)).toBe('VOUCHER_NOT_UNDER_REVIEW');

    // The owner reveals the code; nobody else does.
    const reveal = await gql(stack.graphqlUrl, REVEAL, { id: voucherId }, buyer.token);
    expect(reveal.body.data!.revealVoucherCode.code).toBe(code);
    expect(errorCode(await gql(stack.graphqlUrl, REVEAL, { id: voucherId }, confirmer.token))).toBe('NOT_FOUND');

    // Sealed at rest, never in events or logs; both steps audited.
    const text = await sql<{ t: string }>(
      `select t::text as t from voucher.voucher t union all select r::text from voucher.voucher_resolution r
        union all select a::text from voucher.voucher_resolution_audit a union all select e::text from voucher.outbox e`,
    );
    expect(text.length).toBeGreaterThan(0);
    expect(text.some((r) => r.t.includes(code))).toBe(false);
    const row = (
      await sql<{ code_sealed: string | null }>(`select code_sealed from voucher.voucher where id = ?`, [voucherId])
    )[0]!;
    expect(row.code_sealed).toBeTruthy();
    expect(logLines.some((l) => l.includes(code))).toBe(false);
    const audit = await sql<{ actor_id: string; action: string; outcome: string }>(
      `select actor_id, action, outcome from voucher.voucher_resolution_audit where voucher_id = ? order by at`,
      [voucherId],
    );
    expect(audit).toEqual([
      { actor_id: proposer.userId, action: 'PROPOSED', outcome: 'DELIVERED' },
      { actor_id: confirmer.userId, action: 'CONFIRMED', outcome: 'DELIVERED' },
    ]);
  });

  it('NOT_CREATED releases the hold exactly; a staff member who is the buyer can neither propose nor confirm', async () => {
    const buyerStaff = await signInStaff(stack, ['SUPERADMIN']);
    await fund(buyerStaff.userId, 'IRT', 100_000n);
    const createdBefore = uwallet.created().length;
    const voucherId = await purchaseUnderReview(buyerStaff.token, 'hang-before');
    expect(uwallet.created().length).toBe(createdBefore); // nothing was created at the provider
    expect(await balance(buyerStaff.token, 'IRT')).toEqual({ available: '89800', held: '10200' });

    const args = { id: voucherId, outcome: 'NOT_CREATED', code: null, ref: null, key: key() };
    const own = await gql(stack.graphqlUrl, PROPOSE, args, buyerStaff.token);
    expect(errorCode(own)).toBe('FORBIDDEN');
    expect(reasonOf(own)).toBe('OWN_PURCHASE');
    expect(errorCode(await gql(stack.graphqlUrl, PROPOSE, { ...args, code: 'X-1' }, proposer.token))).toBe(
      'BAD_USER_INPUT',
    );
    const proposed = await gql(stack.graphqlUrl, PROPOSE, args, proposer.token);
    expect(proposed.body.errors).toBeUndefined();
    const id = proposed.body.data!.proposeVoucherResolution.id as string;

    const ownConfirm = await gql(stack.graphqlUrl, CONFIRM, { id }, buyerStaff.token);
    expect(errorCode(ownConfirm)).toBe('FORBIDDEN');
    expect(reasonOf(ownConfirm)).toBe('OWN_PURCHASE');
    expect(await balance(buyerStaff.token, 'IRT')).toEqual({ available: '89800', held: '10200' });

    const confirmed = await gql(stack.graphqlUrl, CONFIRM, { id }, confirmer.token);
    expect(confirmed.body.errors).toBeUndefined();
    expect(confirmed.body.data!.confirmVoucherResolution).toMatchObject({
      status: 'CONFIRMED',
      voucher: { id: voucherId, status: 'FAILED', reason: 'NOT_CREATED', codeAvailable: false },
    });
    expect(
      await wait(
        () => balance(buyerStaff.token, 'IRT'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '100000', held: '0' });
    expect(errorCode(await gql(stack.graphqlUrl, REVEAL, { id: voucherId }, buyerStaff.token))).toBe('CONFLICT');
    const pending = await gql(stack.graphqlUrl, PENDING, {}, confirmer.token);
    expect((pending.body.data!.pendingVoucherResolutions as { id: string }[]).some((r) => r.id === id)).toBe(false);
  });

  it('a resolution of a voucher that is not under review is VOUCHER_NOT_UNDER_REVIEW; an unknown one NOT_FOUND', async () => {
    const buyer = await user({ IRT: 100_000n });
    const res = await gql(stack.graphqlUrl, BUY, { type: 'HOT', amount: '10000', pay: 'IRT', key: key() }, buyer.token);
    expect(res.body.data!.buyVoucher).toMatchObject({ status: 'COMPLETED' });
    const args = { id: res.body.data!.buyVoucher.id, outcome: 'NOT_CREATED', code: null, ref: null, key: key() };
    expect(errorCode(await gql(stack.graphqlUrl, PROPOSE, args, proposer.token))).toBe('VOUCHER_NOT_UNDER_REVIEW');
    expect(
      errorCode(
        await gql(stack.graphqlUrl, PROPOSE, { ...args, id: 'vch_00000000000000000000000000' }, proposer.token),
      ),
    ).toBe('NOT_FOUND');
    expect(
      errorCode(await gql(stack.graphqlUrl, CONFIRM, { id: 'vrs_00000000000000000000000000' }, confirmer.token)),
    ).toBe('NOT_FOUND');
  });

  it('Utopia: a purchase its lookup by amount and time cannot match goes to review and is resolved the same way, by the reference number', async () => {
    // An earlier purchase holds its provider reference.
    const first = await user({ USDT_TRON: 20_000_000n });
    const done = await gql(
      stack.graphqlUrl,
      BUY,
      { type: 'UTOPIA_UUSD', amount: '3', pay: 'USDT_TRON', key: key() },
      first.token,
    );
    expect(done.body.data!.buyVoucher).toMatchObject({ status: 'COMPLETED' });
    const heldReference = (
      await sql<{ provider_reference: string }>(`select provider_reference from voucher.voucher where id = ?`, [
        done.body.data!.buyVoucher.id,
      ])
    )[0]!.provider_reference;

    // Another voucher of the same amount is created in the account just before (as by a concurrent purchase),
    // then this purchase's answer is lost: the lookup sees two candidates and sends it to review.
    const buyer = await user({ USDT_TRON: 20_000_000n });
    const other = await createUtopiaProvider({ baseUrl: utopia.url, token: UTOPIA_SIMULATOR_TOKEN }).create(
      'UTOPIA_UUSD',
      { currency: 'USD', minor: 500n },
    );
    utopia.script('create', 'hang-after');
    const res = await gql(
      stack.graphqlUrl,
      BUY,
      { type: 'UTOPIA_UUSD', amount: '5', pay: 'USDT_TRON', key: key() },
      buyer.token,
    );
    expect(res.body.data!.buyVoucher).toMatchObject({ status: 'UNDER_REVIEW', assetAmount: '5.25' });
    const voucherId = res.body.data!.buyVoucher.id as string;
    expect(await balance(buyer.token, 'USDT_TRON')).toEqual({ available: '14.75', held: '5.25' });
    const mine = utopia
      .rows()
      .filter((r) => r.direction === 'created' && r.referenceNumber !== other.providerReference)
      .at(-1)!;

    const args = { id: voucherId, outcome: 'DELIVERED', code: mine.voucherid, ref: null, key: key() };
    expect(errorCode(await gql(stack.graphqlUrl, PROPOSE, args, proposer.token))).toBe('BAD_USER_INPUT');
    const taken = await gql(stack.graphqlUrl, PROPOSE, { ...args, ref: heldReference, key: key() }, proposer.token);
    expect(errorCode(taken)).toBe('CONFLICT');
    expect(reasonOf(taken)).toBe('PROVIDER_REFERENCE_TAKEN');
    const proposed = await gql(
      stack.graphqlUrl,
      PROPOSE,
      { ...args, ref: mine.referenceNumber, key: key() },
      proposer.token,
    );
    expect(proposed.body.errors).toBeUndefined();
    expect(proposed.body.data!.proposeVoucherResolution).toMatchObject({ providerReference: mine.referenceNumber });
    const confirmed = await gql(
      stack.graphqlUrl,
      CONFIRM,
      { id: proposed.body.data!.proposeVoucherResolution.id },
      confirmer.token,
    );
    expect(confirmed.body.data!.confirmVoucherResolution.voucher).toMatchObject({
      status: 'COMPLETED',
      codeAvailable: true,
    });
    expect(
      await wait(
        () => balance(buyer.token, 'USDT_TRON'),
        (b) => b.held === '0',
      ),
    ).toEqual({ available: '14.75', held: '0' });
    const reveal = await gql(stack.graphqlUrl, REVEAL, { id: voucherId }, buyer.token);
    expect(reveal.body.data!.revealVoucherCode.code).toBe(mine.voucherid);
    const row = (
      await sql<{ provider_reference: string }>(`select provider_reference from voucher.voucher where id = ?`, [
        voucherId,
      ])
    )[0]!;
    expect(row.provider_reference).toBe(mine.referenceNumber);
  });
});
