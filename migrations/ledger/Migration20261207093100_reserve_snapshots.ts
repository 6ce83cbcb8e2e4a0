import { Migration } from '@mikro-orm/migrations';

/**
 * Proof of reserves: one published snapshot per asset and point in time (its Merkle sum root and total
 * liabilities), its leaves (which user, with the per-leaf nonce that hides the user id) and every tree node, so a
 * user's path is read with one indexed query instead of rebuilding the tree.
 */
export class Migration20261207093100_reserve_snapshots extends Migration {
  override async up(): Promise<void> {
    this.addSql(`
      create table ledger.reserve_snapshot (
        id text primary key,
        asset text not null,
        taken_at timestamptz not null,
        root_hash text not null check (root_hash ~ '^[0-9a-f]{64}$'),
        total numeric(78,0) not null check (total >= 0),
        leaf_count integer not null check (leaf_count >= 0),
        published_by text,
        created_at timestamptz not null default now()
      )`);
    this.addSql(`create index reserve_snapshot_asset_idx on ledger.reserve_snapshot (asset, taken_at desc)`);
    this.addSql(`
      create table ledger.reserve_leaf (
        snapshot_id text not null references ledger.reserve_snapshot (id) on delete cascade,
        user_id text not null,
        position integer not null,
        nonce text not null check (nonce ~ '^[0-9a-f]{32}$'),
        balance numeric(78,0) not null check (balance > 0),
        primary key (snapshot_id, user_id)
      )`);
    this.addSql(`
      create table ledger.reserve_node (
        snapshot_id text not null references ledger.reserve_snapshot (id) on delete cascade,
        level smallint not null,
        position integer not null,
        hash text not null,
        sum numeric(78,0) not null check (sum >= 0),
        primary key (snapshot_id, level, position)
      )`);
  }
}
