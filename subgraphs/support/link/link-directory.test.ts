import { describe, expect, it } from 'vitest';
import { ownersOf } from './link-directory.consumer.js';

const u1 = 'usr_01m97vztkece9v5p3fac3ycc6a';
const u2 = 'usr_01m97vztq0746apx7d5sa0dpx7';

describe('link directory sources', () => {
  it('reads the owner of a deposit and every party of a transaction', () => {
    expect(ownersOf('wallet.deposit.detected', { depositId: 'dep_1', userId: u1, amount: '5' })).toEqual({
      kind: 'DEPOSIT',
      objectId: 'dep_1',
      userIds: [u1],
    });
    expect(ownersOf('ledger.transaction.committed', { transactionId: 'txn_1', userIds: [u1, u2, u1] })).toEqual({
      kind: 'TRANSACTION',
      objectId: 'txn_1',
      userIds: [u1, u2],
    });
    expect(ownersOf('wallet.withdrawal.requested', { withdrawalId: 'wdr_1', userId: u2 })?.kind).toBe('WITHDRAWAL');
  });

  it('ignores events without an id or owner, and subjects that are not sources', () => {
    expect(ownersOf('wallet.deposit.detected', { depositId: 'dep_1' })).toBeNull();
    expect(ownersOf('ledger.transaction.committed', { transactionId: 'txn_1', userIds: [] })).toBeNull();
    expect(ownersOf('ledger.transaction.committed', { userIds: [u1] })).toBeNull();
    expect(ownersOf('wallet.deposit.confirmed', { depositId: 'dep_1', userId: u1 })).toBeNull();
    expect(ownersOf('wallet.deposit.detected', { depositId: 'dep_1', userId: 'not-a-user' })).toBeNull();
  });
});
