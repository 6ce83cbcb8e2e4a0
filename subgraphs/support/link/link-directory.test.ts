import { describe, expect, it } from 'vitest';
import { isOtherReference, ownersOf } from './link-directory.consumer.js';

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

  it('reads orders, vouchers (bought and redeemed) and Paystar payments', () => {
    expect(ownersOf('ledger.order.updated', { orderId: 'ord_1', userId: u1, status: 'OPEN' })).toEqual({
      kind: 'ORDER',
      objectId: 'ord_1',
      userIds: [u1],
    });
    expect(ownersOf('ledger.order.filled', { orderId: 'ord_1', userId: u1 })?.kind).toBe('ORDER');
    expect(ownersOf('voucher.purchase.requested', { purchaseId: 'vch_1', userId: u1 })).toEqual({
      kind: 'VOUCHER',
      objectId: 'vch_1',
      userIds: [u1],
    });
    expect(ownersOf('voucher.redemption.confirmed', { redemptionId: 'vch_2', userId: u2 })?.objectId).toBe('vch_2');
    expect(ownersOf('payment.card-payment.started', { paymentId: 'pay_2', userId: u2 })?.objectId).toBe('pay_2');
    expect(ownersOf('payment.deposit.received', { reference: 'paystar:pay_1', userId: u1, amount: '5' })).toEqual({
      kind: 'PAYMENT',
      objectId: 'pay_1',
      userIds: [u1],
    });
  });

  it('skips a bank credit quietly: its reference names no Payment', () => {
    const bank = { reference: 'bank:REF123', userId: u1, amount: '5', channel: 'BANK_TRANSFER' };
    expect(isOtherReference('payment.deposit.received', bank)).toBe(true);
    expect(ownersOf('payment.deposit.received', bank)).toBeNull();
    expect(isOtherReference('payment.deposit.received', { reference: 'paystar:pay_1', userId: u1 })).toBe(false);
    expect(isOtherReference('wallet.deposit.detected', { depositId: 'dep_1', userId: u1 })).toBe(false);
    expect(ownersOf('payment.deposit.received', { reference: 'paystar:', userId: u1 })).toBeNull();
  });
});
