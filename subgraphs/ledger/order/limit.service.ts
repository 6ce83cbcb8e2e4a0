import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { checkTradingPair } from '../../../platform/config/order-rules.js';
import { badInput, conflict, notFound, unauthenticated } from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { parseAmount } from '../../../platform/money/amount.js';
import { ASSETS, assetInfo } from '../../../platform/money/assets.js';
import type { NatsConnection, Subscription } from 'nats';
import { parseEvent } from '../../../platform/bus/envelope.js';
import { formatDecimal, parseDecimal, type ScaledDecimal } from '../../../providers/http/scaled-decimal.js';
import { PRICE_SUBJECT } from '../limits/price-book.js';
import { checkAmount, checkIdempotencyKey } from '../core/inputs.js';
import type { OutboxWaker } from '../core/outbox-waker.js';
import { requestHash } from '../core/request-hash.js';
import type { UserDirectory } from '../directory/directory.service.js';
import type { HoldService } from '../hold/hold.service.js';
import type { PriceEntry } from '../limits/price-book.js';
import { ORDER_COLUMNS, orderOf, type OrderRecord, type OrderRow } from './order.records.js';
import { tradingDisabled, type OrderService } from './order.service.js';
import { ceilDiv, ratioText } from './pricing.js';

const run = <T = Record<string, unknown>>(em: EntityManager, sql: string, params: unknown[] = []) =>
  em.getConnection().execute<T[]>(sql, params, 'all', em.getTransactionContext());

export interface LimitOrderInput {
  /** `BASE/IRT`: limit orders trade against Toman, priced by the market's `<coin>/IRT` ticks. */
  pair: string;
  side: 'BUY' | 'SELL';
  /** Of the base asset. */
  amount: string;
  /** Toman per one whole base unit. */
  limitPrice: string;
  expiresAt?: Date | null;
  idempotencyKey: string;
}

/** Resting orders filled per database transaction when a tick crosses them. */
export const FILL_BATCH = 200;

/**
 * Limit orders: the funds are held (available → held) when the order is placed; a market tick that crosses the
 * limit fills it once at the limit price (held → exchange, exchange → user and fees, one ledger transaction);
 * cancel or expiry releases the hold. Exactly once: a fill, a cancel and an expiry each lock the order row and
 * act only on PLACED, in the same transaction as their ledger movement; fills take rows `for update skip
 * locked`, so duplicate ticks and several ledger processes split the work instead of repeating it.
 */
export class LimitOrders {
  private latest = new Map<string, ScaledDecimal>();
  private running: Promise<void> | null = null;

  constructor(
    private readonly orders: OrderService,
    private readonly holds: HoldService,
    private readonly directory: UserDirectory,
    private readonly waker: OutboxWaker,
    private readonly em: () => EntityManager,
    private readonly log: Logger,
  ) {}

  /** Resolves when no fill round is running (shutdown). */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  async place(em: EntityManager, viewer: Viewer, input: LimitOrderInput): Promise<OrderRecord> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const key = checkIdempotencyKey(input.idempotencyKey);
    const pair = checkTradingPair(input.pair);
    const [base, quote] = pair?.split('/') ?? [];
    if (!pair || quote !== 'IRT')
      throw badInput('Limit orders trade an asset against Toman: pair is like TON/IRT', { field: 'pair' });
    if (input.side !== 'BUY' && input.side !== 'SELL') throw badInput('side is BUY or SELL', { field: 'side' });
    const baseInfo = assetInfo(base!)!;
    const amount = checkAmount(input.amount, baseInfo);
    const limitPrice = parseAmount(input.limitPrice, 0, 'limitPrice');
    if (limitPrice <= 0n) throw badInput('limitPrice must be greater than zero (whole Toman)', { field: 'limitPrice' });
    const expiresAt = input.expiresAt ?? null;
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw badInput('expiresAt must be in the future', { field: 'expiresAt' });
    const hash = requestHash('placeLimitOrder', {
      pair,
      side: input.side,
      amount,
      limitPrice,
      expiresAt: expiresAt?.toISOString() ?? null,
    });
    const setting = await this.orders.settings.pair(em, pair);
    if (!setting.enabled) throw tradingDisabled(pair);
    await this.orders.requireAssetsEnabled(em, base!, 'IRT');
    const feeRule = await this.orders.settings.feeFor(em, await this.directory.levelOf(em, userId));
    const scale = 10n ** BigInt(baseInfo.decimals);
    // at the limit price: BUY pays Toman rounded up and gets `amount`; SELL pays `amount` and gets Toman rounded down
    const from = input.side === 'BUY' ? 'IRT' : base!;
    const to = input.side === 'BUY' ? base! : 'IRT';
    const pay = input.side === 'BUY' ? ceilDiv(amount * limitPrice, scale) : amount;
    const gross = input.side === 'BUY' ? amount : (amount * limitPrice) / scale;
    const fee =
      this.orders.rates.fromUsdCents(feeRule.fixedUsdCents, to) + ceilDiv(gross * BigInt(feeRule.bps), 10_000n);
    if (gross - fee <= 0n)
      throw badInput('amount is too small: after the fee nothing would be received', { field: 'amount' });
    // whole units of `to` per whole unit of `from`, at the limit price
    const rate = input.side === 'BUY' ? ratioText({ num: 1n, den: limitPrice }, 18) : `${limitPrice}`;
    const order = await em.fork().transactional(async (tx) => {
      const id = newId('ord');
      const [inserted] = await run<OrderRow>(
        tx,
        `insert into ledger.trade_order (id, user_id, idempotency_key, request_hash, type, kind, from_asset, to_asset,
           pay_amount, receive_amount, fee, rate, pair, limit_side, limit_price, status, volume_toman, expires_at)
         values (?, ?, ?, ?, 'LIMIT', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'PLACED', ?, ?)
         on conflict do nothing returning ${ORDER_COLUMNS}`,
        [
          id,
          userId,
          key,
          hash,
          input.side,
          from,
          to,
          pay.toString(),
          (gross - fee).toString(),
          fee.toString(),
          rate,
          pair,
          input.side,
          limitPrice.toString(),
          (input.side === 'BUY' ? pay : gross).toString(),
          expiresAt,
        ],
      );
      if (!inserted) {
        const [prior] = await run<OrderRow>(
          tx,
          `select ${ORDER_COLUMNS} from ledger.trade_order where user_id = ? and idempotency_key = ?`,
          [userId, key],
        );
        if (!prior || prior.request_hash !== hash)
          throw conflict('This idempotencyKey was already used for a different request', { field: 'idempotencyKey' });
        return orderOf(prior);
      }
      const { result, hold } = await this.holds.place(tx, {
        userId,
        asset: from,
        amount: pay,
        kind: input.side,
        reference: `order:${id}`,
        expiresAt: null, // the order's expiry releases it (with the order row), not the hold sweeper
        actor: userId,
      });
      const [row] = hold
        ? await run<OrderRow>(tx, `update ledger.trade_order set hold_id = ? where id = ? returning ${ORDER_COLUMNS}`, [
            hold.id,
            id,
          ])
        : await run<OrderRow>(
            tx,
            `update ledger.trade_order set status = 'REJECTED', rejection_code = ?, rejection_message = ?,
               updated_at = clock_timestamp() where id = ? returning ${ORDER_COLUMNS}`,
            [
              result.type === 'InsufficientFunds' ? 'INSUFFICIENT_FUNDS' : result.type,
              result.type === 'InsufficientFunds'
                ? `Not enough ${from}: ${pay} needed, ${result.available} available (minor units)`
                : 'refused',
              id,
            ],
          );
      const placed = orderOf(row!);
      this.orders.recordUpdate(tx, placed);
      return placed;
    });
    this.waker.poke();
    return order;
  }

  /** The owner cancels a resting order: its hold is released. Already cancelled: the same answer; filled or ended: CONFLICT. */
  async cancel(em: EntityManager, viewer: Viewer, orderId: string): Promise<OrderRecord> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const order = await em.fork().transactional(async (tx) => {
      const [row] = await run<OrderRow>(
        tx,
        `select ${ORDER_COLUMNS} from ledger.trade_order where id = ? and user_id = ? for update`,
        [orderId, userId],
      );
      if (!row) throw notFound('Order', orderId);
      const current = orderOf(row);
      if (current.status === 'CANCELLED') return current;
      if (current.status !== 'PLACED' || current.type !== 'LIMIT')
        throw conflict(`The order is ${current.status} and can no longer be cancelled`, { status: current.status });
      return this.end(tx, current, 'CANCELLED', userId);
    });
    this.waker.poke();
    return order;
  }

  /** Releases a resting order's hold and ends it (CANCELLED or EXPIRED); the row is locked by the caller. */
  private async end(tx: EntityManager, order: OrderRecord, status: 'CANCELLED' | 'EXPIRED', actor: string) {
    if (order.holdId) await this.holds.release(tx, order.holdId, actor, status === 'EXPIRED' ? 'EXPIRED' : 'RELEASED');
    const [row] = await run<OrderRow>(
      tx,
      `update ledger.trade_order set status = ?, updated_at = clock_timestamp() where id = ? and status = 'PLACED'
       returning ${ORDER_COLUMNS}`,
      [status, order.id],
    );
    const ended = orderOf(row!);
    this.orders.recordUpdate(tx, ended);
    return ended;
  }

  /** Ends resting orders past their expiry, a batch at a time; returns how many. */
  async expireDue(limit = FILL_BATCH): Promise<number> {
    const n = await this.em().transactional(async (tx) => {
      const rows = await run<OrderRow>(
        tx,
        `select ${ORDER_COLUMNS} from ledger.trade_order
         where status = 'PLACED' and type = 'LIMIT' and expires_at <= now()
         order by expires_at limit ? for update skip locked`,
        [limit],
      );
      for (const row of rows) await this.end(tx, orderOf(row), 'EXPIRED', 'system:order-expiry');
      return rows.length;
    });
    if (n) this.waker.poke();
    return n;
  }

  /**
   * A market tick: remembers the newest price per coin and (one run at a time per process) fills the resting
   * orders it crosses. Ticks that arrive meanwhile are folded into the next round; only Toman prices matter.
   */
  tick(coin: string, quote: string, entry: PriceEntry): Promise<void> {
    if (quote !== 'IRT' || !this.orders.rates.isFresh(entry)) return this.running ?? Promise.resolve();
    this.latest.set(coin, entry.value);
    this.running ??= (async () => {
      try {
        while (this.latest.size) {
          const [next] = this.latest;
          this.latest.delete(next![0]);
          await this.crossAll(next![0], next![1]);
        }
      } catch (err) {
        this.log.error({ err }, 'filling limit orders failed; the next tick tries again');
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }

  /** Fills every resting order `price` (Toman per whole `coin`) crosses, FILL_BATCH per transaction; returns how many. */
  async crossAll(coin: string, price: ScaledDecimal): Promise<number> {
    const pairs = ASSETS.filter((a) => a.coin === coin && a.symbol !== 'IRT').map((a) => `${a.symbol}/IRT`);
    if (!pairs.length) return 0;
    const value = formatDecimal(price);
    let filled = 0;
    for (;;) {
      const n = await this.em().transactional(async (tx) => {
        // one index range per side (trade_order_resting): buys at or above the price, sells at or below it
        const rows = await run<OrderRow>(
          tx,
          `select ${ORDER_COLUMNS} from ledger.trade_order
           where status = 'PLACED' and type = 'LIMIT' and pair = any(?::text[])
             and ((limit_side = 'BUY' and limit_price >= ?::numeric) or (limit_side = 'SELL' and limit_price <= ?::numeric))
             and (expires_at is null or expires_at > now())
           order by id limit ? for update skip locked`,
          [`{${pairs.join(',')}}`, value, value, FILL_BATCH],
        );
        const batch: OrderRecord[] = [];
        let done = 0;
        for (const row of rows) {
          const order = orderOf(row);
          const setting = await this.orders.settings.pair(tx, order.pair!);
          if (!setting.enabled) continue; // rests until the pair is switched on again
          if (setting.exposureCapUsdCents !== null) {
            await this.fillOne(tx, order, setting); // the cap is checked order by order under its lock
            done++;
          } else batch.push(order);
        }
        const filled = await this.orders.fillMany(tx, batch);
        const captured = filled.filter((o) => o.status === 'FILLED' && o.holdId).map((o) => o.holdId!);
        if (captured.length)
          await run(
            tx,
            `update ledger.hold set captured = amount - released, status = 'CAPTURED', updated_at = now()
             where id = any(?::text[]) and status = 'ACTIVE'`,
            [`{${captured.join(',')}}`],
          );
        for (const o of filled)
          if (o.status !== 'FILLED' && o.holdId) await this.holds.release(tx, o.holdId, 'system:limit-orders');
        done += filled.length;
        return { rows: rows.length, done };
      });
      filled += n.done;
      if (n.done) this.waker.poke();
      if (n.rows < FILL_BATCH || n.done === 0) return filled;
    }
  }

  /** One resting order at its limit price: the fill from the hold, or (refused) REJECTED and the hold released. */
  private async fillOne(tx: EntityManager, order: OrderRecord, setting: Parameters<OrderService['fill']>[2]) {
    const done = await this.orders.fill(tx, order, setting, order.holdId);
    if (done.status === 'FILLED') {
      await run(
        tx,
        `update ledger.hold set captured = captured + ?, status = 'CAPTURED', updated_at = now() where id = ? and status = 'ACTIVE'`,
        [order.pay.toString(), order.holdId],
      );
    } else if (order.holdId) {
      await this.holds.release(tx, order.holdId, 'system:limit-orders');
    }
    return done;
  }
}

/** Every ledger process hears the market's ticks (core NATS) and fills what they cross. */
export function startLimitOrderTicks(deps: {
  nats: NatsConnection;
  subjectPrefix: string;
  limits: LimitOrders;
  log: Logger;
}): { stop(): Promise<void> } {
  const sub: Subscription = deps.nats.subscribe(deps.subjectPrefix + PRICE_SUBJECT);
  const done = (async () => {
    for await (const msg of sub) {
      try {
        const p = parseEvent(msg.data).payload as {
          coin?: unknown;
          quote?: unknown;
          value?: unknown;
          updatedAt?: unknown;
        };
        if (typeof p.coin !== 'string' || typeof p.quote !== 'string' || typeof p.value !== 'string') continue;
        const observedAt = new Date(typeof p.updatedAt === 'string' ? p.updatedAt : NaN);
        if (Number.isNaN(observedAt.getTime())) continue;
        const value = parseDecimal(p.value);
        if (value.value <= 0n) continue;
        void deps.limits.tick(p.coin, p.quote, { value, observedAt });
      } catch (err) {
        deps.log.warn({ err }, 'ignoring a price update the limit orders cannot read');
      }
    }
  })();
  return {
    async stop() {
      sub.unsubscribe();
      await done;
      await deps.limits.idle();
    },
  };
}
