/** Events of the asset catalogue, written to the market outbox in the same transaction as the change. */
export const AssetEvents = {
  updated: 'market.asset.updated',
} as const;

/**
 * The asset's operational switches after a staff change. `minDeposit` is in minor units (integer string);
 * `revision` grows with every change of this asset: a consumer ignores one older than what it holds.
 * Consumers (ledger, wallet) parse it themselves: a subgraph never imports another's files.
 */
export interface AssetUpdatedPayload {
  symbol: string;
  enabled: boolean;
  minDeposit: string;
  decimals: number;
  revision: string;
}
