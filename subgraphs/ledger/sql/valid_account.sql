-- Whether an address is a ledger account (the grammar of subgraphs/ledger/core/accounts.ts):
--   user:<userId>:<ASSET>:available|held, receivable:<userId>:<ASSET>, custody:<NETWORK>:<ASSET>, fees:<ASSET>, exchange:<ASSET>, world:<ASSET>.
-- Used by the posting table's CHECK constraints.
create or replace function ledger.valid_account(p_account text) returns boolean language sql immutable parallel safe as $$
  select p_account ~ '^(user:[A-Za-z0-9_-]+:[A-Z][A-Z_]*:(available|held)|receivable:[A-Za-z0-9_-]+:[A-Z][A-Z_]*|custody:[A-Z]+:[A-Z][A-Z_]*|(fees|exchange|world):[A-Z][A-Z_]*)$'
$$;
