-- Append-only, for every role including the owner: the trigger function behind the transaction, posting and
-- chain tables' UPDATE/DELETE/TRUNCATE triggers.
create or replace function ledger.refuse_change() returns trigger language plpgsql as $$
  begin
    raise exception 'ledger.% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001', hint = 'post a reversal instead';
  end
$$;
