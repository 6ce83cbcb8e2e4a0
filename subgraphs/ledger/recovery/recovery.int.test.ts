import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeEvent } from '../../../platform/bus/envelope.js';
import { newId } from '../../../platform/ids.js';
import { startLedgerFixture, type LedgerFixture } from '../testing/ledger-fixture.js';
import { ACCOUNT_RECOVERED, RECOVERY_CONSUMER } from './recovery.consumer.js';

let f: LedgerFixture;
let harness: NatsConnection | null = null;
beforeAll(async () => {
  f = await startLedgerFixture();
});
afterAll(async () => {
  await harness?.close();
  await f?.close();
});

// Stands in for identity's outbox relay (the ledger's own NATS user may not publish identity.* subjects).
async function publish(payload: Record<string, unknown>, id?: string) {
  harness ??= await connect({ servers: f.env.config.nats.url });
  const event = { ...makeEvent(ACCOUNT_RECOVERED, 'identity', payload), ...(id ? { id } : {}) };
  await harness
    .jetstream()
    .publish(f.env.config.nats.subjectPrefix + ACCOUNT_RECOVERED, new TextEncoder().encode(JSON.stringify(event)), {
      msgID: `${event.id}-${Math.random()}`,
    });
  return event;
}

async function applied(eventId: string): Promise<void> {
  const end = Date.now() + 15_000;
  while (Date.now() < end) {
    const rows = await f.sql('select 1 from ledger.inbox where event_id = ? and consumer = ?', [
      eventId,
      RECOVERY_CONSUMER,
    ]);
    if (rows.length > 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`event ${eventId} was not applied`);
}

async function balances(userId: string): Promise<Record<string, { available: bigint; held: bigint }>> {
  const list = (await f.services.balances.ofUsers(f.em(), [userId], ['USDT_TRON', 'TON', 'TRX'])).get(userId)!;
  return Object.fromEntries(list.map((b) => [b.asset, { available: b.available, held: b.held }]));
}

describe('identity.user.recovered', () => {
  it('moves every available balance of the retired account to the recovered one, once', async () => {
    const oldUser = await f.addUser();
    const retired = await f.addUser();
    await f.deposit(oldUser, 'USDT_TRON', 1_000_000n);
    await f.deposit(retired, 'USDT_TRON', 25_000_000n);
    await f.deposit(retired, 'TON', 3_000_000_000n);
    const recoveryId = newId('rec');
    const payload = { recoveryId, userId: oldUser, retiredUserId: retired };

    const event = await publish(payload);
    await applied(event.id);
    expect(await balances(oldUser)).toMatchObject({
      USDT_TRON: { available: 26_000_000n, held: 0n },
      TON: { available: 3_000_000_000n, held: 0n },
    });
    expect(await balances(retired)).toMatchObject({ USDT_TRON: { available: 0n }, TON: { available: 0n } });
    const txs = await f.sql<{ kind: string; asset: string; amount: string; user_id: string; counterparty_id: string }>(
      `select kind, asset, amount::text, user_id, counterparty_id from ledger.transaction where reference like ? order by asset`,
      [`recovery:${recoveryId}:%`],
    );
    expect(txs).toEqual([
      { kind: 'ACCOUNT_RECOVERY', asset: 'TON', amount: '3000000000', user_id: retired, counterparty_id: oldUser },
      { kind: 'ACCOUNT_RECOVERY', asset: 'USDT_TRON', amount: '25000000', user_id: retired, counterparty_id: oldUser },
    ]);
    const moves = await f.sql<{ asset: string; outcome: string; amount: string }>(
      'select asset, outcome, amount::text from ledger.account_recovery_move where recovery_id = ? order by asset',
      [recoveryId],
    );
    expect(moves).toEqual([
      { asset: 'TON', outcome: 'MOVED', amount: '3000000000' },
      { asset: 'USDT_TRON', outcome: 'MOVED', amount: '25000000' },
    ]);

    // A redelivery (same event id) and a second event for the same recovery move nothing again,
    // even after the retired account received more money.
    await f.deposit(retired, 'TON', 1_000_000_000n);
    await publish(payload, event.id);
    const again = await publish(payload);
    await applied(again.id);
    expect((await balances(oldUser)).TON!.available).toBe(3_000_000_000n);
    expect((await balances(retired)).TON!.available).toBe(1_000_000_000n);
    expect(
      await f.sql('select 1 from ledger.transaction where reference like ?', [`recovery:${recoveryId}:%`]),
    ).toHaveLength(2);
    expect((await f.verify()).ok).toBe(true);
  });

  it('leaves an asset with held funds where it is and records why; the other assets still move', async () => {
    const oldUser = await f.addUser();
    const retired = await f.addUser();
    await f.deposit(retired, 'TRX', 10_000_000n);
    await f.deposit(retired, 'USDT_TRON', 5_000_000n);
    const { hold } = await f.services.holds.place(f.em(), {
      userId: retired,
      asset: 'TRX',
      amount: 4_000_000n,
      kind: 'WITHDRAWAL',
      reference: `withdrawal:wd_${newId('x')}`,
      expiresAt: null,
      actor: 'system:test',
    });
    expect(hold).not.toBeNull();
    const recoveryId = newId('rec');
    const event = await publish({ recoveryId, userId: oldUser, retiredUserId: retired });
    await applied(event.id);

    expect(await balances(retired)).toMatchObject({
      TRX: { available: 6_000_000n, held: 4_000_000n },
      USDT_TRON: { available: 0n },
    });
    expect(await balances(oldUser)).toMatchObject({ TRX: { available: 0n }, USDT_TRON: { available: 5_000_000n } });
    const moves = await f.sql<{ asset: string; outcome: string; amount: string; transaction_id: string | null }>(
      'select asset, outcome, amount::text, transaction_id from ledger.account_recovery_move where recovery_id = ? order by asset',
      [recoveryId],
    );
    expect(moves).toMatchObject([
      { asset: 'TRX', outcome: 'KEPT_HELD', amount: '6000000', transaction_id: null },
      { asset: 'USDT_TRON', outcome: 'MOVED', amount: '5000000' },
    ]);
    expect((await f.verify()).ok).toBe(true);
  });

  it('leaves an asset the retired account owes in place (KEPT_DEBT)', async () => {
    const oldUser = await f.addUser();
    const retired = await f.addUser();
    const txHash = `0xdebt${Date.now()}`;
    const credit = {
      depositId: newId('dep'),
      userId: retired,
      network: 'TRON' as const,
      asset: 'TRX',
      amount: 5_000_000n,
      txHash,
      outputIndex: 0,
    };
    await f.em().transactional((tx) => f.services.postings.creditDeposit(tx, credit, 'system:test'));
    // Spent (held for a withdrawal), then the deposit is reorged away: the user owes it; the withdrawal then fails.
    const { hold } = await f.services.holds.place(f.em(), {
      userId: retired,
      asset: 'TRX',
      amount: 5_000_000n,
      kind: 'WITHDRAWAL',
      reference: `withdrawal:${newId('wd')}`,
      expiresAt: null,
      actor: 'system:test',
    });
    await f
      .em()
      .transactional((tx) => f.services.postings.reverseDeposit(tx, `deposit:TRON:${txHash}:0`, 'system:test'));
    await f.services.holds.release(f.em(), hold!.id, 'system:test');
    expect(await f.services.debts.owed(f.em(), retired, 'TRX')).toBe(5_000_000n);

    const recoveryId = newId('rec');
    const event = await publish({ recoveryId, userId: oldUser, retiredUserId: retired });
    await applied(event.id);
    expect((await balances(retired)).TRX!.available).toBe(5_000_000n);
    expect((await balances(oldUser)).TRX!.available).toBe(0n);
    expect(
      await f.sql('select outcome, amount::text from ledger.account_recovery_move where recovery_id = ?', [recoveryId]),
    ).toEqual([{ outcome: 'KEPT_DEBT', amount: '5000000' }]);
    expect((await f.verify()).ok).toBe(true);
  });

  it('ignores a malformed event (nothing moves) and keeps consuming', async () => {
    const oldUser = await f.addUser();
    const retired = await f.addUser();
    await f.deposit(retired, 'TON', 1_000_000_000n);
    const bad = await publish({ recoveryId: 42, userId: oldUser, retiredUserId: retired });
    const good = await publish({ recoveryId: newId('rec'), userId: oldUser, retiredUserId: retired });
    await applied(good.id);
    expect(await f.sql('select 1 from ledger.inbox where event_id = ?', [bad.id])).toHaveLength(0);
    expect((await balances(oldUser)).TON!.available).toBe(1_000_000_000n);
  });
});
