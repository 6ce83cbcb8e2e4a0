-- The (xid, seq) order is final below this transaction id: every transaction that could still write a
-- ledger row has an id at or above it. It is the oldest transaction in progress, leaving out those of
-- backends connected to another database (they cannot write here), or the next id to be assigned if none
-- is. Conservative: an id not positively known to be another database's counts.
create or replace function ledger.settled_horizon() returns xid8 language sql stable as $$
  with snap as (select pg_current_snapshot() as s),
  foreign_xids as (
    select backend_xid::text::bigint as x32 from pg_stat_activity
    where backend_xid is not null and datname is distinct from current_database()
  )
  select coalesce(
    (select min(x) from snap cross join lateral pg_snapshot_xip(snap.s) as x
      where (x::text::numeric % 4294967296)::bigint not in (select x32 from foreign_xids)),
    (select pg_snapshot_xmax(s) from snap))
$$;
