import { validateAddress } from '../../../chains/address.js';
import { NETWORKS, type Network } from '../../../chains/network.js';

/**
 * The platform's own addresses per network: the hot wallet (it signs withdrawals, receives sweeps; its address
 * comes from the payout port) and the cold wallet (watch-only: configured, the platform never holds its key).
 * Either may be null: no payout backend for the network yet, or no cold wallet configured.
 */
export interface TreasuryAddresses {
  hot(network: Network): Promise<string | null>;
  cold(network: Network): string | null;
}

/** Cold addresses from config; hot addresses from whatever answers `hotAddress()` per network (payout ports). */
export function treasuryAddresses(
  cold: Partial<Record<Network, string | null>>,
  hot: Partial<Record<Network, { hotAddress(): Promise<string> }>>,
): TreasuryAddresses {
  // Checked (checksum, TON flags) and normalized once, at start: a mistyped cold address stops the process.
  const colds = new Map<Network, string>();
  for (const network of NETWORKS) {
    const given = cold[network];
    if (!given) continue;
    const checked = validateAddress(network, given);
    if (!checked.valid || !checked.normalized)
      throw new Error(`TREASURY_${network}_COLD_ADDRESS is not a valid ${network} address: ${checked.reason}`);
    colds.set(network, checked.normalized);
  }
  const cache = new Map<Network, Promise<string>>();
  return {
    cold: (network) => colds.get(network) ?? null,
    async hot(network) {
      const port = hot[network];
      if (!port) return null;
      let pending = cache.get(network);
      if (!pending) {
        pending = port.hotAddress();
        cache.set(network, pending);
        pending.catch(() => cache.delete(network));
      }
      return pending;
    },
  };
}
