import type { EntityManager } from '@mikro-orm/postgresql';
import { applyOnce } from '../../../platform/bus/inbox.js';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { DomainError, ErrorCode } from '../../../platform/errors.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';

/** `market.asset.updated` { symbol, enabled, minDeposit, decimals, revision }: the market's staff switches. */
export const ASSET_SWITCH_SUBJECTS = ['market.asset.updated'];
const CONSUMER = 'ledger-asset-switches';
/** How long a process trusts its copy of the table before reading it again (another replica may have applied an event). */
const CACHE_MS = 1_000;

/**
 * Which assets staff switched off in the market (`updateAsset(enabled: false)`), from the ledger's own copy
 * (`ledger.asset_switch`, kept by the consumer below; the ledger never reads the market's tables). A disabled
 * asset takes no new transfers: ASSET_DISABLED (a retry of an earlier one still gets its answer). The few rows
 * are cached for a second per process.
 */
export class AssetSwitches {
  private disabled: Set<string> | null = null;
  private readAt = 0;
  private loading: Promise<Set<string>> | null = null;

  /**
   * Throws ASSET_DISABLED when the asset is switched off, unless `idempotency` names a request the ledger has
   * already recorded: a retry of a transfer made before the switch still gets its original answer.
   */
  async requireEnabled(em: EntityManager, symbol: string, idempotency?: { scope: string; key: string }): Promise<void> {
    if (!(await this.disabledSymbols(em)).has(symbol)) return;
    if (idempotency) {
      const known = await em
        .getConnection()
        .execute<{ found: number }[]>('select 1 as found from ledger.idempotency where scope = ? and key = ?', [
          idempotency.scope,
          idempotency.key,
        ]);
      if (known.length) return;
    }
    throw new DomainError(ErrorCode.ASSET_DISABLED, `${symbol} is disabled: no new transfers in it for now`, {
      asset: symbol,
    });
  }

  /** Forget the cached copy (the consumer calls this after applying an event in this process). */
  invalidate(): void {
    this.disabled = null;
  }

  private async disabledSymbols(em: EntityManager): Promise<Set<string>> {
    if (this.disabled && Date.now() - this.readAt < CACHE_MS) return this.disabled;
    this.loading ??= (async () => {
      try {
        const rows = await em
          .getConnection()
          .execute<{ symbol: string }[]>('select symbol from ledger.asset_switch where not enabled');
        this.disabled = new Set(rows.map((r) => r.symbol));
        this.readAt = Date.now();
        return this.disabled;
      } finally {
        this.loading = null;
      }
    })();
    return this.loading;
  }
}

export async function startAssetSwitchConsumer(deps: SubgraphDeps, switches: AssetSwitches) {
  return runSubgraphConsumer(deps, {
    durable: CONSUMER,
    subjects: ASSET_SWITCH_SUBJECTS,
    log: deps.log.child({ consumer: CONSUMER }),
    handle: (event) => applyAssetSwitch(deps, switches, event),
  });
}

/** Applies one `market.asset.updated` once (inbox); an older revision than the stored one changes nothing. */
export async function applyAssetSwitch(
  deps: Pick<SubgraphDeps, 'orm'>,
  switches: AssetSwitches,
  event: EventEnvelope,
): Promise<void> {
  const p = event.payload as { symbol?: unknown; enabled?: unknown; revision?: unknown };
  if (typeof p.symbol !== 'string' || !/^[A-Z][A-Z_]{0,15}$/.test(p.symbol) || typeof p.enabled !== 'boolean') return;
  if (typeof p.revision !== 'string' || !/^\d{1,18}$/.test(p.revision)) return;
  const { symbol, enabled, revision } = p as { symbol: string; enabled: boolean; revision: string };
  await applyOnce(deps.orm.em, CONSUMER, event, async (tx) => {
    await tx.getConnection().execute(
      `insert into ledger.asset_switch (symbol, enabled, revision) values (?, ?, ?)
       on conflict (symbol) do update set enabled = excluded.enabled, revision = excluded.revision, updated_at = now()
       where ledger.asset_switch.revision < excluded.revision`,
      [symbol, enabled, revision],
      'run',
      tx.getTransactionContext(),
    );
  });
  switches.invalidate();
}
