import { NETWORKS, type Network } from '../platform/money/assets.js';

/**
 * The chains the platform derives for, signs on and watches. `Network` itself is declared once, with the
 * asset catalogue (platform/money/assets.ts), because platform config needs it too; import it from here.
 */
export { NETWORKS, type Network };

export function isNetwork(value: unknown): value is Network {
  return typeof value === 'string' && (NETWORKS as readonly string[]).includes(value);
}

/** ETH and BSC share keys, paths and address form. */
export type EvmNetwork = Extract<Network, 'ETH' | 'BSC'>;

export function isEvmNetwork(network: Network): network is EvmNetwork {
  return network === 'ETH' || network === 'BSC';
}
