import { Migration } from '@mikro-orm/migrations';

/**
 * The instant exchange: quotes (stored server-side, the client holds only the id), orders (instant and limit),
 * and the staff's trading settings per pair (switch, spread, exposure cap) and per level (fee).
 */
export class Migration20261207090000_orders extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table ledger.order_quote (
        id text primary key,
        user_id text not null,
        from_asset text not null,
        to_asset text not null,
        side text not null check (side in ('SPEND', 'RECEIVE')),
        pay_amount numeric(78,0) not null check (pay_amount > 0),
        receive_amount numeric(78,0) not null check (receive_amount > 0),
        fee numeric(78,0) not null check (fee >= 0),
        rate text not null,
        spread_bps integer not null,
        fee_bps integer not null,
        volume_toman numeric(78,0) not null,
        volume_usd_cents numeric(78,0),
        expires_at timestamptz not null,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index order_quote_expires_at on ledger.order_quote using brin (expires_at)`);
    this.addSql(`
      create table ledger.trade_order (
        id text primary key,
        user_id text not null,
        idempotency_key text not null,
        request_hash text not null,
        type text not null check (type in ('MARKET', 'LIMIT')),
        kind text not null check (kind in ('BUY', 'SELL', 'SWAP')),
        from_asset text not null,
        to_asset text not null,
        pay_amount numeric(78,0) not null check (pay_amount > 0),
        receive_amount numeric(78,0) not null check (receive_amount > 0),
        fee numeric(78,0) not null check (fee >= 0),
        rate text not null,
        quote_id text unique,
        pair text,
        limit_side text check (limit_side in ('BUY', 'SELL')),
        limit_price numeric(78,0),
        hold_id text,
        status text not null check (status in ('PLACED', 'FILLED', 'REJECTED', 'CANCELLED', 'EXPIRED')),
        rejection_code text,
        rejection_message text,
        transaction_id text references ledger.transaction (id),
        volume_toman numeric(78,0) not null,
        volume_usd_cents numeric(78,0),
        expires_at timestamptz,
        created_at timestamptz not null default clock_timestamp(),
        updated_at timestamptz not null default clock_timestamp(),
        unique (user_id, idempotency_key),
        constraint trade_order_filled_has_transaction check ((status = 'FILLED') = (transaction_id is not null)),
        constraint trade_order_limit_fields check ((type = 'LIMIT') = (limit_price is not null and pair is not null and limit_side is not null))
      )`);
    this.addSql(`create index trade_order_user on ledger.trade_order (user_id, created_at desc, id desc)`);
    // Resting limit orders a tick crosses: one index range per pair and side (buys at or above the price, sells at or below).
    this.addSql(
      `create index trade_order_resting on ledger.trade_order (pair, limit_side, limit_price) where status = 'PLACED' and type = 'LIMIT'`,
    );
    this.addSql(
      `create index trade_order_expiring on ledger.trade_order (expires_at) where status = 'PLACED' and type = 'LIMIT'`,
    );
    this.addSql(`
      create table ledger.trading_pair (
        pair text primary key,
        enabled boolean not null default true,
        spread_bps integer check (spread_bps between 0 and 9999),
        exposure_cap_usd_cents numeric(78,0) check (exposure_cap_usd_cents >= 0),
        updated_by text not null,
        updated_at timestamptz not null default now()
      )`);
    this.addSql(`
      create table ledger.trading_fee (
        level integer primary key check (level >= 1),
        fixed_usd_cents numeric(78,0) not null check (fixed_usd_cents >= 0),
        bps integer not null check (bps between 0 and 9999),
        updated_by text not null,
        updated_at timestamptz not null default now()
      )`);
  }
}
