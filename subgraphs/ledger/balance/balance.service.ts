import type { EntityManager } from '@mikro-orm/postgresql';
import { isStaff, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, forbidden, unauthenticated } from '../../../platform/errors.js';
import { ASSETS, assetInfo } from '../../../platform/money/assets.js';
import { bucketOfAccount } from '../core/accounts.js';
import { textArray } from '../core/sql.js';

export interface BalanceRecord {
  userId: string;
  asset: string;
  available: bigint;
  held: bigint;
}

/** The `network` label of an asset's balance reads: its chain, or FIAT for Toman. */
export function balanceNetworkOf(symbol: string): string {
  return assetInfo(symbol)?.network ?? 'FIAT';
}

/** A user's balances per asset, read from the cached balance rows (shard 0: a user's accounts are not striped). */
export class BalanceService {
  /** `onRead(network, users)`: told after each read, once per network asked (`balance_queries_total`). */
  constructor(private readonly onRead?: (network: string, users: number) => void) {}

  /** Only the user themselves and staff read a user's balances and history. */
  authorize(viewer: Viewer, userId: string): void {
    if (!viewer.userId) throw unauthenticated();
    if (viewer.userId !== userId && !isStaff(viewer))
      throw forbidden("Only the account's owner and staff can see this");
  }

  /**
   * Balances of several users at once (one query), one entry per asset symbol (zero when none). The symbols are
   * the caller's, already checked (checkAssets).
   */
  async ofUsers(
    em: EntityManager,
    userIds: readonly string[],
    symbols: readonly string[],
  ): Promise<Map<string, BalanceRecord[]>> {
    const rows = userIds.length
      ? await em
          .getConnection()
          .execute<{ user_id: string; account: string; asset: string; amount: string }[]>(
            'select user_id, account, asset, amount from ledger.balance where user_id = any(?::text[]) and asset = any(?::text[])',
            [textArray(userIds), textArray(symbols)],
          )
      : [];
    const out = new Map<string, BalanceRecord[]>();
    const index = new Map<string, BalanceRecord>();
    for (const userId of userIds) {
      const records = symbols.map((asset) => ({ userId, asset, available: 0n, held: 0n }));
      for (const record of records) index.set(`${userId}\0${record.asset}`, record);
      out.set(userId, records);
    }
    for (const row of rows) {
      const record = index.get(`${row.user_id}\0${row.asset}`);
      if (!record) continue;
      if (bucketOfAccount(row.account) === 'held') record.held += BigInt(row.amount);
      else record.available += BigInt(row.amount);
    }
    if (this.onRead && userIds.length)
      for (const network of new Set(symbols.map(balanceNetworkOf))) this.onRead(network, userIds.length);
    return out;
  }
}

/** The requested asset symbols, checked against the catalogue; every asset in catalogue order when null. */
export function checkAssets(assets: readonly string[] | null): string[] {
  if (assets == null) return ASSETS.map((a) => a.symbol);
  const unknown = assets.filter((a) => !assetInfo(a));
  if (unknown.length) throw badInput(`unknown asset ${unknown.join(', ')}`, { field: 'assets' });
  return [...new Set(assets)];
}
