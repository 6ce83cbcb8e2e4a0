import { Migration } from '@mikro-orm/migrations';
import { outboxTablesSql } from '../../../platform/bus/outbox.entity.js';

/**
 * The ledger: append-only transactions and postings, cached balances, holds, idempotency records, the
 * hash chain and the user directory, plus the one-round-trip posting function. Design notes are in
 * subgraphs/ledger/README.md.
 */
export class Migration20261122000000_init extends Migration {
  override async up(): Promise<void> {
    for (const sql of ledgerInitSql()) this.addSql(sql);
  }
}

const KINDS = `'DEPOSIT', 'WITHDRAWAL', 'TRANSFER', 'BUY', 'SELL', 'SWAP', 'FEE', 'REVERSAL', 'ADJUSTMENT'`;
/** Genesis of the hash chain: the "previous hash" of the first sealed transaction. */
const GENESIS = `'\\x${'00'.repeat(32)}'::bytea`;

export function ledgerInitSql(): string[] {
  return [
    ...outboxTablesSql('ledger'),
    // A NOTIFY per committing transaction serializes every commit behind one lock (PostgreSQL takes a
    // database-wide lock in PreCommit_Notify until the commit is flushed): half the throughput here. The
    // ledger wakes the relay itself, at most every few milliseconds (subgraphs/ledger/core/outbox-waker.ts).
    `drop trigger outbox_notify on "ledger"."outbox"`,

    // Account addresses: user:<userId>:<ASSET>:available|held, custody:<NETWORK>:<ASSET>, fees:<ASSET>,
    // exchange:<ASSET>, world:<ASSET>.
    `create function ledger.valid_account(p_account text) returns boolean language sql immutable parallel safe as $$
      select p_account ~ '^(user:[A-Za-z0-9_-]+:[A-Z][A-Z_]*:(available|held)|custody:[A-Z]+:[A-Z][A-Z_]*|(fees|exchange|world):[A-Z][A-Z_]*)$'
    $$`,
    `create function ledger.account_asset(p_account text) returns text language sql immutable parallel safe as $$
      select case split_part(p_account, ':', 1) when 'user' then split_part(p_account, ':', 3) when 'custody' then split_part(p_account, ':', 3) else split_part(p_account, ':', 2) end
    $$`,

    // Cached balances. System accounts are striped over 64 rows (shard) so that the fee account, which
    // every transfer credits, is not one hot row; a user's account is always shard 0. A row is created
    // only for an account a posting names (postings check the address grammar and the asset), so the
    // checks here are the cheap ones re-evaluated on every update.
    `create table ledger.balance (
      account text not null,
      shard smallint not null default 0,
      asset text not null,
      user_id text generated always as (case when account like 'user:%' then split_part(account, ':', 2) end) stored,
      amount numeric(78,0) not null default 0,
      primary key (account, shard),
      constraint balance_shard_range check (shard between 0 and 63 and (user_id is null or shard = 0)),
      constraint balance_user_non_negative check (user_id is null or amount >= 0)
    ) with (fillfactor = 70)`,
    `create index balance_user_idx on ledger.balance (user_id) where user_id is not null`,

    // Transactions. (xid, seq) is the commit-safe order: rows are listed and sealed in that order only below
    // ledger.settled_horizon(), which is what makes history pages and chain sealing gap-free.
    `create sequence ledger.transaction_seq`,
    `create table ledger.transaction (
      id text primary key,
      seq bigint not null default nextval('ledger.transaction_seq'),
      xid xid8 not null default pg_current_xact_id(),
      kind text not null check (kind in (${KINDS})),
      asset text not null,
      amount numeric(78,0) not null check (amount >= 0),
      fee numeric(78,0) not null default 0 check (fee >= 0),
      user_id text null,
      counterparty_id text null,
      reference text null,
      note text null,
      actor text null,
      reason text null,
      reverses text null references ledger.transaction (id),
      hold_id text null,
      created_at timestamptz not null default now(),
      content_hash bytea not null
    )`,
    `create index transaction_order_idx on ledger.transaction (xid, seq)`,
    `create index transaction_user_idx on ledger.transaction (user_id, xid, seq)`,
    `create index transaction_counterparty_idx on ledger.transaction (counterparty_id, xid, seq) where counterparty_id is not null`,
    `create index transaction_created_at_idx on ledger.transaction (created_at)`,
    `create unique index transaction_deposit_reference_idx on ledger.transaction (reference) where kind = 'DEPOSIT'`,
    `create unique index transaction_reverses_idx on ledger.transaction (reverses) where reverses is not null`,
    `create index transaction_hold_idx on ledger.transaction (hold_id) where hold_id is not null`,

    // Postings are written only by ledger.commit_batch, with their transaction, and never change; no
    // foreign key (a per-row check on the hot path): verifyLedger reports any posting without its transaction.
    `create table ledger.posting (
      transaction_id text not null,
      idx smallint not null,
      source text not null,
      destination text not null,
      asset text not null,
      amount numeric(78,0) not null,
      primary key (transaction_id, idx),
      constraint posting_amount_positive check (amount > 0),
      constraint posting_distinct_accounts check (source <> destination),
      constraint posting_accounts_valid check (ledger.valid_account(source) and ledger.valid_account(destination)),
      constraint posting_asset_matches check (ledger.account_asset(source) = asset and ledger.account_asset(destination) = asset)
    )`,

    `create table ledger.chain (
      position bigint primary key,
      transaction_id text not null unique references ledger.transaction (id),
      prev_hash bytea not null,
      hash bytea not null,
      sealed_at timestamptz not null default now()
    )`,

    // Append-only, for every role including the owner: updates, deletes and truncates are refused.
    `create function ledger.refuse_change() returns trigger language plpgsql as $$
      begin
        raise exception 'ledger.% is append-only: % refused', tg_table_name, tg_op using errcode = 'P0001', hint = 'post a reversal instead';
      end
    $$`,
    ...['transaction', 'posting', 'chain'].flatMap((table) => [
      `create trigger ${table}_append_only before update or delete on ledger.${table} for each row execute function ledger.refuse_change()`,
      `create trigger ${table}_no_truncate before truncate on ledger.${table} for each statement execute function ledger.refuse_change()`,
    ]),

    `create table ledger.idempotency (
      scope text not null,
      key text not null,
      request_hash bytea not null,
      outcome text not null,
      transaction_id text null,
      result jsonb null,
      created_at timestamptz not null default now(),
      primary key (scope, key)
    )`,

    `create table ledger.daily_usage (
      user_id text not null,
      asset text not null,
      day date not null,
      amount numeric(78,0) not null,
      cap numeric(78,0) not null,
      primary key (user_id, asset, day),
      constraint daily_usage_within_cap check (amount <= cap)
    )`,

    `create table ledger.hold (
      id text primary key,
      user_id text not null,
      asset text not null,
      kind text not null check (kind in (${KINDS})),
      amount numeric(78,0) not null check (amount > 0),
      captured numeric(78,0) not null default 0 check (captured >= 0),
      released numeric(78,0) not null default 0 check (released >= 0),
      status text not null check (status in ('ACTIVE', 'CAPTURED', 'RELEASED', 'EXPIRED')),
      reference text null,
      expires_at timestamptz null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint hold_settled_within_amount check (captured + released <= amount),
      constraint hold_active_has_remainder check ((status = 'ACTIVE') = (captured + released < amount))
    )`,
    `create unique index hold_reference_idx on ledger.hold (reference) where reference is not null`,
    `create index hold_expiry_idx on ledger.hold (expires_at) where status = 'ACTIVE' and expires_at is not null`,
    `create index hold_user_idx on ledger.hold (user_id, asset) where status = 'ACTIVE'`,

    // Who can receive money, learned from identity's events (the ledger never reads identity's tables).
    `create table ledger.user_directory (
      user_id text primary key,
      username text null,
      telegram_id text null,
      seen_at timestamptz not null
    )`,
    `create unique index user_directory_username_idx on ledger.user_directory (lower(username)) where username is not null`,

    // The canonical form of a transaction, hashed; the same function serves posting and verification.
    `create function ledger.content_hash(
      p_id text, p_kind text, p_asset text, p_amount numeric, p_fee numeric, p_user text, p_counterparty text,
      p_reference text, p_note text, p_actor text, p_reason text, p_reverses text, p_hold text,
      p_created_at timestamptz, p_postings text
    ) returns bytea language sql stable parallel safe as $$
      select sha256(convert_to(format('v1|%L|%L|%L|%s|%s|%L|%L|%L|%L|%L|%L|%L|%L|%s|%L',
        p_id, p_kind, p_asset, p_amount::numeric(78,0), p_fee::numeric(78,0), p_user, p_counterparty, p_reference, p_note,
        p_actor, p_reason, p_reverses, p_hold, (extract(epoch from p_created_at) * 1000000)::bigint, p_postings), 'UTF8'))
    $$`,
    `create function ledger.posting_line(p_source text, p_destination text, p_asset text, p_amount numeric) returns text language sql immutable parallel safe as $$
      select p_source || '>' || p_destination || ':' || p_asset || ':' || (p_amount::numeric(78,0))::text
    $$`,

    settledHorizonSql,
    commitBatchSql,
    sealChainSql,
  ];
}

/**
 * A batch of independent ledger transactions in one statement (one round trip, one commit). Each item is
 * all-or-nothing on its own; items are evaluated in order, so a later item sees the earlier ones' effect.
 * 1. idempotency: claim every (scope, key) in sorted order; a key held by a transaction in flight makes
 *    this one wait on the unique index, then replay its outcome (or CONFLICT if the input differs);
 * 2. net change per item per (account, shard); system accounts use the batch's stripe p_stripe;
 * 3. balance rows created if missing, then locked in (account, shard) order (no deadlocks between
 *    batches: claims are sorted and taken before any balance lock, balance locks are sorted);
 * 4. under the locks, each item is checked in order (funds of every user account it debits, the daily
 *    cap) and either applied to the in-memory balances or refused; a refusal is the key's outcome;
 * 5. set-based writes: transactions (with their canonical hash), postings, outbox events, balances,
 *    daily usage. CHECK constraints (non-negative user balances, cap) stand behind the evaluation.
 * Item: { id, eventId, kind, asset, amount, fee, userId, counterpartyId, reference, note, actor, reason,
 *   reverses, holdId, scope, key, requestHash (hex), dailyLimit: { cap, amount },
 *   postings: [[source, destination, asset, amount], ...] }. Returns one outcome per item, in order.
 */
const commitBatchSql = `create function ledger.commit_batch(p_items jsonb, p_stripe smallint) returns jsonb language plpgsql as $fn$
declare
  v_now timestamptz := now();
  v_day date := (now() at time zone 'UTC')::date;
  v_n integer := jsonb_array_length(p_items);
  v_out jsonb[] := array_fill(null::jsonb, array[v_n]);
  v_live integer[];
  v_accepted integer[] := '{}';
  v_accounts text[];
  v_shards smallint[];
  v_bal numeric[];
  v_bal0 numeric[];
  v_d_item integer[];
  v_d_pos integer[];
  v_d_delta numeric[];
  v_u_key text[];
  v_u_used numeric[];
  v_u_used0 numeric[];
  v_u_cap numeric[];
  v_ids text[];
  v_seqs bigint[];
  v_prior ledger.idempotency;
  v_item jsonb;
  v_refusal jsonb;
  v_upos integer;
  v_amount numeric;
  v_start integer;
  v_j integer := 1;
  v_total integer;
  v_k integer;
  v_x integer;
  r record;
begin
  if v_n = 0 then
    return '[]'::jsonb;
  end if;

  for r in
    with wanted as (
      select t.i::integer as i, t.e->>'scope' as scope, t.e->>'key' as key, decode(t.e->>'requestHash', 'hex') as h, t.e->>'id' as id
      from jsonb_array_elements(p_items) with ordinality as t(e, i)
      where t.e->>'scope' is not null
    ), claimed as (
      insert into ledger.idempotency (scope, key, request_hash, outcome, transaction_id)
      select w.scope, w.key, w.h, 'COMMITTED', w.id from wanted w order by w.scope, w.key
      on conflict do nothing
      returning scope, key
    )
    select w.i, w.scope, w.key, w.h from wanted w
    where not exists (select 1 from claimed c where c.scope = w.scope and c.key = w.key)
  loop
    select * into v_prior from ledger.idempotency where scope = r.scope and key = r.key;
    if v_prior.request_hash <> r.h then
      v_out[r.i] := jsonb_build_object('outcome', 'CONFLICT');
    else
      v_out[r.i] := coalesce(v_prior.result, '{}'::jsonb) || jsonb_build_object('outcome', v_prior.outcome, 'transactionId', v_prior.transaction_id, 'replayed', true);
    end if;
  end loop;

  select array_agg(i order by i) into v_live from generate_series(1, v_n) as i where v_out[i] is null;
  if v_live is null then
    return to_jsonb(v_out);
  end if;
  if exists (
    select 1 from jsonb_array_elements(p_items) with ordinality as t(e, i)
    where t.i = any(v_live) and (jsonb_typeof(t.e->'postings') is distinct from 'array' or jsonb_array_length(t.e->'postings') = 0)
  ) then
    raise exception 'every ledger transaction needs at least one posting' using errcode = '22023';
  end if;
  if exists (
    select 1 from jsonb_array_elements(p_items) with ordinality as t(e, i)
    cross join lateral jsonb_array_elements(t.e->'postings') as p
    cross join lateral unnest(array[p->>0, p->>1]) as a
    where t.i = any(v_live) and a like 'user:%'
      and split_part(a, ':', 2) is distinct from t.e->>'userId' and split_part(a, ':', 2) is distinct from t.e->>'counterpartyId'
  ) then
    raise exception 'every user account a transaction touches must belong to its user or counterparty' using errcode = '22023';
  end if;

  with legs as (
    select t.i::integer as i, l.account, (case when l.account like 'user:%' then 0 else p_stripe end)::smallint as shard, l.delta
    from jsonb_array_elements(p_items) with ordinality as t(e, i)
    cross join lateral (
      select p->>0 as account, -((p->>3)::numeric) as delta from jsonb_array_elements(t.e->'postings') as p
      union all
      select p->>1, (p->>3)::numeric from jsonb_array_elements(t.e->'postings') as p
    ) l
    where t.i = any(v_live)
  ), net as (
    select i, account, shard, sum(delta) as delta from legs group by i, account, shard
  ), accounts as (
    select account, shard, (row_number() over (order by account, shard))::integer as pos from (select distinct account, shard from net) d
  )
  select
    (select array_agg(a.account order by a.pos) from accounts a),
    (select array_agg(a.shard order by a.pos) from accounts a),
    array_agg(net.i order by net.i, accounts.pos),
    array_agg(accounts.pos order by net.i, accounts.pos),
    array_agg(net.delta order by net.i, accounts.pos)
  into v_accounts, v_shards, v_d_item, v_d_pos, v_d_delta
  from net join accounts using (account, shard);

  insert into ledger.balance (account, shard, asset)
    select n.account, n.shard, ledger.account_asset(n.account) from unnest(v_accounts, v_shards) as n(account, shard)
    where not exists (select 1 from ledger.balance b where b.account = n.account and b.shard = n.shard)
    on conflict do nothing;
  select array_agg(l.amount order by l.account, l.shard) into v_bal from (
    select b.account, b.shard, b.amount from ledger.balance b
    join unnest(v_accounts, v_shards) as n(account, shard) on b.account = n.account and b.shard = n.shard
    order by b.account, b.shard
    for update of b
  ) l;
  v_bal0 := v_bal;

  select array_agg(d.user_id || '|' || d.asset), array_agg(coalesce(u.amount, 0)), array_agg(d.cap)
    into v_u_key, v_u_used, v_u_cap
    from (
      select distinct on (t.e->>'userId', t.e->>'asset') t.e->>'userId' as user_id, t.e->>'asset' as asset, (t.e->'dailyLimit'->>'cap')::numeric as cap
      from jsonb_array_elements(p_items) with ordinality as t(e, i)
      where t.i = any(v_live) and jsonb_typeof(t.e->'dailyLimit') = 'object'
    ) d
    left join ledger.daily_usage u on u.user_id = d.user_id and u.asset = d.asset and u.day = v_day;
  v_u_used0 := v_u_used;

  v_total := coalesce(array_length(v_d_item, 1), 0);
  foreach v_k in array v_live loop
    v_item := p_items->(v_k - 1);
    v_start := v_j;
    while v_j <= v_total and v_d_item[v_j] = v_k loop
      v_j := v_j + 1;
    end loop;
    v_refusal := null;
    v_upos := null;
    for v_x in v_start .. v_j - 1 loop
      if v_d_delta[v_x] < 0 and v_accounts[v_d_pos[v_x]] like 'user:%' and v_bal[v_d_pos[v_x]] + v_d_delta[v_x] < 0 then
        v_refusal := jsonb_build_object('outcome', 'INSUFFICIENT_FUNDS', 'account', v_accounts[v_d_pos[v_x]], 'asset', ledger.account_asset(v_accounts[v_d_pos[v_x]]),
          'balance', v_bal[v_d_pos[v_x]]::text, 'needed', (-v_d_delta[v_x])::text);
        exit;
      end if;
    end loop;
    if v_refusal is null and jsonb_typeof(v_item->'dailyLimit') = 'object' then
      v_upos := array_position(v_u_key, (v_item->>'userId') || '|' || (v_item->>'asset'));
      v_amount := (v_item->'dailyLimit'->>'amount')::numeric;
      if v_u_used[v_upos] + v_amount > v_u_cap[v_upos] then
        v_refusal := jsonb_build_object('outcome', 'LIMIT_EXCEEDED', 'period', 'DAY', 'limit', v_u_cap[v_upos]::text, 'used', v_u_used[v_upos]::text);
      end if;
    end if;
    if v_refusal is null then
      for v_x in v_start .. v_j - 1 loop
        v_bal[v_d_pos[v_x]] := v_bal[v_d_pos[v_x]] + v_d_delta[v_x];
      end loop;
      if v_upos is not null then
        v_u_used[v_upos] := v_u_used[v_upos] + v_amount;
      end if;
      v_accepted := v_accepted || v_k;
    else
      v_out[v_k] := v_refusal;
    end if;
  end loop;

  if cardinality(v_accepted) > 0 then
    with inserted as (
      insert into ledger.transaction (id, kind, asset, amount, fee, user_id, counterparty_id, reference, note, actor, reason, reverses, hold_id, created_at, content_hash)
      select e->>'id', e->>'kind', e->>'asset', (e->>'amount')::numeric, coalesce((e->>'fee')::numeric, 0), e->>'userId', e->>'counterpartyId',
        e->>'reference', e->>'note', e->>'actor', e->>'reason', e->>'reverses', e->>'holdId', v_now,
        ledger.content_hash(e->>'id', e->>'kind', e->>'asset', (e->>'amount')::numeric, coalesce((e->>'fee')::numeric, 0), e->>'userId', e->>'counterpartyId',
          e->>'reference', e->>'note', e->>'actor', e->>'reason', e->>'reverses', e->>'holdId', v_now,
          (select string_agg(ledger.posting_line(p->>0, p->>1, p->>2, (p->>3)::numeric), ';' order by j) from jsonb_array_elements(e->'postings') with ordinality as q(p, j)))
      from jsonb_array_elements(p_items) with ordinality as t(e, i)
      where t.i = any(v_accepted)
      order by t.i
      returning id, seq
    )
    select array_agg(id), array_agg(seq) into v_ids, v_seqs from inserted;

    insert into ledger.posting (transaction_id, idx, source, destination, asset, amount)
      select t.e->>'id', q.j, q.p->>0, q.p->>1, q.p->>2, (q.p->>3)::numeric
      from jsonb_array_elements(p_items) with ordinality as t(e, i)
      cross join lateral jsonb_array_elements(t.e->'postings') with ordinality as q(p, j)
      where t.i = any(v_accepted);

    insert into ledger.outbox (id, subject, envelope, occurred_at)
      select t.e->>'eventId', 'ledger.transaction.committed', jsonb_build_object(
        'id', t.e->>'eventId', 'type', 'ledger.transaction.committed', 'version', 1, 'source', 'ledger',
        'occurredAt', to_char(v_now at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
        'payload', jsonb_build_object('transactionId', t.e->>'id', 'kind', t.e->>'kind', 'asset', t.e->>'asset', 'amount', t.e->>'amount',
          'fee', coalesce(t.e->>'fee', '0'), 'reference', t.e->>'reference',
          'userIds', to_jsonb(array_remove(array[t.e->>'userId', t.e->>'counterpartyId'], null)),
          'balances', (select coalesce(jsonb_agg(distinct jsonb_build_object('userId', split_part(a, ':', 2), 'asset', ledger.account_asset(a))), '[]'::jsonb)
                       from jsonb_array_elements(t.e->'postings') as p cross join lateral unnest(array[p->>0, p->>1]) as a where a like 'user:%'))), v_now
      from jsonb_array_elements(p_items) with ordinality as t(e, i)
      where t.i = any(v_accepted);

    update ledger.balance b set amount = n.amount
      from unnest(v_accounts, v_shards, v_bal, v_bal0) as n(account, shard, amount, before)
      where b.account = n.account and b.shard = n.shard and n.amount <> n.before;

    if v_u_key is not null then
      insert into ledger.daily_usage (user_id, asset, day, amount, cap)
        select split_part(n.key, '|', 1), split_part(n.key, '|', 2), v_day, n.used, n.cap
        from unnest(v_u_key, v_u_used, v_u_used0, v_u_cap) as n(key, used, before, cap)
        where n.used <> n.before
        on conflict (user_id, asset, day) do update set amount = excluded.amount, cap = excluded.cap;
    end if;

    foreach v_k in array v_accepted loop
      v_x := array_position(v_ids, p_items->(v_k - 1)->>'id');
      v_out[v_k] := jsonb_build_object('outcome', 'COMMITTED', 'transactionId', v_ids[v_x], 'seq', v_seqs[v_x]::text, 'xid', pg_current_xact_id()::text, 'createdAt', v_now);
    end loop;
  end if;

  update ledger.idempotency i set outcome = o.result->>'outcome', transaction_id = null, result = o.result
    from (
      select t.e->>'scope' as scope, t.e->>'key' as key, v_out[t.i::integer] as result
      from jsonb_array_elements(p_items) with ordinality as t(e, i)
      where t.i = any(v_live) and t.e->>'scope' is not null and v_out[t.i::integer]->>'outcome' <> 'COMMITTED'
    ) o
    where i.scope = o.scope and i.key = o.key;

  return to_jsonb(v_out);
end
$fn$`;

/**
 * The (xid, seq) order is final below this transaction id: every transaction that could still write a
 * ledger row has an id at or above it. It is the oldest transaction in progress, leaving out those of
 * backends connected to another database (they cannot write here), or the next id to be assigned if none
 * is. Conservative: an id not positively known to be another database's counts.
 */
const settledHorizonSql = `create function ledger.settled_horizon() returns xid8 language sql stable as $$
  with snap as (select pg_current_snapshot() as s),
  foreign_xids as (
    select backend_xid::text::bigint as x32 from pg_stat_activity
    where backend_xid is not null and datname is distinct from current_database()
  )
  select coalesce(
    (select min(x) from snap cross join lateral pg_snapshot_xip(snap.s) as x
      where (x::text::numeric % 4294967296)::bigint not in (select x32 from foreign_xids)),
    (select pg_snapshot_xmax(s) from snap))
$$`;

/**
 * Seals committed transactions into the hash chain in (xid, seq) order, up to p_limit at a time. Only rows
 * below ledger.settled_horizon() are sealed: no transaction still in flight can ever sort before them, so
 * the chain order is final. One sealer at a time (advisory lock); others return 0.
 */
const sealChainSql = `create function ledger.seal_chain(p_limit integer) returns integer language plpgsql as $fn$
declare
  v_position bigint := 0;
  v_hash bytea := ${GENESIS};
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
    v_position := 0; v_hash := ${GENESIS}; v_xid := '0'::xid8; v_seq := 0;
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
$fn$`;
