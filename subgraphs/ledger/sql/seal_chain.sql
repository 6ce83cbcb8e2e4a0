-- Seals committed transactions into the hash chain in (xid, seq) order, up to p_limit at a time. Only rows
-- below ledger.settled_horizon() are sealed: no transaction still in flight can ever sort before them, so
-- the chain order is final. One sealer at a time (advisory lock); others return 0.
create or replace function ledger.seal_chain(p_limit integer) returns integer language plpgsql as $fn$
declare
  v_position bigint := 0;
  v_hash bytea := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea;
  v_xid xid8 := '0'::xid8;
  v_seq bigint := 0;
  v_xmin xid8;
  v_sealed integer := 0;
  v_next bytea;
  r record;
begin
  if not pg_try_advisory_xact_lock(hashtext('ledger.seal_chain')) then
    return 0;
  end if;
  select c.position, c.hash, t.xid, t.seq into v_position, v_hash, v_xid, v_seq
    from ledger.chain c join ledger.transaction t on t.id = c.transaction_id
    order by c.position desc limit 1;
  if not found then
    v_position := 0; v_hash := '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea; v_xid := '0'::xid8; v_seq := 0;
  end if;
  v_xmin := ledger.settled_horizon();
  for r in
    select t.id, t.content_hash from ledger.transaction t
    where (t.xid, t.seq) > (v_xid, v_seq) and t.xid < v_xmin
    order by t.xid, t.seq
    limit p_limit
  loop
    v_next := sha256(v_hash || r.content_hash);
    v_position := v_position + 1;
    insert into ledger.chain (position, transaction_id, prev_hash, hash) values (v_position, r.id, v_hash, v_next);
    v_hash := v_next;
    v_sealed := v_sealed + 1;
  end loop;
  return v_sealed;
end
$fn$;
