import { applyOnce } from '../../../platform/bus/inbox.js';
import type { EventEnvelope } from '../../../platform/bus/envelope.js';
import { type SubgraphDeps, runSubgraphConsumer } from '../../../platform/service/subgraph.js';

/** `market.asset.updated` { symbol, enabled, minDeposit (minor units), decimals, revision }: staff changed an asset. */
export const ASSET_MINIMUM_SUBJECTS = ['market.asset.updated'];
const CONSUMER = 'wallet-asset-minimums';

/**
 * Keeps `wallet.asset_minimum` (the minimum deposit per asset) from the market's events; the ingest reads it
 * when it records deposits (below it: IGNORED, never credited). Once per event (inbox); an older revision
 * than the stored one changes nothing.
 */
export async function startAssetMinimumConsumer(deps: SubgraphDeps) {
  return runSubgraphConsumer(deps, {
    durable: CONSUMER,
    subjects: ASSET_MINIMUM_SUBJECTS,
    log: deps.log.child({ consumer: CONSUMER }),
    handle: (event) => applyAssetMinimum(deps, event),
  });
}

export async function applyAssetMinimum(deps: Pick<SubgraphDeps, 'orm'>, event: EventEnvelope): Promise<void> {
  const p = event.payload as { symbol?: unknown; minDeposit?: unknown; revision?: unknown };
  if (typeof p.symbol !== 'string' || !/^[A-Z][A-Z_]{0,15}$/.test(p.symbol)) return;
  if (typeof p.minDeposit !== 'string' || !/^\d{1,78}$/.test(p.minDeposit)) return;
  if (typeof p.revision !== 'string' || !/^\d{1,18}$/.test(p.revision)) return;
  const { symbol, minDeposit, revision } = p as { symbol: string; minDeposit: string; revision: string };
  await applyOnce(deps.orm.em, CONSUMER, event, async (tx) => {
    await tx.getConnection().execute(
      `insert into wallet.asset_minimum (symbol, min_deposit, revision) values (?, ?::numeric, ?)
       on conflict (symbol) do update set min_deposit = excluded.min_deposit, revision = excluded.revision, updated_at = now()
       where wallet.asset_minimum.revision < excluded.revision`,
      [symbol, minDeposit, revision],
      'run',
      tx.getTransactionContext(),
    );
  });
}
