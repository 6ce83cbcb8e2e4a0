/**
 * Who may do what on the bus, enforced by nats-server itself (its `authorization` block), not by the
 * consumers' good faith. One NATS user per service:
 *
 * - Domain events are published only by the outbox relay, logged in as one user per domain
 *   (`outbox-wallet` may publish `wallet.>` and nothing else). The relay opens one connection per outbox
 *   schema with that domain's credentials, so even a row a compromised ledger writes into its own outbox
 *   with the subject `wallet.deposit.confirmed` is refused by the server. In production each domain's relay
 *   can run as its own process holding only that domain's credentials (`--schema wallet`).
 * - Subgraphs publish no domain subject at all (they write their outbox); market alone publishes the
 *   ephemeral `market.price.*`, with the price-feed worker. The gateway publishes nothing.
 * - So a consumer of `wallet.deposit.confirmed` (the ledger) trusts exactly one user: `outbox-wallet`.
 *
 * JetStream: every user gets only the `$JS.API` subjects it needs, named down to the stream and the durable
 * consumer. Nobody but `migrate` may create or update the stream (a stream's sources/republish settings
 * could otherwise copy someone's messages onto a subject they may not publish), nobody may create an
 * ephemeral consumer (a push consumer delivers onto any subject its creator names), only the gateway may read
 * stored messages (`$JS.API.STREAM.MSG.GET.<stream>`: a request/reply read that delivers nothing anywhere else,
 * for subscriptions resumed after a reconnect; the server cannot narrow it to subjects, so the gateway reads
 * only its live fields' subjects, gateway/subscriptions/event-log.ts), and a service may create, pull from and ack only its
 * own durables, so one service cannot drain (and ack away) another's events. Pull replies and publish acks
 * go to a per-user inbox prefix (`_INBOX_<user>`), the only thing a consumer subscribes to; nobody can read
 * another user's replies.
 *
 * Consumers are created through `$JS.API.CONSUMER.CREATE.<stream>.<durable>.<filter subject>` (the form
 * nats.js uses from server 2.9 on; the server checks the filter in the request equals the one in the
 * subject), so the grant names the subject too: a service can only create a consumer on what it may read.
 * The legacy `CONSUMER.DURABLE.CREATE` (no filter in the subject) and ephemeral `CONSUMER.CREATE.<stream>`
 * are granted to nobody.
 */

/** Domains whose events are durable (JetStream), each published by its own outbox user. */
export const EVENT_DOMAINS = [
  'identity',
  'wallet',
  'ledger',
  'market',
  'payment',
  'voucher',
  'support',
  'kyc',
] as const;
export type EventDomain = (typeof EVENT_DOMAINS)[number];

/**
 * The subjects of each domain's durable events: the stream captures these, and only that domain's outbox user
 * may publish them. Market's are its asset switches only: its prices (`market.price.*`) are core NATS, never stored.
 */
export const DOMAIN_EVENT_SUBJECTS: Record<EventDomain, string> = {
  identity: 'identity.>',
  wallet: 'wallet.>',
  ledger: 'ledger.>',
  market: 'market.asset.>',
  payment: 'payment.>',
  voucher: 'voucher.>',
  support: 'support.>',
  kyc: 'kyc.>',
};

/** A durable consumer a service runs: its name and the subjects it reads (without prefix). */
export interface ConsumerGrant {
  durable: string;
  subjects: readonly string[];
}

export interface ServiceGrant {
  /** Core subjects it publishes (without prefix). */
  publish: readonly string[];
  /** Core subjects it subscribes to directly (without prefix), e.g. the gateway's live updates. */
  subscribe: readonly string[];
  /** Durable JetStream consumers it owns. */
  consumers: readonly ConsumerGrant[];
  /** Reads the events stream's info (every service that uses JetStream checks the stream exists). */
  streamInfo: boolean;
  /** Creates and updates the events stream (bus provisioning, run with the migrations). */
  streamAdmin?: boolean;
  /** Reads stored messages one at a time (request/reply `STREAM.MSG.GET`): the gateway's resumed subscriptions. */
  streamRead?: boolean;
}

/**
 * The durable names runDurableConsumer creates for one consumer: one durable per subject when it reads
 * several (multi-subject filters need NATS 2.10), named after the subject.
 */
export function durableNames(durable: string, subjects: readonly string[]): string[] {
  return subjects.length === 1 ? [durable] : subjects.map((subject) => `${durable}-${subject.replace(/[.>*]/g, '_')}`);
}

const LIVE_SUBJECTS = [
  'identity.user.updated',
  ...['detected', 'confirming', 'confirmed', 'credited', 'reorged', 'ignored'].map((verb) => `wallet.deposit.${verb}`),
  'ledger.transaction.committed',
  'market.price.updated',
  ...['submitted', 'approved', 'rejected'].map((verb) => `kyc.submission.${verb}`),
  ...['opened', 'replied', 'assigned', 'resolved', 'closed'].map((verb) => `support.ticket.${verb}`),
  'ledger.order.updated',
  'payment.withdrawal.updated',
  'wallet.withdrawal.changed',
];

/** Every NATS user and its grants. Keep in step with the consumers (permissions.test.ts checks it). */
export const SERVICE_GRANTS: Record<string, ServiceGrant> = {
  identity: {
    publish: [],
    subscribe: [],
    consumers: [
      { durable: 'identity-level-facts', subjects: ['kyc.submission.approved', 'ledger.order.filled'] },
      { durable: 'identity-account-recovery', subjects: ['kyc.recovery.approved'] },
    ],
    streamInfo: true,
  },
  wallet: {
    publish: [],
    // The latest prices, to convert token withdrawals' network fees and value them against approval thresholds.
    subscribe: ['market.price.updated'],
    consumers: [
      { durable: 'wallet-deposit-credits', subjects: ['ledger.transaction.committed'] },
      { durable: 'wallet-asset-minimums', subjects: ['market.asset.updated'] },
      {
        durable: 'wallet-withdrawal-holds',
        subjects: ['ledger.hold.placed', 'ledger.hold.rejected', 'ledger.withdrawal.settled'],
      },
      // The verified number (personal data): withdrawal-address codes go to it. No other user is granted it.
      { durable: 'wallet-verified-phones', subjects: ['kyc.phone.verified'] },
    ],
    streamInfo: true,
  },
  market: { publish: ['market.price.>'], subscribe: [], consumers: [], streamInfo: true },
  ledger: {
    publish: [],
    // The latest prices, to value transfers against the level limits (LEDGER_LEVEL_LIMITS).
    subscribe: ['market.price.updated'],
    consumers: [
      {
        durable: 'ledger-postings',
        subjects: [
          'wallet.deposit.confirmed',
          'wallet.deposit.reorged',
          'wallet.withdrawal.requested',
          'wallet.withdrawal.completed',
          'wallet.withdrawal.failed',
          'wallet.sweep.confirmed',
        ],
      },
      {
        durable: 'ledger-user-directory',
        subjects: ['identity.user.created', 'identity.user.updated', 'identity.user.level-changed'],
      },
      { durable: 'ledger-asset-switches', subjects: ['market.asset.updated'] },
      { durable: 'ledger-withdrawal-freezes', subjects: ['wallet.withdrawals.frozen', 'wallet.withdrawals.unfrozen'] },
      { durable: 'ledger-account-recovery', subjects: ['identity.user.recovered'] },
      {
        durable: 'ledger-payment-postings',
        subjects: [
          'payment.deposit.received',
          'payment.withdrawal.requested',
          'payment.withdrawal.completed',
          'payment.withdrawal.failed',
        ],
      },
      {
        durable: 'ledger-voucher-postings',
        subjects: [
          'voucher.purchase.requested',
          'voucher.purchase.completed',
          'voucher.purchase.failed',
          'voucher.redemption.confirmed',
        ],
      },
    ],
    streamInfo: true,
  },
  kyc: {
    publish: [],
    subscribe: [],
    consumers: [{ durable: 'kyc-account-recovery-refused', subjects: ['identity.user.recovery-refused'] }],
    streamInfo: true,
  },
  support: {
    publish: [],
    subscribe: [],
    consumers: [
      {
        durable: 'support-link-directory',
        subjects: [
          'wallet.deposit.detected',
          'ledger.transaction.committed',
          'wallet.withdrawal.requested',
          'ledger.order.updated',
          'ledger.order.filled',
          'voucher.purchase.requested',
          'voucher.redemption.confirmed',
          'payment.deposit.received',
          'payment.card-payment.started',
        ],
      },
      {
        durable: 'support-staff-alerts',
        subjects: ['support.ticket.opened', 'support.ticket.replied', 'support.ticket.sla-breached'],
      },
    ],
    streamInfo: true,
  },
  payment: {
    publish: [],
    subscribe: [],
    consumers: [
      { durable: 'payment-kyc-holders', subjects: ['kyc.submission.approved'] },
      { durable: 'payment-withdrawal-holds', subjects: ['ledger.hold.placed', 'ledger.hold.rejected'] },
    ],
    streamInfo: true,
  },
  voucher: {
    publish: [],
    subscribe: [],
    consumers: [{ durable: 'voucher-hold-outcomes', subjects: ['ledger.hold.placed', 'ledger.hold.rejected'] }],
    streamInfo: true,
  },
  // Live fields; resumed subscriptions (`after:`) replay the stream's stored events with request/reply reads.
  gateway: { publish: [], subscribe: LIVE_SUBJECTS, consumers: [], streamInfo: true, streamRead: true },
  // Telegram messages to users (workers/notifier): its recipients from identity, the events it tells users about.
  notifier: {
    publish: [],
    subscribe: [],
    consumers: [
      { durable: 'notifier-recipients', subjects: ['identity.user.created', 'identity.user.updated'] },
      {
        durable: 'notifier-events',
        subjects: [
          'wallet.deposit.detected',
          'wallet.deposit.credited',
          'wallet.deposit.reorged',
          'wallet.withdrawal.changed',
          'ledger.transaction.committed',
          'ledger.order.filled',
          'support.ticket.replied',
          'kyc.submission.approved',
          'kyc.submission.rejected',
        ],
      },
    ],
    streamInfo: true,
  },
  'price-feed': { publish: ['market.price.>'], subscribe: [], consumers: [], streamInfo: false },
  migrate: { publish: [], subscribe: [], consumers: [], streamInfo: true, streamAdmin: true },
  ...Object.fromEntries(
    EVENT_DOMAINS.map((domain): [string, ServiceGrant] => [
      outboxUser(domain),
      { publish: [DOMAIN_EVENT_SUBJECTS[domain]], subscribe: [], consumers: [], streamInfo: true },
    ]),
  ),
};

/** The NATS user the outbox relay publishes a schema's rows as. */
export function outboxUser(schema: string): string {
  return `outbox-${schema}`;
}

/** The inbox prefix a user's replies (requests, pulls, publish acks) arrive on. */
export function inboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

/** nats-server reads an empty allow list as "no restriction", so a user that may publish nothing gets deny ">". */
export interface SubjectPermissions {
  publish: { allow: string[] } | { deny: ['>'] };
  subscribe: { allow: string[] };
}

/**
 * The server-side permissions of one user. `subjectPrefix` and `stream` may be concrete (production: '' and
 * 'EVENTS') or patterns: the test server uses '*.' and '*' so that every test file's own prefix and stream
 * are covered by one server (a `*` is one whole token, so `*.wallet.>` still never matches `*.ledger.…`).
 */
export function permissionsFor(user: string, subjectPrefix: string, stream: string): SubjectPermissions {
  const grant = SERVICE_GRANTS[user];
  if (!grant) throw new Error(`no NATS grants for "${user}"`);
  const publish = grant.publish.map((s) => subjectPrefix + s);
  const subscribe = [...grant.subscribe.map((s) => subjectPrefix + s), `${inboxPrefix(user)}.>`];
  const usesJetStream = grant.streamInfo || grant.streamAdmin || grant.streamRead || grant.consumers.length > 0;
  if (usesJetStream) publish.push('$JS.API.INFO');
  if (grant.streamInfo) publish.push(`$JS.API.STREAM.INFO.${stream}`);
  if (grant.streamRead) publish.push(`$JS.API.STREAM.MSG.GET.${stream}`);
  if (grant.streamAdmin) publish.push(`$JS.API.STREAM.CREATE.${stream}`, `$JS.API.STREAM.UPDATE.${stream}`);
  for (const consumer of grant.consumers) {
    const names = durableNames(consumer.durable, consumer.subjects);
    for (const [i, durable] of names.entries()) {
      publish.push(
        `$JS.API.CONSUMER.CREATE.${stream}.${durable}.${subjectPrefix}${consumer.subjects[i]}`,
        `$JS.API.CONSUMER.INFO.${stream}.${durable}`,
        `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`,
        `$JS.ACK.${stream}.${durable}.>`,
      );
    }
  }
  return { publish: publish.length ? { allow: publish } : { deny: ['>'] }, subscribe: { allow: subscribe } };
}

/** Every user that has grants (the services of the platform). */
export function natsUsers(): string[] {
  return Object.keys(SERVICE_GRANTS);
}
