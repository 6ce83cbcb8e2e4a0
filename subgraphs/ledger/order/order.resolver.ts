import { Arg, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { hasRole, isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { checkTradingPair } from '../../../platform/config/order-rules.js';
import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { badInput, forbidden, unauthenticated } from '../../../platform/errors.js';
import { formatAmount } from '../../../platform/money/amount.js';
import { ASSETS } from '../../../platform/money/assets.js';
import { accounts } from '../core/accounts.js';
import type { LedgerContext } from '../context.js';
import { TransactionType, AssetRef, amountText } from '../transaction/transaction.type.js';
import { LedgerUser } from '../user/user.resolver.js';
import type { PairSetting } from './trading-settings.js';
import { orderCursor } from './order.service.js';
import {
  ExchangePositionType,
  OrderConnection,
  OrderFilterInput,
  OrderType,
  PlaceLimitOrderInput,
  PlaceOrderInput,
  QuoteInput,
  QuoteType,
  SetTradingPairInput,
  TradingFeeType,
  TradingPairType,
  usdText,
} from './order.type.js';
import { connectionFrom } from '../../../platform/graphql/page-info.js';

export const orderReference = batchedReference<OrderType, LedgerContext>('Order', 'id', async (ids, ctx) =>
  Promise.all(
    ids.map(async (id) => {
      const o = await ctx.ledger.orders.byId(ctx.em, ctx.viewer, id);
      return o ? OrderType.from(o) : null;
    }),
  ),
);

/** Trading settings: the FINANCE role or SUPERADMIN (the gateway checks the same before planning). */
function requireTradingAdmin(viewer: Viewer): string {
  if (!viewer.userId) throw unauthenticated();
  if (!hasRole(viewer, 'FINANCE', 'SUPERADMIN')) throw forbidden('Requires the FINANCE role');
  return viewer.userId;
}

function pairType(s: PairSetting): TradingPairType {
  return Object.assign(new TradingPairType(), {
    pair: s.pair,
    enabled: s.enabled,
    spreadBps: s.spreadBps,
    exposureCapUsd: s.exposureCapUsdCents === null ? null : usdText(s.exposureCapUsdCents),
  });
}

function usdCents(text: string, field: string): bigint {
  const m = /^(\d{1,15})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) throw badInput(`${field} is US dollars with at most 2 decimals, e.g. "50000"`, { field });
  return BigInt(m[1]!) * 100n + BigInt((m[2] ?? '').padEnd(2, '0'));
}

function bps(value: number, field: string): number {
  if (!Number.isInteger(value) || value < 0 || value > 9_999)
    throw badInput(`${field} is 0 to 9999 basis points`, { field });
  return value;
}

@Resolver(() => OrderType)
export class OrderResolver {
  @Mutation(() => QuoteType, {
    description:
      'Prices a trade and locks it for a few seconds (PRICE_STALE / PRICE_UNAVAILABLE without a fresh price).',
  })
  async quote(@Arg('input', () => QuoteInput) input: QuoteInput, @Ctx() ctx: LedgerContext): Promise<QuoteType> {
    return QuoteType.from(await ctx.ledger.orders.quote(ctx.em, ctx.viewer, input));
  }

  @Mutation(() => OrderType, {
    description:
      'Fills a live quote atomically: FILLED, or REJECTED with rejectionCode (INSUFFICIENT_FUNDS, LIMIT_EXCEEDED, EXPOSURE_LIMIT_EXCEEDED). QUOTE_EXPIRED, TRADING_DISABLED: nothing written.',
  })
  async placeOrder(
    @Arg('input', () => PlaceOrderInput) input: PlaceOrderInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<OrderType> {
    return OrderType.from(await ctx.ledger.orders.place(ctx.em, ctx.viewer, input));
  }

  @Mutation(() => OrderType, {
    description:
      'Holds the funds and rests until a market tick crosses the limit (then FILLED at the limit price), it expires (EXPIRED) or you cancel it (CANCELLED); the hold is released unless filled. REJECTED: INSUFFICIENT_FUNDS.',
  })
  async placeLimitOrder(
    @Arg('input', () => PlaceLimitOrderInput) input: PlaceLimitOrderInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<OrderType> {
    return OrderType.from(await ctx.ledger.limitOrders.place(ctx.em, ctx.viewer, input));
  }

  @Mutation(() => OrderType, {
    description:
      'Cancels your resting limit order and releases its hold; a fill that got there first wins (CONFLICT with the status).',
  })
  async cancelOrder(@Arg('id', () => ID) id: string, @Ctx() ctx: LedgerContext): Promise<OrderType> {
    return OrderType.from(await ctx.ledger.limitOrders.cancel(ctx.em, ctx.viewer, id));
  }

  @Query(() => OrderType, { nullable: true, description: 'One order: its owner or staff; null otherwise.' })
  async order(@Arg('id', () => ID) id: string, @Ctx() ctx: LedgerContext): Promise<OrderType | null> {
    const o = await ctx.ledger.orders.byId(ctx.em, ctx.viewer, id);
    return o ? OrderType.from(o) : null;
  }

  @FieldResolver(() => TransactionType, { nullable: true, description: 'The ledger transaction of a filled order.' })
  async transaction(@Root() order: OrderType, @Ctx() ctx: LedgerContext): Promise<TransactionType | null> {
    if (!order.record.transactionId) return null;
    const [t] = await ctx.ledger.transactions.byIds(ctx.em, [order.record.transactionId]);
    return t ? TransactionType.from(t) : null;
  }

  @Query(() => [ExchangePositionType], {
    description: "Staff: the exchange's inventory per asset (exchange:<asset>) with its USD value, and fees earned.",
  })
  async exchangeExposure(@Ctx() ctx: LedgerContext): Promise<ExchangePositionType[]> {
    if (!ctx.viewer.userId) throw unauthenticated();
    if (!isStaff(ctx.viewer)) throw forbidden('Staff only');
    const rows = await ctx.em.getConnection().execute<{ account: string; amount: string }[]>(
      `select account, sum(amount)::text as amount from ledger.balance
         where account like 'exchange:%' or account like 'fees:%' group by account`,
    );
    const sum = new Map(rows.map((r) => [r.account, BigInt(r.amount)]));
    return ASSETS.map((a) => {
      const position = sum.get(accounts.exchange(a.symbol)) ?? 0n;
      let usdValue: string | null = null;
      try {
        const cents = ctx.ledger.orders.rates.valueOf(a.symbol, position < 0n ? -position : position, 'USD');
        usdValue = usdText(position < 0n ? -cents : cents);
      } catch {
        usdValue = null; // no fresh price: the position is still shown
      }
      return Object.assign(new ExchangePositionType(), {
        asset: AssetRef.of(a.symbol),
        position: formatAmount(position, a.decimals),
        usdValue,
        fees: amountText(a.symbol, sum.get(accounts.fees(a.symbol)) ?? 0n),
      });
    });
  }

  @Query(() => [TradingPairType], {
    description: 'Staff: pairs whose settings staff changed (others use the defaults).',
  })
  async tradingPairs(@Ctx() ctx: LedgerContext): Promise<TradingPairType[]> {
    if (!ctx.viewer.userId) throw unauthenticated();
    if (!isStaff(ctx.viewer)) throw forbidden('Staff only');
    return (await ctx.ledger.orders.settings.pairs(ctx.em)).map(pairType);
  }

  @Query(() => [TradingFeeType], { description: 'Staff: the fee per user level.' })
  async tradingFees(@Ctx() ctx: LedgerContext): Promise<TradingFeeType[]> {
    if (!ctx.viewer.userId) throw unauthenticated();
    if (!isStaff(ctx.viewer)) throw forbidden('Staff only');
    return (await ctx.ledger.orders.settings.fees(ctx.em)).map((f) =>
      Object.assign(new TradingFeeType(), { level: f.level, fixedUsd: usdText(f.fixedUsdCents), bps: f.bps }),
    );
  }

  @Mutation(() => TradingPairType, {
    description:
      'FINANCE: switch a pair on or off, set its spread, or cap the exposure it may add ("-" removes the cap).',
  })
  async setTradingPair(
    @Arg('input', () => SetTradingPairInput) input: SetTradingPairInput,
    @Ctx() ctx: LedgerContext,
  ): Promise<TradingPairType> {
    const staffId = requireTradingAdmin(ctx.viewer);
    const pair = checkTradingPair(input.pair);
    if (!pair)
      throw badInput('pair is like TON/IRT: quote side Toman, then USDT, then alphabetical', { field: 'pair' });
    const cap = input.exposureCapUsd?.trim();
    const setting = await ctx.ledger.orders.settings.setPair(ctx.em, staffId, pair, {
      enabled: input.enabled,
      spreadBps: input.spreadBps == null ? null : bps(input.spreadBps, 'spreadBps'),
      exposureCapUsdCents: cap && cap !== '-' ? usdCents(cap, 'exposureCapUsd') : null,
      clearCap: cap === '-',
    });
    return pairType(setting);
  }

  @Mutation(() => TradingFeeType, { description: "FINANCE: a level's trading fee (fixed US dollars + basis points)." })
  async setTradingFee(
    @Arg('level', () => Int) level: number,
    @Arg('fixedUsd', () => String) fixedUsd: string,
    @Arg('bps', () => Int) feeBps: number,
    @Ctx() ctx: LedgerContext,
  ): Promise<TradingFeeType> {
    const staffId = requireTradingAdmin(ctx.viewer);
    if (!Number.isInteger(level) || level < 1 || level > 100) throw badInput('level is 1 to 100', { field: 'level' });
    const rule = await ctx.ledger.orders.settings.setFee(ctx.em, staffId, {
      level,
      fixedUsdCents: usdCents(fixedUsd, 'fixedUsd'),
      bps: bps(feeBps, 'bps'),
    });
    return Object.assign(new TradingFeeType(), { level, fixedUsd: usdText(rule.fixedUsdCents), bps: rule.bps });
  }
}

@Resolver(() => LedgerUser)
export class OrderUserResolver {
  @FieldResolver(() => OrderConnection, { description: 'Orders, newest first. Owner and staff only.' })
  async orders(
    @Root() user: LedgerUser,
    @Arg('first', () => Int, { defaultValue: 20 }) first: number,
    @Arg('after', () => String, { nullable: true }) after: string | null,
    @Arg('filter', () => OrderFilterInput, { nullable: true }) filter: OrderFilterInput | null,
    @Ctx() ctx: LedgerContext,
  ): Promise<OrderConnection> {
    const page = await ctx.ledger.orders.history(ctx.em, ctx.viewer, user.id, filter ?? {}, first, after);
    const edges = page.orders.map((o) => ({ cursor: orderCursor(o), node: OrderType.from(o) }));
    return connectionFrom(edges, page.hasNextPage);
  }
}
