import { DomainError } from '../errors.js';
import { parseAmount } from '../money/amount.js';
import { ASSETS, assetInfo } from '../money/assets.js';

/** A transfer fee: `fixed` minor units plus `bps` basis points of the amount (rounded up). */
export interface FeeRule {
  fixed: bigint;
  bps: number;
}

/** Transfer limits in minor units; null = none. */
export interface LimitRule {
  perTransfer: bigint | null;
  daily: bigint | null;
}

/** 0.1 % on every asset: internal transfers cost little, and the fee account sees every transfer. */
export const DEFAULT_LEDGER_FEES = '*:0:10';

/** Roughly 10,000 USD per transfer and 50,000 USD a day per user and asset, in each asset's unit. */
export const DEFAULT_LEDGER_LIMITS = [
  'TON:2000:10000',
  'USDT_TON:10000:50000',
  'TRX:40000:200000',
  'USDT_TRON:10000:50000',
  'ETH:3:15',
  'USDT_ETH:10000:50000',
  'BNB:15:80',
  'USDT_BSC:10000:50000',
  'IRT:1000000000:5000000000',
].join(',');

/** Entries `SYMBOL:…` separated by commas; `*` applies to every asset without its own entry. */
function entries(text: string, fields: number, what: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const [symbol, ...values] = part.split(':');
    if (!symbol || values.length !== fields) throw new Error(`"${part}" is not ${what}`);
    if (symbol !== '*' && !assetInfo(symbol)) throw new Error(`"${symbol}" is not an asset of the catalogue`);
    if (out.has(symbol)) throw new Error(`${symbol} is listed twice`);
    out.set(symbol, values);
  }
  return out;
}

function amountIn(symbol: string, text: string, decimals: number): bigint {
  try {
    return parseAmount(text, decimals, symbol);
  } catch (err) {
    if (err instanceof DomainError)
      throw new Error(`${symbol}: "${text}" is not an amount with at most ${decimals} decimals`);
    throw err;
  }
}

/** LEDGER_FEES: `SYMBOL:FIXED:BPS,…`, FIXED in the asset's unit ("0.5"), BPS an integer 0–10000. */
export function parseLedgerFees(text: string): Record<string, FeeRule> {
  const given = entries(text, 2, 'SYMBOL:FIXED:BPS');
  const out: Record<string, FeeRule> = {};
  for (const asset of ASSETS) {
    const values = given.get(asset.symbol) ?? given.get('*');
    if (!values) {
      out[asset.symbol] = { fixed: 0n, bps: 0 };
      continue;
    }
    const [fixed, bps] = values as [string, string];
    if (!/^\d+$/.test(bps) || Number(bps) > 10_000)
      throw new Error(`${asset.symbol}: basis points must be an integer from 0 to 10000, not "${bps}"`);
    out[asset.symbol] = { fixed: amountIn(asset.symbol, fixed, asset.decimals), bps: Number(bps) };
  }
  return out;
}

/** LEDGER_LIMITS: `SYMBOL:PER_TRANSFER:DAILY,…` in the asset's unit; `-` means no limit. */
export function parseLedgerLimits(text: string): Record<string, LimitRule> {
  const given = entries(text, 2, 'SYMBOL:PER_TRANSFER:DAILY');
  const out: Record<string, LimitRule> = {};
  for (const asset of ASSETS) {
    const values = given.get(asset.symbol) ?? given.get('*');
    const [perTransfer, daily] = values ?? ['-', '-'];
    const limit = (v: string) => (v === '-' ? null : amountIn(asset.symbol, v, asset.decimals));
    out[asset.symbol] = { perTransfer: limit(perTransfer!), daily: limit(daily!) };
  }
  return out;
}

/**
 * Adjustments above roughly 10,000 USD per asset need a second staff member's approval (four eyes); an
 * adjustment of one's own account always does, whatever the amount.
 */
export const DEFAULT_LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD = [
  'TON:2000',
  'USDT_TON:10000',
  'TRX:40000',
  'USDT_TRON:10000',
  'ETH:3',
  'USDT_ETH:10000',
  'BNB:15',
  'USDT_BSC:10000',
  'IRT:1000000000',
].join(',');

/** LEDGER_ADJUSTMENT_APPROVAL_THRESHOLD: `SYMBOL:AMOUNT,…` in the asset's unit (`*` for the rest); `-` = no amount needs approval. */
export function parseAdjustmentThresholds(text: string): Record<string, bigint | null> {
  const given = entries(text, 1, 'SYMBOL:AMOUNT');
  const out: Record<string, bigint | null> = {};
  for (const asset of ASSETS) {
    const [value] = given.get(asset.symbol) ?? given.get('*') ?? ['-'];
    out[asset.symbol] = value === '-' ? null : amountIn(asset.symbol, value!, asset.decimals);
  }
  return out;
}

/** The reference currencies level limits are counted in (USD: cents, IRT: whole Toman). */
export const LIMIT_CURRENCIES = { USD: 2, IRT: 0 } as const;
export type LimitCurrency = keyof typeof LIMIT_CURRENCIES;

/** One level's caps in the reference currency's minor unit (USD cents, Toman); null = none. */
export interface LevelLimitRule {
  level: number;
  perTransaction: bigint | null;
  daily: bigint | null;
  monthly: bigint | null;
}

/** The limits policy: one rule per user level, all in one reference currency. */
export interface LevelLimitPolicy {
  currency: LimitCurrency;
  /** Ascending by level; a user's rule is the highest level at or below theirs (level 1 at least). */
  rules: LevelLimitRule[];
}

/**
 * Level 1 (signed up, no KYC): 1,000 USD per transaction, 2,000 a day, 10,000 a month; each level above
 * multiplies by ten. The per-asset LEDGER_LIMITS still apply on top.
 */
export const DEFAULT_LEDGER_LEVEL_LIMITS = [
  '1:USD:1000:2000:10000',
  '2:USD:10000:20000:100000',
  '3:USD:100000:200000:1000000',
].join(',');

/**
 * LEDGER_LEVEL_LIMITS: `LEVEL:CURRENCY:PER_TRANSACTION:DAILY:MONTHLY,…`; CURRENCY USD or IRT (the same for
 * every level), amounts in that currency (USD with up to 2 decimals), `-` for no cap. Level 1 is required.
 */
export function parseLevelLimits(text: string): LevelLimitPolicy {
  const rules: LevelLimitRule[] = [];
  let currency: LimitCurrency | null = null;
  for (const part of text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const fields = part.split(':');
    if (fields.length !== 5) throw new Error(`"${part}" is not LEVEL:CURRENCY:PER_TRANSACTION:DAILY:MONTHLY`);
    const [levelText, cur, ...caps] = fields as [string, string, string, string, string];
    if (!/^[1-9]\d{0,2}$/.test(levelText)) throw new Error(`"${levelText}" is not a level (1–999)`);
    if (!(cur in LIMIT_CURRENCIES)) throw new Error(`"${cur}" is not a limit currency (USD or IRT)`);
    if (currency && cur !== currency) throw new Error(`every level must use one currency (${currency}, not ${cur})`);
    currency = cur as LimitCurrency;
    const level = Number(levelText);
    if (rules.some((r) => r.level === level)) throw new Error(`level ${level} is listed twice`);
    const decimals = LIMIT_CURRENCIES[currency];
    const [perTransaction, daily, monthly] = caps.map((v) => (v === '-' ? null : amountIn(currency!, v, decimals)));
    rules.push({ level, perTransaction: perTransaction!, daily: daily!, monthly: monthly! });
  }
  if (!currency || !rules.some((r) => r.level === 1)) throw new Error('level 1 needs an entry');
  return { currency, rules: rules.sort((a, b) => a.level - b.level) };
}

/** The rule for a user of `level`: the highest configured level not above it. */
export function levelRuleFor(policy: LevelLimitPolicy, level: number): LevelLimitRule {
  let rule = policy.rules[0]!;
  for (const r of policy.rules) if (r.level <= level) rule = r;
  return rule;
}
