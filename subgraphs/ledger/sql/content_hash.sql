-- The canonical form of a transaction, hashed; the same function serves posting (commit_batch) and
-- verification (verifyLedger).
create or replace function ledger.content_hash(
  p_id text, p_kind text, p_asset text, p_amount numeric, p_fee numeric, p_user text, p_counterparty text,
  p_reference text, p_note text, p_actor text, p_reason text, p_reverses text, p_hold text,
  p_created_at timestamptz, p_postings text
) returns bytea language sql stable parallel safe as $$
  select sha256(convert_to(format('v1|%L|%L|%L|%s|%s|%L|%L|%L|%L|%L|%L|%L|%L|%s|%L',
    p_id, p_kind, p_asset, p_amount::numeric(78,0), p_fee::numeric(78,0), p_user, p_counterparty, p_reference, p_note,
    p_actor, p_reason, p_reverses, p_hold, (extract(epoch from p_created_at) * 1000000)::bigint, p_postings), 'UTF8'))
$$;
