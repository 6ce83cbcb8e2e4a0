import { LockMode } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { hasRole, type Viewer } from '../../../platform/auth/viewer.js';
import { badInput, forbidden, notFound } from '../../../platform/errors.js';
import { parseAmount } from '../../../platform/money/amount.js';
import { ASSETS } from '../../../platform/money/assets.js';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { Asset } from './asset.entity.js';
import { AssetEvents, type AssetUpdatedPayload } from './asset.events.js';

export interface AssetFilter {
  enabled?: boolean | null;
}

export interface AssetChanges {
  symbol: string;
  enabled?: boolean | null;
  /** In the asset's major unit ("0.5"). */
  minDeposit?: string | null;
  /** https URL, or '' to remove. */
  iconUrl?: string | null;
}

/** Catalogue order (TON, USDT_TON, TRX, …, IRT), so lists are stable and grouped by network. */
const ORDER = new Map(ASSETS.map((a, i) => [a.symbol, i] as const));
const byCatalogue = (a: Asset, b: Asset) =>
  (ORDER.get(a.symbol) ?? 99) - (ORDER.get(b.symbol) ?? 99) || a.symbol.localeCompare(b.symbol);

export const SYMBOL_PATTERN = /^[A-Z][A-Z_]{0,15}$/;

/** Assets: public reads and the admin's operational switches. */
export class AssetService {
  async list(em: EntityManager, filter: AssetFilter = {}): Promise<Asset[]> {
    const where = filter.enabled == null ? {} : { enabled: filter.enabled };
    return (await em.find(Asset, where)).sort(byCatalogue);
  }

  async bySymbols(em: EntityManager, symbols: readonly string[]): Promise<Asset[]> {
    const valid = [...new Set(symbols)].filter((s) => SYMBOL_PATTERN.test(s));
    if (!valid.length) return [];
    return em.find(Asset, { symbol: { $in: valid } });
  }

  async bySymbol(em: EntityManager, symbol: string): Promise<Asset | null> {
    const [asset] = await this.bySymbols(em, [symbol]);
    return asset ?? null;
  }

  async require(em: EntityManager, symbol: string): Promise<Asset> {
    const asset = await this.bySymbol(em, symbol);
    if (!asset) throw notFound('Asset', symbol);
    return asset;
  }

  /**
   * ADMIN/SUPERADMIN only (the gateway checks too; this is the rule's home). The change and its
   * `market.asset.updated` event commit together: the ledger and the wallet apply it from there.
   */
  async update(em: EntityManager, viewer: Viewer, changes: AssetChanges): Promise<Asset> {
    if (!hasRole(viewer, 'ADMIN', 'SUPERADMIN')) throw forbidden('Only an ADMIN can change assets');
    if (changes.enabled == null && changes.minDeposit == null && changes.iconUrl == null) {
      throw badInput('Nothing to update: give enabled, minDeposit or iconUrl');
    }
    if (changes.iconUrl) validIconUrl(changes.iconUrl);
    return em.transactional(async (tx) => {
      const asset = await tx.findOne(Asset, { symbol: changes.symbol }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!asset) throw notFound('Asset', changes.symbol);
      if (changes.enabled != null) asset.enabled = changes.enabled;
      if (changes.minDeposit != null)
        asset.minDeposit = parseAmount(changes.minDeposit, asset.decimals, 'minDeposit').toString();
      if (changes.iconUrl != null) asset.iconUrl = changes.iconUrl === '' ? null : changes.iconUrl;
      asset.revision = (BigInt(asset.revision) + 1n).toString();
      recordEvent<AssetUpdatedPayload>(tx, AssetEvents.updated, 'market', {
        symbol: asset.symbol,
        enabled: asset.enabled,
        minDeposit: BigInt(asset.minDeposit).toString(),
        decimals: asset.decimals,
        revision: asset.revision,
      });
      return asset;
    });
  }
}

function validIconUrl(text: string): void {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw badInput('iconUrl must be an absolute https URL', { field: 'iconUrl' });
  }
  if (url.protocol !== 'https:' || text.length > 500)
    throw badInput('iconUrl must be an absolute https URL of at most 500 characters', { field: 'iconUrl' });
}
