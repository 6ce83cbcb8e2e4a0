import type { EventEnvelope } from '../../platform/bus/envelope.js';
import { hasClaim, hasRole, isStaff, type Viewer } from '../../platform/auth/viewer.js';
import { badInput } from '../../platform/errors.js';
import { ASSETS } from '../../platform/money/assets.js';

/** A follow-up argument: its GraphQL type and the value taken from the event or the subscription. */
export interface FollowUpArg {
  type: string;
  value: unknown;
}

/**
 * How a live field of public data is fanned out: subscriptions listen to topics; an event names the
 * topics it concerns, and per topic the follow-up runs once for every subscriber with the same selection.
 */
export interface FanOutSpec {
  /** The query field the follow-up runs, and the GraphQL type of each of its arguments. */
  followUp: { field: string; args: Record<string, string> };
  /** The topics a subscription listens to, from its arguments; throws a DomainError for bad arguments. */
  topics(args: Record<string, unknown>): string[];
  /** The topics an event concerns, each with the follow-up's argument values. */
  targets(event: EventEnvelope): { topic: string; args: Record<string, unknown> }[];
}

/**
 * One field of the gateway's Subscription type. Events carry keys only; for each matching event the
 * gateway runs `followUp` as a query through itself with the subscriber's selection set. A field with
 * `fanOut` (public data) is served by topic instead of `matches` and `followUp`.
 */
export interface LiveField {
  name: string;
  /** The field's SDL inside `type Subscription { … }`. */
  sdl: string;
  subjects: string[];
  fanOut?: FanOutSpec;
  /** Cheap per-event filter: does this event concern this subscriber? */
  matches?(event: EventEnvelope, viewer: Viewer, args: Record<string, unknown>): boolean;
  /** The query root field to run, with arguments. */
  followUp?(
    event: EventEnvelope,
    viewer: Viewer,
    args: Record<string, unknown>,
  ): { field: string; args: Record<string, FollowUpArg> };
}

/**
 * The argument of every per-viewer live field that resumes after a reconnect: the stored events after that
 * one (each push names its event in `extensions.eventId`) are replayed first, then live ones follow.
 */
const AFTER =
  '"""Resume after this event (the `extensions.eventId` of the last push you received): the events you missed since, in order, then live ones. Beyond the resume window: `RESUME_WINDOW_EXCEEDED` (refetch, then subscribe without it).""" after: ID';

export const liveFields: LiveField[] = [
  {
    name: 'meUpdated',
    sdl: `"""The signed-in user, pushed whenever their settings, level, roles or claims change."""\n  meUpdated(${AFTER}): User!`,
    subjects: ['identity.user.updated'],
    matches: (event, viewer) => (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: () => ({ field: 'me', args: {} }),
  },
  {
    name: 'depositUpdated',
    sdl: `"""Your deposits, pushed at each status change: detected, confirming, confirmed (credit requested), credited, reorged or ignored."""\n  depositUpdated(${AFTER}): Deposit!`,
    // wallet.deposit.* (subgraphs/wallet/deposit/deposit.events.ts); each event carries the deposit id and its owner
    subjects: ['detected', 'confirming', 'confirmed', 'credited', 'reorged', 'ignored'].map(
      (verb) => `wallet.deposit.${verb}`,
    ),
    matches: (event, viewer) =>
      viewer.userId !== null && (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: (event) => ({
      field: 'deposit',
      args: { id: { type: 'ID!', value: (event.payload as { depositId?: string }).depositId } },
    }),
  },
  {
    name: 'kycUpdated',
    sdl: `"""Your KYC submission, pushed when it is submitted, approved or rejected."""\n  kycUpdated(${AFTER}): KycSubmission!`,
    // kyc.submission.* (subgraphs/kyc/submission/submission.events.ts) carry { submissionId, userId }
    subjects: ['submitted', 'approved', 'rejected'].map((verb) => `kyc.submission.${verb}`),
    matches: (event, viewer) =>
      viewer.userId !== null && (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: (event) => ({
      field: 'kycSubmission',
      args: { id: { type: 'ID!', value: (event.payload as { submissionId?: string }).submissionId } },
    }),
  },
  {
    name: 'ticketUpdated',
    sdl: `"""Your tickets (support staff: every ticket), pushed when one is opened, replied to, assigned, resolved or closed."""\n  ticketUpdated(${AFTER}): Ticket!`,
    // support.ticket.* (subgraphs/support/ticket/ticket.events.ts) carry { ticketId, userId (the owner), … }
    subjects: ['opened', 'replied', 'assigned', 'resolved', 'closed'].map((verb) => `support.ticket.${verb}`),
    matches: (event, viewer) => {
      if (!viewer.userId) return false;
      const p = event.payload as { userId?: string; internal?: boolean };
      if (isSupportStaff(viewer)) return true;
      // a staff-only note changes nothing the user can see
      return p.userId === viewer.userId && p.internal !== true;
    },
    followUp: (event) => ({
      field: 'ticket',
      args: { id: { type: 'ID!', value: (event.payload as { ticketId?: string }).ticketId } },
    }),
  },
  {
    name: 'balanceUpdated',
    sdl: `"""Your balances that a ledger transaction just changed (only these \`assets\`, when given), pushed after each commit."""\n  balanceUpdated(assets: [String!], ${AFTER}): [Balance!]!`,
    // ledger.transaction.committed carries { userId, asset } of every user balance the transaction moved
    subjects: ['ledger.transaction.committed'],
    matches: (event, viewer, args) => changedAssets(event, viewer, args).length > 0,
    followUp: (event, viewer, args) => ({
      field: 'balances',
      args: { assets: { type: '[String!]', value: changedAssets(event, viewer, args) } },
    }),
  },
  {
    name: 'orderUpdated',
    sdl: `"""Your orders, pushed at each status change (placed, filled, rejected, cancelled, expired)."""\n  orderUpdated(${AFTER}): Order!`,
    // ledger.order.updated (subgraphs/ledger/order/order.records.ts) carries { orderId, userId, status, type }
    subjects: ['ledger.order.updated'],
    matches: (event, viewer) =>
      viewer.userId !== null && (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: (event) => ({
      field: 'order',
      args: { id: { type: 'ID!', value: (event.payload as { orderId?: string }).orderId } },
    }),
  },
  {
    name: 'priceUpdated',
    sdl: '"""Prices of these assets (default: every priced asset) in this quote (default: USD and IRT), pushed when they change. Public data: one execution per selection serves every subscriber."""\n  priceUpdated(symbols: [String!], quote: Quote): Price!',
    subjects: ['market.price.updated'],
    fanOut: {
      followUp: { field: 'price', args: { symbol: 'String!', quote: 'Quote!' } },
      topics: (args) => {
        const symbols = (args.symbols as string[] | null | undefined) ?? PRICED_ASSETS.map((a) => a.symbol);
        const quotes = typeof args.quote === 'string' ? [args.quote] : QUOTES;
        const unknown = symbols.filter((s) => !PRICED_ASSETS.some((a) => a.symbol === s));
        if (unknown.length) throw badInput(`No market price for ${unknown.join(', ')}`, { field: 'symbols', unknown });
        return [...new Set(symbols)].flatMap((symbol) => quotes.map((quote) => priceTopic(symbol, quote)));
      },
      targets: (event) => {
        const { coin, quote } = event.payload as { coin?: unknown; quote?: unknown };
        if (typeof coin !== 'string' || typeof quote !== 'string' || !QUOTES.includes(quote)) return [];
        // one coin is several assets (USDT on each network): each asset symbol is its own topic
        return PRICED_ASSETS.filter((a) => a.coin === coin).map((a) => ({
          topic: priceTopic(a.symbol, quote),
          args: { symbol: a.symbol, quote },
        }));
      },
    },
  },
  {
    name: 'fiatWithdrawalUpdated',
    sdl: `"""Your Toman withdrawals, pushed at each status change: held, waiting for approval, approved, sending, done, failed."""\n  fiatWithdrawalUpdated(${AFTER}): FiatWithdrawal!`,
    // payment.withdrawal.updated (subgraphs/payment/payment.events.ts) carries { withdrawalId, userId, status }
    subjects: ['payment.withdrawal.updated'],
    matches: (event, viewer) =>
      viewer.userId !== null && (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: (event) => ({
      field: 'fiatWithdrawal',
      args: { id: { type: 'ID!', value: (event.payload as { withdrawalId?: string }).withdrawalId } },
    }),
  },
  {
    name: 'withdrawalUpdated',
    sdl: `"""Your withdrawals, pushed at each status change (requested, approval, signed, broadcast, confirming, completed, or refused)."""\n  withdrawalUpdated(${AFTER}): Withdrawal!`,
    // wallet.withdrawal.changed (subgraphs/wallet/withdrawal/withdrawal.events.ts) carries { withdrawalId, userId, status }
    subjects: ['wallet.withdrawal.changed'],
    matches: (event, viewer) =>
      viewer.userId !== null && (event.payload as { userId?: string }).userId === viewer.userId,
    followUp: (event) => ({
      field: 'withdrawal',
      args: { id: { type: 'ID!', value: (event.payload as { withdrawalId?: string }).withdrawalId } },
    }),
  },
];

/** The assets of the viewer's balances a ledger commit changed, narrowed to the subscription's `assets`. */
function changedAssets(event: EventEnvelope, viewer: Viewer, args: Record<string, unknown>): string[] {
  if (!viewer.userId) return [];
  const balances = (event.payload as { balances?: { userId?: unknown; asset?: unknown }[] }).balances;
  if (!Array.isArray(balances)) return [];
  const wanted = Array.isArray(args.assets) ? new Set(args.assets as string[]) : null;
  const assets = balances
    .filter((b) => b.userId === viewer.userId && typeof b.asset === 'string')
    .map((b) => b.asset as string);
  return [...new Set(assets)].filter((a) => !wanted || wanted.has(a));
}

/** Assets with a market price (Toman is what prices are quoted in). */
const PRICED_ASSETS = ASSETS.filter((a) => a.coin !== 'IRT');
const QUOTES = ['USD', 'IRT'];
const priceTopic = (symbol: string, quote: string) => `${symbol}|${quote}`;

/** Support staff (as the support subgraph and the gateway rules define them) follow every ticket. */
function isSupportStaff(viewer: Viewer): boolean {
  return hasRole(viewer, 'SUPPORT', 'SUPERADMIN') || (isStaff(viewer) && hasClaim(viewer, 'tickets:assign'));
}
