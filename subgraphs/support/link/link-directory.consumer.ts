import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { Logger } from '../../../platform/logger.js';
import { runSubgraphConsumer, type SubgraphDeps } from '../../../platform/service/subgraph.js';
import type { LinkKind } from '../ticket/ticket.entity.js';

export const LINK_DIRECTORY_CONSUMER = 'support-link-directory';

/**
 * Where the link directory learns who owns what: per subject, the link kind, the payload field holding the
 * object's id and the field(s) holding its owner(s). A new source is one entry here plus its subject in
 * platform/bus/permissions.ts.
 */
export interface LinkSource {
  kind: LinkKind;
  idField: string;
  /** A string field (one owner) or a string-array field (several, e.g. both parties of a transfer). */
  ownerField: string;
  /**
   * When the id field is a reference `<prefix><id>` (payment.deposit.received's `paystar:<paymentId>`): only
   * references with this prefix name an object of this kind (others, e.g. `bank:<refCode>`, are skipped quietly),
   * and the prefix is dropped.
   */
  idPrefix?: string;
}

export const LINK_SOURCES: Record<string, LinkSource> = {
  // subgraphs/wallet/deposit/README.md: { depositId, userId, network, asset, amount, txHash, outputIndex, status }
  'wallet.deposit.detected': { kind: 'DEPOSIT', idField: 'depositId', ownerField: 'userId' },
  // subgraphs/ledger/README.md: { transactionId, kind, asset, amount, fee, reference, userIds, balances }
  'ledger.transaction.committed': { kind: 'TRANSACTION', idField: 'transactionId', ownerField: 'userIds' },
  // subgraphs/ledger/README.md (consumed there): { withdrawalId, userId, network, asset, amount, fee }
  'wallet.withdrawal.requested': { kind: 'WITHDRAWAL', idField: 'withdrawalId', ownerField: 'userId' },
  // subgraphs/ledger/order/order.records.ts: { orderId, userId, status, type } at every status change (a limit
  // order's OPEN), and { orderId, userId, … } when filled: either one teaches the owner.
  'ledger.order.updated': { kind: 'ORDER', idField: 'orderId', ownerField: 'userId' },
  'ledger.order.filled': { kind: 'ORDER', idField: 'orderId', ownerField: 'userId' },
  // subgraphs/voucher/voucher/voucher.events.ts: purchaseId and redemptionId are the Voucher's id (`vch_…`).
  // A purchase is known from its hold request; a redemption only once confirmed (a failed one has no event).
  'voucher.purchase.requested': { kind: 'VOUCHER', idField: 'purchaseId', ownerField: 'userId' },
  'voucher.redemption.confirmed': { kind: 'VOUCHER', idField: 'redemptionId', ownerField: 'userId' },
  // subgraphs/payment/payment.events.ts: PAYMENT is a Paystar card Payment (`pay_…`), known from its creation (so
  // one never paid or never credited can be linked) and, for payments made before that event existed, from the
  // credit { reference: 'paystar:<paymentId>' | 'bank:<refCode>', userId, … }. Toman withdrawals (FiatWithdrawal)
  // are not a link kind.
  'payment.card-payment.started': { kind: 'PAYMENT', idField: 'paymentId', ownerField: 'userId' },
  'payment.deposit.received': { kind: 'PAYMENT', idField: 'reference', ownerField: 'userId', idPrefix: 'paystar:' },
};

/** Subjects whose events may name no object of the kind (a bank credit in payment.deposit.received). */
export function isOtherReference(subject: string, payload: unknown): boolean {
  const source = LINK_SOURCES[subject];
  if (!source?.idPrefix || !payload || typeof payload !== 'object') return false;
  const id = (payload as Record<string, unknown>)[source.idField];
  return typeof id === 'string' && !id.startsWith(source.idPrefix);
}

/** The owners an event names for its object, or null when it is not a well-formed source event. */
export function ownersOf(
  subject: string,
  payload: unknown,
): { kind: LinkKind; objectId: string; userIds: string[] } | null {
  const source = LINK_SOURCES[subject];
  if (!source || !payload || typeof payload !== 'object') return null;
  const p = payload as Record<string, unknown>;
  const raw = p[source.idField];
  const objectId =
    source.idPrefix === undefined
      ? raw
      : typeof raw === 'string' && raw.startsWith(source.idPrefix)
        ? raw.slice(source.idPrefix.length)
        : null;
  const owners = p[source.ownerField];
  const userIds = (Array.isArray(owners) ? owners : [owners]).filter(
    (u): u is string => typeof u === 'string' && /^usr_[0-9a-z]{26}$/.test(u),
  );
  if (typeof objectId !== 'string' || !objectId || objectId.length > 100 || !userIds.length) return null;
  return { kind: source.kind, objectId, userIds: [...new Set(userIds)] };
}

export async function startLinkDirectoryConsumer(deps: SubgraphDeps) {
  const log = deps.log.child({ consumer: LINK_DIRECTORY_CONSUMER });
  const prefix = deps.config.nats.subjectPrefix;
  return runSubgraphConsumer(deps, {
    durable: LINK_DIRECTORY_CONSUMER,
    subjects: Object.keys(LINK_SOURCES),
    log,
    // Each event adds rows that do not depend on each other: order does not matter.
    concurrency: 8,
    handle: (event) => applyOwnerEvent(deps, event, prefix, log),
  });
}

/** Once per event (inbox): one row per (kind, object, owner); an owner already known is left as is. */
export async function applyOwnerEvent(
  deps: Pick<SubgraphDeps, 'orm'>,
  event: EventEnvelope,
  subjectPrefix: string,
  log: Logger,
): Promise<void> {
  const subject = event.type.startsWith(subjectPrefix) ? event.type.slice(subjectPrefix.length) : event.type;
  if (isOtherReference(subject, event.payload)) return;
  const owners = ownersOf(subject, event.payload);
  if (!owners) {
    log.error({ eventId: event.id, type: event.type }, 'link source event without an id or owner ignored');
    return;
  }
  await applyOnce(deps.orm.em, LINK_DIRECTORY_CONSUMER, event, async (tx) => {
    for (const userId of owners.userIds)
      await tx
        .getConnection()
        .execute(
          `insert into "support"."link_owner" ("kind", "object_id", "user_id") values (?, ?, ?) on conflict do nothing`,
          [owners.kind, owners.objectId, userId],
          'all',
          tx.getTransactionContext(),
        );
  });
}
