/** The chains the custody core can derive for and sign on. */
export type Network = 'TON' | 'TRON' | 'ETH' | 'BSC';

export const NETWORKS: readonly Network[] = Object.freeze(['TON', 'TRON', 'ETH', 'BSC'] as const);

export function isNetwork(value: unknown): value is Network {
  return typeof value === 'string' && (NETWORKS as readonly string[]).includes(value);
}

/** ETH and BSC share keys, paths and address form. */
export type EvmNetwork = Extract<Network, 'ETH' | 'BSC'>;

export function isEvmNetwork(network: Network): network is EvmNetwork {
  return network === 'ETH' || network === 'BSC';
}
