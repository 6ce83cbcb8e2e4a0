import type { EventEnvelope } from '../../platform/bus/envelope.js';
import type { Notification } from './notification.js';

/**
 * The events the notifier turns into messages (subjects and payloads as their owners publish them: wallet
 * deposit/withdrawal events, ledger.transaction.committed and ledger.order.filled, support.ticket.replied,
 * kyc.submission.*). Each maps to zero or more notifications; nothing here reads a database.
 */
export const NOTIFYING_SUBJECTS = [
  'wallet.deposit.detected',
  'wallet.deposit.credited',
  'wallet.deposit.reorged',
  'wallet.withdrawal.changed',
  'ledger.transaction.committed',
  'ledger.order.filled',
  'support.ticket.replied',
  'kyc.submission.approved',
  'kyc.submission.rejected',
] as const;

type Payload = Record<string, unknown>;
const str = (p: Payload, key: string): string | null => (typeof p[key] === 'string' ? (p[key] as string) : null);

/** The notifications `event` produces (empty when it concerns nobody to notify, or lacks what a message needs). */
export function notificationsOf(event: EventEnvelope): Notification[] {
  const p = (event.payload ?? {}) as Payload;
  switch (event.type) {
    case 'wallet.deposit.detected':
    case 'wallet.deposit.credited':
    case 'wallet.deposit.reorged': {
      const userId = str(p, 'userId');
      const depositId = str(p, 'depositId');
      const asset = str(p, 'asset');
      const amount = str(p, 'amount');
      const network = str(p, 'network');
      if (!userId || !depositId || !asset || !amount || !network) return [];
      const facts = { depositId, asset, amount, network };
      if (event.type === 'wallet.deposit.detected') return [{ userId, kind: 'DEPOSIT_DETECTED', facts }];
      if (event.type === 'wallet.deposit.credited') return [{ userId, kind: 'DEPOSIT_CREDITED', facts }];
      return [{ userId, kind: 'DEPOSIT_REORGED', facts }];
    }
    case 'wallet.withdrawal.changed': {
      const userId = str(p, 'userId');
      const withdrawalId = str(p, 'withdrawalId');
      const asset = str(p, 'asset');
      const status = str(p, 'status');
      if (!userId || !withdrawalId || !asset || !status) return [];
      const amount = str(p, 'amount');
      if (status === 'BROADCAST')
        return [{ userId, kind: 'WITHDRAWAL_BROADCAST', facts: { withdrawalId, asset, amount } }];
      if (status === 'COMPLETED')
        return [{ userId, kind: 'WITHDRAWAL_COMPLETED', facts: { withdrawalId, asset, amount } }];
      if (status === 'FAILED' || status === 'REJECTED' || status === 'CANCELLED')
        return [{ userId, kind: 'WITHDRAWAL_FAILED', facts: { withdrawalId, asset, amount, status } }];
      return [];
    }
    case 'ledger.transaction.committed': {
      // A transfer's userIds are [sender, recipient]: the recipient is told.
      const userIds = Array.isArray(p.userIds) ? (p.userIds as unknown[]) : [];
      const recipient = typeof userIds[1] === 'string' ? userIds[1] : null;
      const transactionId = str(p, 'transactionId');
      const asset = str(p, 'asset');
      const amount = str(p, 'amount');
      if (p.kind !== 'TRANSFER' || !recipient || !transactionId || !asset || !amount) return [];
      return [{ userId: recipient, kind: 'TRANSFER_RECEIVED', facts: { transactionId, asset, amount } }];
    }
    case 'ledger.order.filled': {
      const userId = str(p, 'userId');
      const [orderId, from, to, pay, receive] = ['orderId', 'from', 'to', 'pay', 'receive'].map((k) => str(p, k));
      if (!userId || !orderId || !from || !to || !pay || !receive) return [];
      return [{ userId, kind: 'ORDER_FILLED', facts: { orderId, from, to, pay, receive } }];
    }
    case 'support.ticket.replied': {
      // A public staff answer to the ticket's owner; the user's own replies and internal notes tell nobody.
      const userId = str(p, 'userId');
      const ticketId = str(p, 'ticketId');
      if (!userId || !ticketId || p.authorRole === 'USER' || p.internal === true) return [];
      return [{ userId, kind: 'TICKET_ANSWERED', facts: { ticketId } }];
    }
    case 'kyc.submission.approved': {
      // The payload's approved names are personal data: only the tier is kept.
      const userId = str(p, 'userId');
      const submissionId = str(p, 'submissionId');
      const tier = str(p, 'approvedTier') ?? str(p, 'tier');
      if (!userId || !submissionId || !tier) return [];
      return [{ userId, kind: 'KYC_APPROVED', facts: { submissionId, tier } }];
    }
    case 'kyc.submission.rejected': {
      const userId = str(p, 'userId');
      const submissionId = str(p, 'submissionId');
      if (!userId || !submissionId) return [];
      return [{ userId, kind: 'KYC_REJECTED', facts: { submissionId } }];
    }
    default:
      return [];
  }
}
