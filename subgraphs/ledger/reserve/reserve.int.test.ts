import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DomainError } from '../../../platform/errors.js';
import { startLedgerFixture, type LedgerFixture } from '../testing/ledger-fixture.js';
import type { ReserveProofRecord } from './reserve.service.js';

let fx: LedgerFixture;
beforeAll(async () => {
  fx = await startLedgerFixture();
});
afterAll(async () => {
  await fx?.close();
});

/**
 * An independent verifier, written from the README's leaf format only (it shares no code with merkle-sum.ts):
 * what a user would run offline with the proof the API gave them.
 */
function verifyOffline(
  userId: string,
  proof: { nonce: string; balanceUnits: string; path: { side: string; hash: string; sumUnits: string }[] },
  published: { root: string; totalUnits: string },
): boolean {
  const h = (...hex: string[]) =>
    createHash('sha256')
      .update(Buffer.from(hex.join(''), 'hex'))
      .digest('hex');
  const word = (n: string) => BigInt(n).toString(16).padStart(64, '0');
  const uh = createHash('sha256').update(`por:v1:${userId}:${proof.nonce}`, 'utf8').digest('hex');
  let hash = h('00', uh, word(proof.balanceUnits));
  let sum = BigInt(proof.balanceUnits);
  for (const step of proof.path) {
    if (BigInt(step.sumUnits) < 0n) return false;
    hash =
      step.side === 'LEFT'
        ? h('01', step.hash, word(step.sumUnits), hash, word(sum.toString()))
        : h('01', hash, word(sum.toString()), step.hash, word(step.sumUnits));
    sum += BigInt(step.sumUnits);
  }
  return hash === published.root && sum.toString() === published.totalUnits;
}

function asApi(p: ReserveProofRecord) {
  return {
    nonce: p.nonce,
    balanceUnits: p.balance.toString(),
    path: p.path.map((s) => ({ side: s.side, hash: s.hash.toString('hex'), sumUnits: s.sum.toString() })),
  };
}

describe('proof of reserves (ledger: liabilities and Merkle sum snapshots)', () => {
  it('every user proves their exact balance against the published root; the root sums all liabilities', async () => {
    const users: { id: string; amount: bigint }[] = [];
    for (let i = 0; i < 11; i++) {
      const id = await fx.addUser();
      const amount = 1_000_000n * BigInt(i + 1) + BigInt(i);
      await fx.deposit(id, 'USDT_TRON', amount);
      users.push({ id, amount });
    }
    // Part of one user's balance held (a withdrawal in flight) still counts: available + held.
    const held = await fx.em().transactional((tx) =>
      fx.services.holds.place(tx, {
        userId: users[0]!.id,
        asset: 'USDT_TRON',
        amount: 400_000n,
        kind: 'WITHDRAWAL',
        reference: 'withdrawal:reserve-test',
        expiresAt: null,
        actor: 'system:test',
      }),
    );
    expect(held.hold).not.toBeNull();
    const total = users.reduce((s, u) => s + u.amount, 0n);
    const liabilities = await fx.services.reserves.liabilities(fx.em(), ['USDT_TRON', 'TON']);
    expect(liabilities.get('USDT_TRON')).toEqual({ asset: 'USDT_TRON', total, users: 11 });
    expect(liabilities.get('TON')).toEqual({ asset: 'TON', total: 0n, users: 0 });

    const [snapshot] = await fx.services.reserves.publishAs(fx.em(), fx.finance(), ['USDT_TRON']);
    expect(snapshot!.total).toBe(total);
    expect(snapshot!.leafCount).toBe(11);
    const published = { root: snapshot!.rootHash, totalUnits: snapshot!.total.toString() };

    // Balances change after the snapshot: proofs still answer for the snapshot's point in time.
    await fx.deposit(users[3]!.id, 'USDT_TRON', 5n);
    for (const user of users) {
      const proof = await fx.services.reserves.proof(fx.em(), fx.viewer(user.id), 'USDT_TRON', null);
      expect(proof.snapshot.id).toBe(snapshot!.id);
      expect(proof.balance).toBe(user.amount);
      expect(verifyOffline(user.id, asApi(proof), published)).toBe(true);
      // Another user's id with this leaf, or one unit more, does not verify.
      expect(verifyOffline(users[(users.indexOf(user) + 1) % users.length]!.id, asApi(proof), published)).toBe(false);
      expect(verifyOffline(user.id, { ...asApi(proof), balanceUnits: (user.amount + 1n).toString() }, published)).toBe(
        false,
      );
    }
  });

  it('a later snapshot becomes the latest; an earlier one can still be asked for by id', async () => {
    const id = await fx.addUser();
    await fx.deposit(id, 'TON', 3_000_000_000n);
    const [first] = await fx.services.reserves.publish(fx.em(), null, ['TON']);
    await fx.deposit(id, 'TON', 1n);
    const [second] = await fx.services.reserves.publish(fx.em(), null, ['TON']);
    const latest = await fx.services.reserves.proof(fx.em(), fx.viewer(id), 'TON', null);
    expect(latest.snapshot.id).toBe(second!.id);
    expect(latest.balance).toBe(3_000_000_001n);
    expect(latest.path).toEqual([]);
    expect(latest.leafHash).toBe(second!.rootHash);
    const older = await fx.services.reserves.proof(fx.em(), fx.viewer(id), 'TON', first!.id);
    expect(older.balance).toBe(3_000_000_000n);
    expect(verifyOffline(id, asApi(older), { root: first!.rootHash, totalUnits: first!.total.toString() })).toBe(true);
  });

  it('refuses: no snapshot, not in the snapshot, non-staff publishing, unknown asset', async () => {
    const id = await fx.addUser();
    const codeOf = (p: Promise<unknown>) =>
      p.then(
        () => 'resolved',
        (e: unknown) => (e as DomainError).code,
      );
    expect(await codeOf(fx.services.reserves.proof(fx.em(), fx.viewer(id), 'BNB', null))).toBe('NOT_FOUND');
    expect(await codeOf(fx.services.reserves.proof(fx.em(), fx.viewer(id), 'USDT_TRON', null))).toBe('NOT_FOUND');
    expect(await codeOf(fx.services.reserves.publishAs(fx.em(), fx.viewer(id), ['TON']))).toBe('FORBIDDEN');
    expect(await codeOf(fx.services.reserves.proof(fx.em(), fx.viewer(id), 'DOGE', null))).toBe('BAD_USER_INPUT');
    const [empty] = await fx.services.reserves.publish(fx.em(), null, ['BNB']);
    expect(empty).toMatchObject({ total: 0n, leafCount: 0 });
  });

  it('the periodic publisher publishes every asset once per interval', async () => {
    await fx.sql('delete from ledger.reserve_snapshot');
    expect(await fx.services.reserves.publishIfDue(fx.em(), 60)).toBe(true);
    expect(await fx.services.reserves.publishIfDue(fx.em(), 60)).toBe(false);
    const [row] = await fx.sql<{ n: string }>('select count(*)::text as n from ledger.reserve_snapshot');
    expect(Number(row!.n)).toBe(9);
  });
});
