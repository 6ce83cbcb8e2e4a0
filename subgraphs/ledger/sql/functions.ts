import { readFileSync } from 'node:fs';

/**
 * The ledger's SQL functions, one `<name>.sql` file each beside this module: the current definition, read by
 * the migrations that (re)create them. Each file is one `create or replace function` statement, with its
 * settings (e.g. commit_batch's plan_cache_mode) inside the definition, so loading a file again can never
 * drop one. Order: a function before the functions and constraints that call it.
 *
 * Changing a function: edit its file and add a migration that calls `ledgerFunctionsSql(['<name>'])`
 * (functions.int.test.ts fails while a file differs from what the migrations leave in the database).
 */
export const LEDGER_FUNCTIONS = [
  'valid_account',
  'account_asset',
  'refuse_change',
  'content_hash',
  'posting_line',
  'settled_horizon',
  'commit_batch',
  'seal_chain',
] as const;

export type LedgerFunction = (typeof LEDGER_FUNCTIONS)[number];

export function ledgerFunctionSql(name: LedgerFunction): string {
  return readFileSync(new URL(`./${name}.sql`, import.meta.url), 'utf8');
}

/**
 * Statements that (re)create the named functions (all by default). Function bodies are checked when called,
 * not when created (as pg_dump restores them), so a function may name a table a later migration adds.
 */
export function ledgerFunctionsSql(names: readonly LedgerFunction[] = LEDGER_FUNCTIONS): string[] {
  return ['set local check_function_bodies = off', ...names.map(ledgerFunctionSql)];
}
