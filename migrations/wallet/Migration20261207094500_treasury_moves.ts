import { Migration } from '@mikro-orm/migrations';

/**
 * Coins the platform moves between its own addresses: SWEEP (a user deposit address → hot), GAS_TOPUP (hot → a
 * deposit address, the native coin a token sweep needs) and COLD (hot → the cold wallet). Each row is written
 * before anything is signed (PLANNED), carries the signed bytes before they are broadcast (SIGNED), and is
 * resolved by the chain's status after a crash, never signed again with a new sequence.
 */
export class Migration20261207094500_treasury_moves extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table wallet.treasury_move (
        id text primary key,
        kind text not null check (kind in ('SWEEP', 'GAS_TOPUP', 'COLD')),
        network text not null,
        asset text not null,
        source_kind text not null check (source_kind in ('deposit', 'hot')),
        source_index integer,
        from_address text not null,
        to_address text not null,
        amount numeric(78,0) not null check (amount > 0),
        status text not null check (status in ('WAITING_GAS', 'PLANNED', 'SIGNED', 'BROADCAST', 'CONFIRMED', 'FAILED')),
        -- a sweep waiting for its gas top-up
        top_up_id text references wallet.treasury_move (id),
        fee_asset text not null,
        max_fee numeric(78,0),
        fee numeric(78,0),
        tx_hash text,
        raw text,
        sequence numeric(78,0),
        expires_at timestamptz,
        error text,
        created_at timestamptz not null default now(),
        updated_at timestamptz not null default now(),
        constraint treasury_move_source check ((source_kind = 'deposit') = (source_index is not null)),
        constraint treasury_move_signed check (status in ('WAITING_GAS', 'PLANNED', 'FAILED') or (tx_hash is not null and raw is not null))
      )`);
    this.addSql(
      `create index treasury_move_open_idx on wallet.treasury_move (network, status) where status not in ('CONFIRMED', 'FAILED')`,
    );
    // One open move per thing it moves, so a second round (or a second worker) never plans the same coins twice:
    // a sweep per deposit address and asset, a top-up per deposit address, a cold move per asset.
    for (const [name, kind, columns] of [
      ['treasury_move_one_sweep', 'SWEEP', 'network, from_address, asset'],
      ['treasury_move_one_top_up', 'GAS_TOPUP', 'network, to_address'],
      ['treasury_move_one_cold', 'COLD', 'network, asset'],
    ])
      this.addSql(
        `create unique index ${name} on wallet.treasury_move (${columns}) where kind = '${kind}' and status not in ('CONFIRMED', 'FAILED')`,
      );
  }
}
