/**
 * What the notifier tells users: each kind belongs to one category, which users may mute (settings'
 * `mutedNotifications`), except SECURITY (a reorg that took back a credited deposit is always sent).
 */
export const MUTABLE_CATEGORIES = ['DEPOSITS', 'TRANSFERS', 'WITHDRAWALS', 'ORDERS', 'SUPPORT', 'KYC'] as const;
export type MutableCategory = (typeof MUTABLE_CATEGORIES)[number];
export type Category = MutableCategory | 'SECURITY';

/** Facts of each kind, as stored in `notifier.message.facts` (amounts: minor units as decimal strings). */
export interface NotificationFacts {
  DEPOSIT_DETECTED: { depositId: string; asset: string; amount: string; network: string };
  DEPOSIT_CREDITED: { depositId: string; asset: string; amount: string; network: string };
  DEPOSIT_REORGED: { depositId: string; asset: string; amount: string; network: string };
  TRANSFER_RECEIVED: { transactionId: string; asset: string; amount: string };
  WITHDRAWAL_BROADCAST: { withdrawalId: string; asset: string; amount: string | null };
  WITHDRAWAL_COMPLETED: { withdrawalId: string; asset: string; amount: string | null };
  WITHDRAWAL_FAILED: { withdrawalId: string; asset: string; amount: string | null; status: string };
  ORDER_FILLED: { orderId: string; from: string; to: string; pay: string; receive: string };
  TICKET_ANSWERED: { ticketId: string };
  KYC_APPROVED: { submissionId: string; tier: string };
  KYC_REJECTED: { submissionId: string };
}
export type NotificationKind = keyof NotificationFacts;

export const CATEGORY_OF: Record<NotificationKind, Category> = {
  DEPOSIT_DETECTED: 'DEPOSITS',
  DEPOSIT_CREDITED: 'DEPOSITS',
  DEPOSIT_REORGED: 'SECURITY',
  TRANSFER_RECEIVED: 'TRANSFERS',
  WITHDRAWAL_BROADCAST: 'WITHDRAWALS',
  WITHDRAWAL_COMPLETED: 'WITHDRAWALS',
  WITHDRAWAL_FAILED: 'WITHDRAWALS',
  ORDER_FILLED: 'ORDERS',
  TICKET_ANSWERED: 'SUPPORT',
  KYC_APPROVED: 'KYC',
  KYC_REJECTED: 'KYC',
};

/** One notification for one user, derived from one event. */
export type Notification = {
  [K in NotificationKind]: { userId: string; kind: K; facts: NotificationFacts[K] };
}[NotificationKind];

/** A user's mute list applies to this notification (SECURITY is never muted). */
export function isMuted(kind: NotificationKind, muted: readonly string[]): boolean {
  const category = CATEGORY_OF[kind];
  return category !== 'SECURITY' && muted.includes(category);
}
