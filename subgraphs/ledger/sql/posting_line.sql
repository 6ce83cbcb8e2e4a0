-- One posting as it enters a transaction's canonical form (content_hash): source>destination:asset:amount.
create or replace function ledger.posting_line(p_source text, p_destination text, p_asset text, p_amount numeric) returns text language sql immutable parallel safe as $$
  select p_source || '>' || p_destination || ':' || p_asset || ':' || (p_amount::numeric(78,0))::text
$$;
