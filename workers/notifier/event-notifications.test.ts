import { describe, expect, it } from 'vitest';
import { makeEvent } from '../../platform/bus/envelope.js';
import { notificationsOf } from './event-notifications.js';
import { isMuted } from './notification.js';

const ev = (type: string, payload: Record<string, unknown>) => makeEvent(type, type.split('.')[0]!, payload);

describe('events → notifications', () => {
  it('a transfer tells its recipient only; other ledger transactions tell nobody', () => {
    const payload = { transactionId: 'txn_1', asset: 'TON', amount: '5', userIds: ['usr_a', 'usr_b'] };
    expect(notificationsOf(ev('ledger.transaction.committed', { ...payload, kind: 'TRANSFER' }))).toEqual([
      { userId: 'usr_b', kind: 'TRANSFER_RECEIVED', facts: { transactionId: 'txn_1', asset: 'TON', amount: '5' } },
    ]);
    expect(notificationsOf(ev('ledger.transaction.committed', { ...payload, kind: 'DEPOSIT' }))).toEqual([]);
  });

  it('withdrawals: broadcast, completed and the failed ends; other statuses are silent', () => {
    const w = { withdrawalId: 'wd_1', userId: 'usr_a', network: 'ETH', asset: 'ETH', amount: '10', from: 'X' };
    const kinds = ['APPROVED', 'BROADCAST', 'COMPLETED', 'CANCELLED'].map(
      (status) => notificationsOf(ev('wallet.withdrawal.changed', { ...w, status }))[0]?.kind ?? null,
    );
    expect(kinds).toEqual([null, 'WITHDRAWAL_BROADCAST', 'WITHDRAWAL_COMPLETED', 'WITHDRAWAL_FAILED']);
  });

  it('a staff answer tells the ticket owner; the user’s own reply and internal notes do not; KYC keeps no names', () => {
    const r = { ticketId: 't', userId: 'u', messageId: 'm', reopened: false };
    expect(notificationsOf(ev('support.ticket.replied', { ...r, authorRole: 'STAFF', internal: false }))).toHaveLength(
      1,
    );
    expect(notificationsOf(ev('support.ticket.replied', { ...r, authorRole: 'STAFF', internal: true }))).toEqual([]);
    expect(notificationsOf(ev('support.ticket.replied', { ...r, authorRole: 'USER', internal: false }))).toEqual([]);
    const approved = notificationsOf(
      ev('kyc.submission.approved', {
        submissionId: 's',
        userId: 'u',
        tier: 'FULL',
        approvedTier: 'BASIC',
        holderName: { firstName: 'A', lastName: 'B' },
      }),
    );
    expect(approved).toEqual([{ userId: 'u', kind: 'KYC_APPROVED', facts: { submissionId: 's', tier: 'BASIC' } }]);
  });

  it('mutes apply to their category; security (a reorg reversal) is never muted', () => {
    expect(isMuted('DEPOSIT_CREDITED', ['DEPOSITS'])).toBe(true);
    expect(isMuted('DEPOSIT_REORGED', ['DEPOSITS', 'SECURITY'])).toBe(false);
    expect(isMuted('TRANSFER_RECEIVED', ['DEPOSITS'])).toBe(false);
  });
});
