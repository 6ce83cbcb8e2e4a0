import { connect, type NatsConnection } from 'nats';
import { FREEZE_CONSUMER } from './debt/debt.consumer.js';
import type { AdjustOutcome } from './admin/admin.service.js';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent, type EventEnvelope } from '../../platform/bus/envelope.js';
import { accounts } from './core/accounts.js';
import { pruneIdempotency } from './core/idempotency-retention.js';
import type { LedgerResult } from './core/ledger.js';
import { POSTINGS_CONSUMER } from './postings/postings.consumer.js';
import { startLedgerFixture, type LedgerFixture } from './testing/ledger-fixture.js';

const USDT = 'USDT_TRON'; // 6 decimals; fee 0.5 + 1 %, at most 1,000 per transfer and 1,500 a day (below)
let f: LedgerFixture;
beforeAll(async () => {
  f = await startLedgerFixture({ LEDGER_FEES: 'USDT_TRON:0.5:100,*:0:0', LEDGER_LIMITS: 'USDT_TRON:1000:1500,*:-:-' });
});
afterAll(async () => {
  await f?.close();
});

const usdt = (n: number | string) => BigInt(Math.round(Number(n) * 1_000_000));
let keys = 0;
const key = () => `key-${++keys}`;

async function balance(userId: string, asset = USDT): Promise<{ available: bigint; held: bigint }> {
  const b = (await f.services.balances.ofUsers(f.em(), [userId], [asset])).get(userId)![0]!;
  return { available: b.available, held: b.held };
}

function transfer(
  from: string,
  input: { to?: string; toUsername?: string; amount: string; asset?: string; key?: string; note?: string },
) {
  return f.services.transfers.transfer(f.em(), f.viewer(from), {
    toUserId: input.to ?? null,
    toUsername: input.toUsername ?? null,
    asset: input.asset ?? USDT,
    amount: input.amount,
    note: input.note ?? null,
    idempotencyKey: input.key ?? key(),
  });
}

function txn(result: LedgerResult | AdjustOutcome) {
  if (result.type !== 'Transaction')
    throw new Error(
      `expected a transaction, got ${JSON.stringify(result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v))}`,
    );
  return result.transaction;
}

/** The outbox envelope an item given straight to ledger.commit_batch carries (the service builds it otherwise). */
function rawEvent(id: string, transactionId: string) {
  return {
    id,
    type: 'ledger.transaction.committed',
    version: 1,
    source: 'ledger',
    occurredAt: new Date().toISOString(),
    payload: { transactionId },
  };
}

async function counts() {
  const [row] = await f.sql<{ t: string; p: string; i: string; o: string }>(
    'select (select count(*) from ledger.transaction) t, (select count(*) from ledger.posting) p, (select count(*) from ledger.idempotency) i, (select count(*) from ledger.outbox) o',
  );
  return row;
}

async function expectClean() {
  const report = await f.verify();
  expect(report.mismatches).toEqual([]);
  expect(report.ok).toBe(true);
}

describe('transfer', () => {
  it('moves the amount to the recipient and amount × 1 % + 0.5 to fees, in one transaction with one event', async () => {
    const alice = await f.addUser('alice');
    const bob = await f.addUser('bob');
    await f.deposit(alice, USDT, usdt(100));
    const t = txn(await transfer(alice, { toUsername: '@Bob', amount: '10', note: 'lunch' }));
    expect(t).toMatchObject({
      kind: 'TRANSFER',
      asset: USDT,
      amount: usdt(10),
      fee: usdt(0.6),
      userId: alice,
      counterpartyId: bob,
      note: 'lunch',
    });
    expect(await balance(alice)).toEqual({ available: usdt(100 - 10.6), held: 0n });
    expect(await balance(bob)).toEqual({ available: usdt(10), held: 0n });
    const postings = await f.services.transactions.postingsOf(f.em(), [t.id]);
    expect(postings.map((p) => [p.source, p.destination, p.amount])).toEqual([
      [accounts.available(alice, USDT), accounts.available(bob, USDT), usdt(10)],
      [accounts.available(alice, USDT), accounts.fees(USDT), usdt(0.6)],
    ]);
    const [event] = await f.sql<{ subject: string; envelope: EventEnvelope }>(
      `select subject, envelope from ledger.outbox where envelope->'payload'->>'transactionId' = ?`,
      [t.id],
    );
    expect(event!.subject).toBe('ledger.transaction.committed');
    expect(event!.envelope.payload).toMatchObject({
      transactionId: t.id,
      kind: 'TRANSFER',
      asset: USDT,
      amount: '10000000',
      userIds: [alice, bob],
    });
    expect(event!.envelope.payload.balances).toEqual(
      expect.arrayContaining([
        { userId: alice, asset: USDT },
        { userId: bob, asset: USDT },
      ]),
    );
    await expectClean();
  });

  it('answers InsufficientFunds, RecipientNotFound and LimitExceeded as results, moving nothing', async () => {
    const carol = await f.addUser();
    const dave = await f.addUser();
    await f.deposit(carol, USDT, usdt(2000));
    const before = await balance(carol);

    const short = await transfer(carol, { to: dave, amount: '1195' });
    expect(short).toEqual({
      type: 'LimitExceeded',
      asset: USDT,
      period: 'TRANSFER',
      limit: usdt(1000),
      used: 0n,
      remaining: usdt(1000),
      currency: null,
      level: null,
    });
    const poor = await f.addUser();
    await f.deposit(poor, USDT, usdt(5));
    expect(await transfer(poor, { to: dave, amount: '5' })).toEqual({
      type: 'InsufficientFunds',
      asset: USDT,
      available: usdt(5),
      required: usdt(5.55),
    });
    expect(await transfer(carol, { to: 'usr_nobody', amount: '1' })).toMatchObject({ type: 'RecipientNotFound' });
    expect(await transfer(carol, { toUsername: 'no_such_user', amount: '1' })).toMatchObject({
      type: 'RecipientNotFound',
    });

    txn(await transfer(carol, { to: dave, amount: '900' }));
    const daily = await transfer(carol, { to: dave, amount: '700' });
    expect(daily).toEqual({
      type: 'LimitExceeded',
      asset: USDT,
      period: 'DAY',
      limit: usdt(1500),
      used: usdt(900),
      remaining: usdt(600),
      currency: null,
      level: null,
    });
    expect(await balance(carol)).toEqual({ available: before.available - usdt(909.5), held: 0n });
    await expectClean();
  });

  it('replays a refusal as it was, even after the funds arrive', async () => {
    const erin = await f.addUser();
    const frank = await f.addUser();
    const k = key();
    const first = await transfer(erin, { to: frank, amount: '3', key: k });
    expect(first).toMatchObject({ type: 'InsufficientFunds', available: 0n });
    await f.deposit(erin, USDT, usdt(50));
    expect(await transfer(erin, { to: frank, amount: '3', key: k })).toEqual(first);
    expect(txn(await transfer(erin, { to: frank, amount: '3' })).amount).toBe(usdt(3));
  });

  it('refuses bad input with BAD_USER_INPUT and writes nothing', async () => {
    const gina = await f.addUser('gina');
    const hank = await f.addUser();
    await f.deposit(gina, USDT, usdt(10));
    const before = await counts();
    const bad: [string, Parameters<typeof f.services.transfers.transfer>[2]][] = [
      ['zero', { toUserId: hank, asset: USDT, amount: '0', idempotencyKey: key() }],
      ['zero with decimals', { toUserId: hank, asset: USDT, amount: '0.000000', idempotencyKey: key() }],
      ['negative', { toUserId: hank, asset: USDT, amount: '-1', idempotencyKey: key() }],
      ['too many decimals', { toUserId: hank, asset: USDT, amount: '1.0000001', idempotencyKey: key() }],
      ['non-numeric', { toUserId: hank, asset: USDT, amount: 'ten', idempotencyKey: key() }],
      ['exponent', { toUserId: hank, asset: USDT, amount: '1e3', idempotencyKey: key() }],
      ['unknown asset', { toUserId: hank, asset: 'DOGE', amount: '1', idempotencyKey: key() }],
      ['self by id', { toUserId: gina, asset: USDT, amount: '1', idempotencyKey: key() }],
      ['self by username', { toUsername: '@GINA', asset: USDT, amount: '1', idempotencyKey: key() }],
      ['missing key', { toUserId: hank, asset: USDT, amount: '1', idempotencyKey: '' }],
      ['key with spaces', { toUserId: hank, asset: USDT, amount: '1', idempotencyKey: 'a b' }],
      ['key too long', { toUserId: hank, asset: USDT, amount: '1', idempotencyKey: 'k'.repeat(129) }],
      ['no recipient', { asset: USDT, amount: '1', idempotencyKey: key() }],
      ['two recipients', { toUserId: hank, toUsername: 'gina', asset: USDT, amount: '1', idempotencyKey: key() }],
      ['note too long', { toUserId: hank, asset: USDT, amount: '1', note: 'x'.repeat(281), idempotencyKey: key() }],
    ];
    for (const [name, input] of bad) {
      const error = await f.services.transfers.transfer(f.em(), f.viewer(gina), input).then(
        () => null,
        (err: { code?: string; details?: { field?: string } }) => err,
      );
      expect({ name, code: error?.code }).toEqual({ name, code: 'BAD_USER_INPUT' });
    }
    expect(await counts()).toEqual(before);
    expect(await balance(gina)).toEqual({ available: usdt(10), held: 0n });
  });
});

describe('idempotency', () => {
  it('1,000 parallel replays of one transfer make exactly one transaction; the same key with another amount is a CONFLICT', async () => {
    const ivan = await f.addUser();
    const judy = await f.addUser();
    await f.deposit(ivan, USDT, usdt(100));
    const k = key();
    const results = await Promise.all(
      Array.from({ length: 1000 }, () => transfer(ivan, { to: judy, amount: '2', key: k })),
    );
    const ids = new Set(results.map((r) => txn(r).id));
    expect(ids.size).toBe(1);
    const [row] = await f.sql<{ n: string }>(
      'select count(*) n from ledger.transaction where user_id = ? and kind = ?',
      [ivan, 'TRANSFER'],
    );
    expect(row!.n).toBe('1');
    expect(await balance(judy)).toEqual({ available: usdt(2), held: 0n });
    await expect(transfer(ivan, { to: judy, amount: '3', key: k })).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(transfer(ivan, { to: await f.addUser(), amount: '2', key: k })).rejects.toMatchObject({
      code: 'CONFLICT',
    });
    // the key is the sender's: another sender may use the same string
    await f.deposit(judy, USDT, usdt(10));
    expect(txn(await transfer(judy, { to: ivan, amount: '1', key: k })).userId).toBe(judy);
    await expectClean();
  });

  it('forgets a key after the retention (it may then be used again), keeps recent ones, and prunes in bounded batches', async () => {
    const kim = await f.addUser();
    const lee = await f.addUser();
    await f.deposit(kim, USDT, usdt(100));
    const [oldKey, recentKey] = [key(), key()];
    const first = txn(await transfer(kim, { to: lee, amount: '1', key: oldKey }));
    const recent = txn(await transfer(kim, { to: lee, amount: '1', key: recentKey }));
    const age = (k: string, days: number) =>
      f.sql(`update ledger.idempotency set created_at = now() - make_interval(days => ?) where scope = ? and key = ?`, [
        days,
        `transfer:${kim}`,
        k,
      ]);
    await age(oldKey, 31);
    await age(recentKey, 29);

    expect(await pruneIdempotency(f.em(), 30)).toBe(1);
    expect(await pruneIdempotency(f.em(), 30)).toBe(0);
    const replay = await transfer(kim, { to: lee, amount: '1', key: recentKey });
    expect(replay).toMatchObject({ type: 'Transaction', replayed: true });
    expect(txn(replay).id).toBe(recent.id);
    // The forgotten key is a new request now: a second transfer, not a replay of the first.
    const again = txn(await transfer(kim, { to: lee, amount: '1', key: oldKey }));
    expect(again.id).not.toBe(first.id);
    expect(await balance(lee)).toEqual({ available: usdt(3), held: 0n });

    const batch = [key(), key(), key()];
    for (const k of batch) await transfer(kim, { to: lee, amount: '1', key: k });
    for (const k of batch) await age(k, 40);
    expect(await pruneIdempotency(f.em(), 30, 2)).toBe(2);
    expect(await pruneIdempotency(f.em(), 30, 2)).toBe(1);
    await expectClean();
  });
});

describe('history', () => {
  it('pages newest first with no duplicates or gaps while new transactions arrive between pages', async () => {
    const kate = await f.addUser();
    const leo = await f.addUser();
    await f.deposit(kate, USDT, usdt(1000));
    await f.deposit(leo, USDT, usdt(1000));
    for (let i = 0; i < 23; i++)
      txn(
        await transfer(i % 2 ? kate : leo, { to: i % 2 ? leo : kate, amount: `0.${String(i + 1).padStart(2, '0')}` }),
      );
    // what had settled before the first page (rows behind a transaction still in flight are not listed yet)
    const existing = (
      await f.sql<{ id: string }>(
        'select id from ledger.transaction t where (user_id = ? or counterparty_id = ?) and t.xid < ledger.settled_horizon()',
        [kate, kate],
      )
    ).map((r) => r.id);

    const seen: string[] = [];
    const order: [bigint, bigint][] = [];
    let after: string | null = null;
    for (let pageNo = 0; pageNo < 20; pageNo++) {
      const page = await f.services.transactions.history(f.em(), kate, {}, 4, after);
      seen.push(...page.nodes.map((n) => n.id));
      order.push(...page.nodes.map((n) => [BigInt(n.xid), BigInt(n.seq)] as [bigint, bigint]));
      // new transactions arrive between pages, from both sides
      await Promise.all([transfer(kate, { to: leo, amount: '0.5' }), transfer(leo, { to: kate, amount: '0.25' })]);
      if (!page.hasNextPage) break;
      after = page.cursors.at(-1)!;
    }
    expect(new Set(seen).size).toBe(seen.length); // no duplicates
    expect(seen).toEqual(expect.arrayContaining(existing)); // no gaps: everything settled before page 1 is there
    // strictly newest first across pages, so nothing that arrived meanwhile was slipped in behind a cursor
    order.forEach(
      ([x, s], i) =>
        i > 0 && expect(x < order[i - 1]![0] || (x === order[i - 1]![0] && s < order[i - 1]![1])).toBe(true),
    );
    const arrivals = seen.filter((id) => !existing.includes(id));
    expect(arrivals.length).toBeLessThanOrEqual(4); // at most what had settled by the first page's query
  });

  it('does not show a transaction behind one still in flight, so a later page cannot miss it', async () => {
    const mia = await f.addUser();
    const ned = await f.addUser();
    await f.deposit(mia, USDT, usdt(100));
    await f.deposit(mia, 'TON', 1_000_000_000n);
    const raw = new pg.Client({ connectionString: f.env.config.database.url });
    await raw.connect();
    try {
      await raw.query('begin');
      const item = {
        id: 'txn_inflight_0000000000000000',
        event: rawEvent('evt_inflight', 'txn_inflight_0000000000000000'),
        kind: 'TRANSFER',
        asset: USDT,
        amount: '1000000',
        fee: '0',
        userId: mia,
        counterpartyId: ned,
        postings: [[accounts.available(mia, USDT), accounts.available(ned, USDT), USDT, '1000000']],
      };
      await raw.query('select ledger.commit_batch($1::jsonb, 0::smallint)', [JSON.stringify([item])]);
      // another asset: the open transaction holds mia's USDT row until it commits
      const later = txn(await transfer(mia, { to: ned, amount: '0.5', asset: 'TON' }));
      const hidden = await f.services.transactions.history(f.em(), mia, {}, 10, null);
      expect(hidden.nodes.map((n) => n.id)).not.toContain(later.id); // committed, but behind the open one
      await raw.query('commit');
      const shown = await f.services.transactions.history(f.em(), mia, {}, 10, null);
      expect(shown.nodes.slice(0, 2).map((n) => n.id)).toEqual([later.id, item.id]);
    } finally {
      await raw.end();
    }
  });

  it('filters by kind, asset and date, and refuses a foreign cursor', async () => {
    const olga = await f.addUser();
    const pete = await f.addUser();
    await f.deposit(olga, USDT, usdt(20));
    await f.deposit(olga, 'TON', 5_000_000_000n);
    txn(await transfer(olga, { to: pete, amount: '1' }));
    txn(await transfer(olga, { to: pete, amount: '1', asset: 'TON' }));
    const deposits = await f.services.transactions.history(f.em(), olga, { kinds: ['DEPOSIT'] }, 10, null);
    expect(deposits.nodes.map((n) => n.kind)).toEqual(['DEPOSIT', 'DEPOSIT']);
    const ton = await f.services.transactions.history(f.em(), olga, { asset: 'TON' }, 10, null);
    expect(ton.nodes.map((n) => n.kind)).toEqual(['TRANSFER', 'DEPOSIT']);
    const future = await f.services.transactions.history(
      f.em(),
      olga,
      { from: new Date(Date.now() + 60_000) },
      10,
      null,
    );
    expect(future.nodes).toEqual([]);
    await expect(f.services.transactions.history(f.em(), olga, {}, 10, 'bm90LWEtY3Vyc29y')).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(f.services.transactions.history(f.em(), olga, { asset: 'DOGE' }, 10, null)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    const staff = await f.services.transactions.search(f.em(), { userId: pete, kinds: ['TRANSFER'] }, 10, null);
    expect(staff.nodes).toHaveLength(2);
  });

  it('lets staff search every transaction by asset, kinds and date range, newest first, page by page', async () => {
    const since = new Date(Date.now() - 1000);
    const quinn = await f.addUser();
    const ruth = await f.addUser();
    await f.deposit(quinn, 'TRX', 50_000_000n);
    const sent = [
      txn(await transfer(quinn, { to: ruth, amount: '1', asset: 'TRX' })),
      txn(await transfer(quinn, { to: ruth, amount: '2', asset: 'TRX' })),
    ];
    const first = await f.services.transactions.search(
      f.em(),
      { asset: 'TRX', kinds: ['TRANSFER'], from: since },
      1,
      null,
    );
    expect(first.nodes.map((n) => n.id)).toEqual([sent[1]!.id]);
    expect(first.hasNextPage).toBe(true);
    const second = await f.services.transactions.search(
      f.em(),
      { asset: 'TRX', kinds: ['TRANSFER'], from: since },
      1,
      first.cursors[0]!,
    );
    expect(second.nodes.map((n) => n.id)).toEqual([sent[0]!.id]);
    expect(second.hasNextPage).toBe(false);
    const deposits = await f.services.transactions.search(
      f.em(),
      { asset: 'TRX', kinds: ['DEPOSIT'], from: since, to: new Date(Date.now() + 1000) },
      10,
      null,
    );
    expect(deposits.nodes.map((n) => n.userId)).toEqual([quinn]);
    await expect(f.services.transactions.search(f.em(), {}, 0, null)).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(f.services.transactions.search(f.em(), {}, 101, null)).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
  });
});

describe('holds', () => {
  it('places, captures in part, captures the rest, and refuses to touch a settled hold', async () => {
    const quinn = await f.addUser();
    await f.deposit(quinn, USDT, usdt(50));
    const placed = await f.services.holds.place(f.em(), {
      userId: quinn,
      asset: USDT,
      amount: usdt(30),
      kind: 'WITHDRAWAL',
      reference: 'withdrawal:w-1',
      expiresAt: null,
      actor: 'test',
    });
    expect(placed.hold).toMatchObject({ status: 'ACTIVE', amount: usdt(30) });
    expect(await balance(quinn)).toEqual({ available: usdt(20), held: usdt(30) });
    const holdId = placed.hold!.id;
    const part = await f.services.holds.capture(f.em(), holdId, {
      destination: accounts.custody('TRON', USDT),
      amount: usdt(10),
      fee: usdt(1),
      actor: 'test',
    });
    expect(part.hold).toMatchObject({ status: 'ACTIVE', captured: usdt(11) });
    expect(await balance(quinn)).toEqual({ available: usdt(20), held: usdt(19) });
    await expect(
      f.services.holds.capture(f.em(), holdId, {
        destination: accounts.custody('TRON', USDT),
        amount: usdt(19.5),
        actor: 'test',
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    const rest = await f.services.holds.capture(f.em(), holdId, {
      destination: accounts.custody('TRON', USDT),
      actor: 'test',
    });
    expect(rest.hold).toMatchObject({ status: 'CAPTURED', captured: usdt(30) });
    expect(await balance(quinn)).toEqual({ available: usdt(20), held: 0n });
    await expect(f.services.holds.release(f.em(), holdId, 'test')).rejects.toMatchObject({ code: 'CONFLICT' });
    await expectClean();
  });

  it('releases, expires, and refuses a hold above the available balance', async () => {
    const rita = await f.addUser();
    await f.deposit(rita, USDT, usdt(10));
    const refused = await f.services.holds.place(f.em(), {
      userId: rita,
      asset: USDT,
      amount: usdt(11),
      kind: 'WITHDRAWAL',
      reference: null,
      expiresAt: null,
      actor: 'test',
    });
    expect(refused).toEqual({
      result: { type: 'InsufficientFunds', asset: USDT, available: usdt(10), required: usdt(11) },
      hold: null,
    });
    const a = await f.services.holds.place(f.em(), {
      userId: rita,
      asset: USDT,
      amount: usdt(4),
      kind: 'BUY',
      reference: null,
      expiresAt: null,
      actor: 'test',
    });
    const b = await f.services.holds.place(f.em(), {
      userId: rita,
      asset: USDT,
      amount: usdt(5),
      kind: 'BUY',
      reference: null,
      expiresAt: new Date(Date.now() - 1000),
      actor: 'test',
    });
    expect(await balance(rita)).toEqual({ available: usdt(1), held: usdt(9) });
    expect((await f.services.holds.release(f.em(), a.hold!.id, 'test')).hold.status).toBe('RELEASED');
    expect(await f.services.holds.expireDue(f.em())).toBeGreaterThanOrEqual(1);
    expect(await f.services.holds.byId(f.em(), b.hold!.id)).toMatchObject({ status: 'EXPIRED', released: usdt(5) });
    expect(await balance(rita)).toEqual({ available: usdt(10), held: 0n });
    await expectClean();
  });
});

describe('reversals and adjustments', () => {
  it('reverses a transfer once, as a new transaction; a replay returns it; a second reversal is a CONFLICT', async () => {
    const sam = await f.addUser();
    const tess = await f.addUser();
    await f.deposit(sam, USDT, usdt(100));
    const original = txn(await transfer(sam, { to: tess, amount: '10' }));
    const admin = f.finance();
    const k = key();
    const reversal = txn(
      await f.services.admin.reverse(f.em(), admin, {
        transactionId: original.id,
        reason: 'sent by mistake',
        idempotencyKey: k,
      }),
    );
    expect(reversal).toMatchObject({
      kind: 'REVERSAL',
      reverses: original.id,
      amount: usdt(10),
      fee: usdt(0.6),
      actor: admin.userId,
      reason: 'sent by mistake',
    });
    expect(await balance(sam)).toEqual({ available: usdt(100), held: 0n });
    expect(await balance(tess)).toEqual({ available: 0n, held: 0n });
    const [reread] = await f.services.transactions.byIds(f.em(), [original.id]);
    expect(reread!.reversedBy).toBe(reversal.id);
    expect(
      txn(
        await f.services.admin.reverse(f.em(), admin, {
          transactionId: original.id,
          reason: 'sent by mistake',
          idempotencyKey: k,
        }),
      ).id,
    ).toBe(reversal.id);
    await expect(
      f.services.admin.reverse(f.em(), admin, { transactionId: original.id, reason: 'again', idempotencyKey: key() }),
    ).rejects.toMatchObject({ code: 'CONFLICT' });
    await expect(
      f.services.admin.reverse(f.em(), admin, {
        transactionId: reversal.id,
        reason: 'undo the undo',
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ code: 'BAD_USER_INPUT' });
    await expect(
      f.services.admin.reverse(f.em(), admin, {
        transactionId: 'txn_missing',
        reason: 'nothing',
        idempotencyKey: key(),
      }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expectClean();
  });

  it('refuses a reversal the recipient can no longer pay for', async () => {
    const uma = await f.addUser();
    const vic = await f.addUser();
    await f.deposit(uma, USDT, usdt(20));
    const original = txn(await transfer(uma, { to: vic, amount: '10' }));
    txn(await transfer(vic, { to: uma, amount: '9' }));
    const result = await f.services.admin.reverse(f.em(), f.finance(), {
      transactionId: original.id,
      reason: 'chargeback',
      idempotencyKey: key(),
    });
    expect(result).toMatchObject({ type: 'InsufficientFunds', asset: USDT, required: usdt(10) });
  });

  it('adjusts a balance with an audit trail, only for FINANCE holding ledger:adjust', async () => {
    const walt = await f.addUser();
    const admin = f.finance();
    const credit = txn(
      await f.services.admin.adjustBalance(f.em(), admin, {
        userId: walt,
        asset: 'IRT',
        amount: '250000',
        reason: 'promotion credit',
        idempotencyKey: key(),
      }),
    );
    expect(credit).toMatchObject({
      kind: 'ADJUSTMENT',
      actor: admin.userId,
      reason: 'promotion credit',
      amount: 250_000n,
    });
    const debit = txn(
      await f.services.admin.adjustBalance(f.em(), admin, {
        userId: walt,
        asset: 'IRT',
        amount: '-50000',
        reason: 'promotion clawback',
        idempotencyKey: key(),
      }),
    );
    expect((await f.services.transactions.postingsOf(f.em(), [debit.id]))[0]).toMatchObject({
      source: accounts.available(walt, 'IRT'),
      destination: accounts.world('IRT'),
      amount: 50_000n,
    });
    expect(await balance(walt, 'IRT')).toEqual({ available: 200_000n, held: 0n });
    expect(
      await f.services.admin.adjustBalance(f.em(), admin, {
        userId: walt,
        asset: 'IRT',
        amount: '-200001',
        reason: 'too much',
        idempotencyKey: key(),
      }),
    ).toMatchObject({ type: 'InsufficientFunds' });

    const input = { userId: walt, asset: 'IRT', amount: '1', reason: 'not allowed', idempotencyKey: key() };
    const noClaim = { ...admin, claims: [] };
    const noRole = { ...admin, roles: ['USER', 'ADMIN'] as ('USER' | 'ADMIN')[] };
    await expect(f.services.admin.adjustBalance(f.em(), noClaim, input)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.services.admin.adjustBalance(f.em(), noRole, input)).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(f.services.admin.adjustBalance(f.em(), f.viewer(walt), input)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      f.services.admin.adjustBalance(f.em(), admin, { ...input, userId: 'usr_unknown' }),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(f.services.admin.adjustBalance(f.em(), admin, { ...input, reason: '' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expect(f.services.admin.adjustBalance(f.em(), admin, { ...input, amount: '0' })).rejects.toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    await expectClean();
  });
});

describe('append-only log and hash chain', () => {
  it('refuses UPDATE, DELETE and TRUNCATE of postings and transactions, and CHECKs posting amounts', async () => {
    const [t] = await f.sql<{ id: string }>('select id from ledger.transaction limit 1');
    for (const sql of [
      'update ledger.posting set amount = amount + 1 where transaction_id = ?',
      'delete from ledger.posting where transaction_id = ?',
      'update ledger.transaction set amount = 0 where id = ?',
      'delete from ledger.transaction where id = ?',
    ]) {
      await expect(f.sql(sql, [t!.id])).rejects.toThrow(/append-only/);
    }
    await expect(f.sql('truncate ledger.posting')).rejects.toThrow(/append-only/);
    const item = (amount: string) =>
      JSON.stringify([
        {
          id: `txn_zero_${amount}`,
          event: rawEvent(`evt_zero_${amount}`, `txn_zero_${amount}`),
          kind: 'FEE',
          asset: 'TON',
          amount: '0',
          postings: [['world:TON', 'fees:TON', 'TON', amount]],
        },
      ]);
    await expect(f.sql('select ledger.commit_batch(?::jsonb, 0::smallint)', [item('0')])).rejects.toThrow(
      /posting_amount_positive/,
    );
    await expect(f.sql('select ledger.commit_batch(?::jsonb, 0::smallint)', [item('-5')])).rejects.toThrow(
      /posting_amount_positive/,
    );
  });

  it('seals every committed transaction into one chain and reports a tampered posting', async () => {
    const g = await startLedgerFixture();
    try {
      const a = await g.addUser();
      const b = await g.addUser();
      await g.deposit(a, 'TON', 10_000_000_000n);
      const results = await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          g.services.transfers.transfer(g.em(), g.viewer(a), {
            toUserId: b,
            asset: 'TON',
            amount: '0.1',
            idempotencyKey: `t${i}`,
          }),
        ),
      );
      const victim = txn(results[7]!);
      const clean = await g.verify();
      expect(clean).toMatchObject({ ok: true, transactions: 21, chainLength: 21, unsealed: 0 });
      expect(clean.chainHead).toMatch(/^[0-9a-f]{64}$/);

      const raw = new pg.Client({ connectionString: g.env.config.database.url });
      await raw.connect();
      try {
        // Someone with superuser rights bypasses the append-only trigger and edits one posting.
        await raw.query(`set session_replication_role = replica`);
        await raw.query('update ledger.posting set amount = amount + 1 where transaction_id = $1 and idx = 1', [
          victim.id,
        ]);
      } finally {
        await raw.end();
      }
      const report = await g.verify();
      expect(report.ok).toBe(false);
      const kinds = report.mismatches.map((m) => `${m.kind} ${m.subject.split(':').slice(-1)[0]}`);
      // the hash of its content and its chain link no longer match, and neither do the two cached balances
      expect(kinds.sort()).toEqual([
        'BALANCE available',
        'BALANCE available',
        `CHAIN_LINK ${victim.id}`,
        `TRANSACTION_HASH ${victim.id}`,
      ]);
      expect(
        report.mismatches
          .filter((m) => m.kind === 'BALANCE')
          .map((m) => m.subject)
          .sort(),
      ).toEqual([accounts.available(a, 'TON'), accounts.available(b, 'TON')].sort());
    } finally {
      await g.close();
    }
  });
});

describe('event consumers', () => {
  // The events stand in for the wallet's and identity's outbox relays: published as the test harness user
  // (the ledger's own NATS user may not publish wallet.* or identity.* subjects).
  let harness: NatsConnection | null = null;
  afterAll(async () => {
    await harness?.close();
  });
  async function bus() {
    harness ??= await connect({ servers: f.env.config.nats.url });
    return harness.jetstream();
  }
  async function publish(type: string, payload: Record<string, unknown>, id?: string) {
    const event = { ...makeEvent(type, 'wallet', payload), ...(id ? { id } : {}) };
    await (
      await bus()
    ).publish(f.env.config.nats.subjectPrefix + type, new TextEncoder().encode(JSON.stringify(event)), {
      msgID: `${event.id}-${Math.random()}`,
    });
    return event;
  }
  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
    const end = Date.now() + ms;
    for (;;) {
      const v = await read();
      if (ok(v) || Date.now() > end) return v;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  const applied = async (eventId: string, consumer = POSTINGS_CONSUMER) =>
    (await f.sql('select 1 from ledger.inbox where event_id = ? and consumer = ?', [eventId, consumer])).length > 0;

  it('credits a confirmed deposit once per event id and once per on-chain output', async () => {
    const xena = await f.addUser();
    const payload = {
      depositId: 'dep_1',
      userId: xena,
      network: 'TRON',
      asset: USDT,
      amount: '25000000',
      txHash: '0xabc',
      outputIndex: 3,
    };
    const first = await publish('wallet.deposit.confirmed', payload);
    await publish('wallet.deposit.confirmed', payload, first.id); // redelivered (same event id)
    const again = await publish('wallet.deposit.confirmed', { ...payload, depositId: 'dep_1_dup' }); // same output, another event
    await until(() => applied(again.id), Boolean);
    expect(await balance(xena)).toEqual({ available: usdt(25), held: 0n });
    const rows = await f.sql<{ reference: string }>(
      `select reference from ledger.transaction where user_id = ? and kind = 'DEPOSIT'`,
      [xena],
    );
    expect(rows).toEqual([{ reference: 'deposit:TRON:0xabc:3' }]);
    const mismatch = await publish('wallet.deposit.confirmed', { ...payload, txHash: '0xdef', network: 'TON' });
    await until(() => applied(mismatch.id), Boolean);
    const rejected = await f.sql(
      `select 1 from ledger.outbox where subject = 'ledger.posting.rejected' and envelope->'payload'->>'eventId' = ?`,
      [mismatch.id],
    );
    expect(rejected).toHaveLength(1);
    expect(await balance(xena)).toEqual({ available: usdt(25), held: 0n });
  });

  it('reverses a credited deposit a reorg removed, once; one already spent leaves a debt; skips one never credited', async () => {
    const yuri = await f.addUser();
    const zack = await f.addUser();
    const deposit = (txHash: string, amount: string) => ({
      depositId: `dep_${txHash}`,
      userId: yuri,
      network: 'TRON',
      asset: USDT,
      amount,
      txHash,
      outputIndex: 0,
      status: 'CONFIRMING',
    });
    const credit = await publish('wallet.deposit.confirmed', deposit('0xr1', '7000000'));
    await until(() => applied(credit.id), Boolean);
    const reorg = await publish('wallet.deposit.reorged', {
      ...deposit('0xr1', '7000000'),
      status: 'REORGED',
      confirmEventId: credit.id,
      transactionId: null,
    });
    const again = await publish('wallet.deposit.reorged', {
      ...deposit('0xr1', '7000000'),
      status: 'REORGED',
      confirmEventId: credit.id,
      transactionId: null,
    });
    await until(() => applied(again.id), Boolean);
    expect(reorg.id).not.toBe(again.id);
    expect(await balance(yuri)).toEqual({ available: 0n, held: 0n });
    const rows = await f.sql<{ kind: string; reference: string; amount: string }>(
      `select kind, reference, amount from ledger.transaction where user_id = ? order by seq`,
      [yuri],
    );
    expect(rows).toEqual([
      { kind: 'DEPOSIT', reference: 'deposit:TRON:0xr1:0', amount: '7000000' },
      { kind: 'REVERSAL', reference: 'deposit:TRON:0xr1:0', amount: '7000000' },
    ]);

    const spent = await publish('wallet.deposit.confirmed', deposit('0xr2', '5000000'));
    await until(() => applied(spent.id), Boolean);
    txn(await transfer(yuri, { to: zack, amount: '4' }));
    const late = await publish('wallet.deposit.reorged', {
      ...deposit('0xr2', '5000000'),
      status: 'REORGED',
      confirmEventId: spent.id,
      transactionId: null,
    });
    await until(() => applied(late.id), Boolean);
    // 4 + 0.54 fee were spent: the reversal takes the 0.46 left and records 4.54 as Yuri's debt.
    expect(
      await f.sql(
        `select 1 from ledger.outbox where subject = 'ledger.posting.rejected' and envelope->'payload'->>'eventId' = ?`,
        [late.id],
      ),
    ).toEqual([]);
    const [report] = await f.sql<{ envelope: EventEnvelope }>(
      `select envelope from ledger.outbox where subject = 'ledger.debt.recorded' and envelope->'payload'->>'reference' = 'deposit:TRON:0xr2:0'`,
    );
    expect(report!.envelope.payload).toMatchObject({ userId: yuri, asset: USDT, amount: '4540000' });
    expect(await balance(yuri)).toEqual({ available: 0n, held: 0n });
    expect(await f.services.debts.owed(f.em(), yuri, USDT)).toBe(4_540_000n);
    // Two deposits credited at once repay the debt once between them: 3 + 3 against 4.54 leaves 1.46.
    await Promise.all([f.deposit(yuri, USDT, usdt(3)), f.deposit(yuri, USDT, usdt(3))]);
    expect(await f.services.debts.owed(f.em(), yuri, USDT)).toBe(0n);
    expect(await balance(yuri)).toEqual({ available: 1_460_000n, held: 0n });

    const never = await publish('wallet.deposit.reorged', {
      ...deposit('0xr3', '1000000'),
      status: 'REORGED',
      confirmEventId: null,
      transactionId: null,
    });
    await until(() => applied(never.id), Boolean);
    expect(await f.sql(`select 1 from ledger.transaction where reference = 'deposit:TRON:0xr3:0'`)).toEqual([]);
    await expectClean();
  });

  it('holds a requested withdrawal, captures it to custody and fees when completed, and releases a failed one', async () => {
    const yann = await f.addUser();
    await f.deposit(yann, USDT, usdt(100));
    const request = await publish('wallet.withdrawal.requested', {
      withdrawalId: 'wd_1',
      userId: yann,
      network: 'TRON',
      asset: USDT,
      amount: '40000000',
      fee: '1000000',
    });
    await until(() => applied(request.id), Boolean);
    expect(await balance(yann)).toEqual({ available: usdt(59), held: usdt(41) });
    const placed = await f.sql<{ envelope: EventEnvelope }>(
      `select envelope from ledger.outbox where subject = 'ledger.hold.placed' and envelope->'payload'->>'reference' = 'withdrawal:wd_1'`,
    );
    expect(placed[0]!.envelope.payload).toMatchObject({ userId: yann, asset: USDT, amount: '41000000' });
    const done = await publish('wallet.withdrawal.completed', {
      withdrawalId: 'wd_1',
      network: 'TRON',
      asset: USDT,
      amount: '40000000',
      fee: '1000000',
    });
    await until(() => applied(done.id), Boolean);
    expect(await balance(yann)).toEqual({ available: usdt(59), held: 0n });

    const second = await publish('wallet.withdrawal.requested', {
      withdrawalId: 'wd_2',
      userId: yann,
      network: 'TRON',
      asset: USDT,
      amount: '9000000',
    });
    await until(() => applied(second.id), Boolean);
    const failed = await publish('wallet.withdrawal.failed', { withdrawalId: 'wd_2' });
    await until(() => applied(failed.id), Boolean);
    expect(await balance(yann)).toEqual({ available: usdt(59), held: 0n });

    const tooMuch = await publish('wallet.withdrawal.requested', {
      withdrawalId: 'wd_3',
      userId: yann,
      network: 'TRON',
      asset: USDT,
      amount: '60000000',
    });
    await until(() => applied(tooMuch.id), Boolean);
    const rejected = await f.sql<{ envelope: EventEnvelope }>(
      `select envelope from ledger.outbox where subject = 'ledger.hold.rejected' and envelope->'payload'->>'reference' = 'withdrawal:wd_3'`,
    );
    expect(rejected[0]!.envelope.payload).toMatchObject({
      code: 'INSUFFICIENT_FUNDS',
      available: '59000000',
      required: '60000000',
    });
    await expectClean();
  });

  it('posts the gas of a confirmed treasury move (fees → custody, FEE) once per move, and nothing for the coins moved', async () => {
    const systemBalance = async (account: string) =>
      BigInt(
        (
          await f.sql<{ total: string }>(
            'select coalesce(sum(amount), 0)::text as total from ledger.balance where account = ?',
            [account],
          )
        )[0]!.total,
      );
    const fees = accounts.fees('ETH');
    const custody = accounts.custody('ETH', 'ETH');
    const [feesBefore, custodyBefore] = [await systemBalance(fees), await systemBalance(custody)];
    const move = (moveId: string, kind: string, asset: string, fee: string | null) => ({
      moveId,
      kind,
      network: 'ETH',
      asset,
      amount: '5000000',
      from: '0x1111111111111111111111111111111111111111',
      to: '0x2222222222222222222222222222222222222222',
      txHash: `0x${moveId}`,
      feeAsset: 'ETH',
      fee,
      status: 'CONFIRMED',
    });
    const sweep = await publish('wallet.sweep.confirmed', move('mv_1', 'SWEEP', 'USDT_ETH', '21000000000000'));
    const again = await publish(
      'wallet.sweep.confirmed',
      move('mv_1', 'SWEEP', 'USDT_ETH', '21000000000000'),
      sweep.id,
    );
    // The same move in an event with another id (a re-published row): the move id is the idempotency key.
    const republished = await publish('wallet.sweep.confirmed', move('mv_1', 'SWEEP', 'USDT_ETH', '21000000000000'));
    const topUp = await publish('wallet.sweep.confirmed', move('mv_2', 'GAS_TOPUP', 'ETH', '30000000000000'));
    const noFee = await publish('wallet.sweep.confirmed', move('mv_3', 'COLD', 'ETH', null));
    for (const e of [sweep, again, republished, topUp, noFee]) await until(() => applied(e.id), Boolean);
    expect((await systemBalance(fees)) - feesBefore).toBe(-51_000_000_000_000n);
    expect((await systemBalance(custody)) - custodyBefore).toBe(51_000_000_000_000n);
    const posted = await f.sql<{ reference: string; kind: string; amount: string }>(
      `select reference, kind, amount::text as amount from ledger.transaction where reference like 'treasury-move:%' order by reference`,
    );
    expect(posted).toEqual([
      { reference: 'treasury-move:mv_1', kind: 'FEE', amount: '21000000000000' },
      { reference: 'treasury-move:mv_2', kind: 'FEE', amount: '30000000000000' },
    ]);
    await expectClean();
  });

  it('a frozen user gets no withdrawal hold (ACCOUNT_FROZEN) until each of their freezes is lifted', async () => {
    const yoko = await f.addUser();
    await f.deposit(yoko, USDT, usdt(50));
    const freezeA = await publish('wallet.withdrawals.frozen', {
      userId: yoko,
      reason: 'deposit dep_a reorged',
      depositId: 'dep_a',
    });
    const freezeB = await publish('wallet.withdrawals.frozen', {
      userId: yoko,
      reason: 'deposit dep_b reorged',
      depositId: 'dep_b',
    });
    const liftA = await publish('wallet.withdrawals.unfrozen', {
      userId: yoko,
      depositId: 'dep_a',
      liftedBy: 'usr_staff',
      note: 'settled',
    });
    // The consumer applies several events at once: the lift may land before its freeze (and still wins).
    await until(() => applied(liftA.id, FREEZE_CONSUMER), Boolean);
    await until(() => applied(freezeA.id, FREEZE_CONSUMER), Boolean);
    await until(() => applied(freezeB.id, FREEZE_CONSUMER), Boolean);
    const request = await publish('wallet.withdrawal.requested', {
      withdrawalId: 'wd_frozen',
      userId: yoko,
      network: 'TRON',
      asset: USDT,
      amount: '1000000',
    });
    await until(() => applied(request.id), Boolean);
    const [rejected] = await f.sql<{ envelope: EventEnvelope }>(
      `select envelope from ledger.outbox where subject = 'ledger.hold.rejected' and envelope->'payload'->>'reference' = 'withdrawal:wd_frozen'`,
    );
    expect(rejected!.envelope.payload).toMatchObject({
      code: 'ACCOUNT_FROZEN',
      reason: 'WITHDRAWAL_FREEZE',
      userId: yoko,
    });
    expect(await balance(yoko)).toEqual({ available: usdt(50), held: 0n });
    await expect(transfer(yoko, { to: await f.addUser(), amount: '1' })).rejects.toMatchObject({
      code: 'ACCOUNT_FROZEN',
    });

    const liftB = await publish('wallet.withdrawals.unfrozen', {
      userId: yoko,
      depositId: 'dep_b',
      liftedBy: 'usr_staff',
      note: 'settled',
    });
    await until(() => applied(liftB.id, FREEZE_CONSUMER), Boolean);
    // A redelivered freeze after its lift does not freeze again.
    const late = await publish('wallet.withdrawals.frozen', {
      userId: yoko,
      reason: 'deposit dep_b reorged',
      depositId: 'dep_b',
    });
    await until(() => applied(late.id, FREEZE_CONSUMER), Boolean);
    const again = await publish('wallet.withdrawal.requested', {
      withdrawalId: 'wd_free',
      userId: yoko,
      network: 'TRON',
      asset: USDT,
      amount: '1000000',
    });
    await until(() => applied(again.id), Boolean);
    expect(await balance(yoko)).toEqual({ available: usdt(49), held: usdt(1) });
    await expectClean();
  });

  it('learns users and usernames from identity events, newest fact wins', async () => {
    const publishIdentity = async (type: string, payload: Record<string, unknown>, occurredAt: Date) => {
      const event = { ...makeEvent(type, 'identity', payload), occurredAt: occurredAt.toISOString() };
      await (
        await bus()
      ).publish(f.env.config.nats.subjectPrefix + type, new TextEncoder().encode(JSON.stringify(event)), {
        msgID: event.id,
      });
      return event;
    };
    const zoe = 'usr_zoe00000000000000000000000';
    const sender = await f.addUser();
    await f.deposit(sender, USDT, usdt(10));
    const t0 = Date.now();
    await publishIdentity(
      'identity.user.created',
      { userId: zoe, telegramId: '42', username: 'zoe_old' },
      new Date(t0),
    );
    await publishIdentity(
      'identity.user.updated',
      { userId: zoe, changed: ['profile'], username: 'Zoe_New' },
      new Date(t0 + 1000),
    );
    // created and updated travel on separate durables: either may be applied first
    await until(
      () =>
        f.sql<{ username: string; telegram_id: string }>(
          'select username, telegram_id from ledger.user_directory where user_id = ?',
          [zoe],
        ),
      (rows) => rows[0]?.telegram_id === '42' && rows[0]?.username === 'Zoe_New',
    );
    expect(txn(await transfer(sender, { toUsername: 'ZOE_NEW', amount: '1' })).counterpartyId).toBe(zoe);
    expect(await transfer(sender, { toUsername: 'zoe_old', amount: '1' })).toMatchObject({ type: 'RecipientNotFound' });
    const rows = await f.sql<{ username: string; telegram_id: string }>(
      'select username, telegram_id from ledger.user_directory where user_id = ?',
      [zoe],
    );
    expect(rows).toEqual([{ username: 'Zoe_New', telegram_id: '42' }]);
    const names = await f.services.directory.usernamesOf(f.em(), [zoe, 'usr_unknown']);
    expect([names.get(zoe), names.get('usr_unknown')]).toEqual(['Zoe_New', undefined]);
  });
});

describe('user directory', () => {
  it('keeps the newest username and the Telegram id whatever order the facts arrive in', async () => {
    const userId = 'usr_order0000000000000000000000';
    const t0 = Date.now();
    await f
      .em()
      .transactional((tx) =>
        f.services.directory.remember(tx, { userId, username: 'newer_name', seenAt: new Date(t0 + 1000) }),
      );
    await f
      .em()
      .transactional((tx) =>
        f.services.directory.remember(tx, { userId, username: 'older_name', telegramId: '777', seenAt: new Date(t0) }),
      );
    expect(await f.sql('select username, telegram_id from ledger.user_directory where user_id = ?', [userId])).toEqual([
      { username: 'newer_name', telegram_id: '777' },
    ]);
    // another user takes the name later: it moves; an older claim to it does not take it back
    const other = 'usr_order1111111111111111111111';
    await f
      .em()
      .transactional((tx) =>
        f.services.directory.remember(tx, { userId: other, username: 'NEWER_NAME', seenAt: new Date(t0 + 2000) }),
      );
    await f
      .em()
      .transactional((tx) =>
        f.services.directory.remember(tx, { userId, username: 'newer_name', seenAt: new Date(t0 + 1500) }),
      );
    expect(await f.services.directory.byUsername(f.em(), '@newer_name')).toBe(other);
    expect(await f.sql('select username from ledger.user_directory where user_id = ?', [userId])).toEqual([
      { username: null },
    ]);
  });
});
