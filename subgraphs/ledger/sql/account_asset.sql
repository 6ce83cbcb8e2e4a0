-- The asset an account address holds (the third part of user:, receivable: and custody: addresses, the second otherwise).
create or replace function ledger.account_asset(p_account text) returns text language sql immutable parallel safe as $$
  select case split_part(p_account, ':', 1) when 'user' then split_part(p_account, ':', 3) when 'custody' then split_part(p_account, ':', 3) when 'receivable' then split_part(p_account, ':', 3) else split_part(p_account, ':', 2) end
$$;
