/**
 * The asset catalogue: one entry per token on one network, so a ledger balance, a custody account and an
 * on-chain amount always share the same decimals. USDT on each network is its own asset (BEP20 USDT has
 * 18 decimals, the others 6) priced as the coin USDT. Symbols use only [A-Z_] (safe in ledger account
 * addresses `user:<id>:<asset>:available` and in NATS subjects).
 */
/**
 * The chains the platform holds money on. Declared here, the lowest layer, because the catalogue and the
 * config (platform) need it; `chains/network.ts` is its public home (NETWORKS, isNetwork, isEvmNetwork).
 */
export const NETWORKS = Object.freeze(['TON', 'TRON', 'ETH', 'BSC'] as const);
export type Network = (typeof NETWORKS)[number];
export type Coin = 'TON' | 'TRX' | 'ETH' | 'BNB' | 'USDT' | 'IRT';

export interface AssetInfo {
  symbol: string;
  name: string;
  /** Priced as this coin. */
  coin: Coin;
  /** null for fiat (Toman). */
  network: Network | null;
  decimals: number;
  /** ERC20/BEP20/TRC20 contract or TON jetton master (mainnet); null for native coins and fiat. */
  contract: string | null;
  /** Deposits below this (in the asset's unit, decimal string) are dust and ignored. */
  minDeposit: string;
}

export const ASSETS: readonly AssetInfo[] = [
  { symbol: 'TON', name: 'Toncoin', coin: 'TON', network: 'TON', decimals: 9, contract: null, minDeposit: '0.1' },
  {
    symbol: 'USDT_TON',
    name: 'Tether USD (TON jetton)',
    coin: 'USDT',
    network: 'TON',
    decimals: 6,
    contract: 'EQCxE6mUtQJKFnGfaROTKOt1lZbDiiX1kCixRv7Nw2Id_sDs',
    minDeposit: '1',
  },
  { symbol: 'TRX', name: 'TRON', coin: 'TRX', network: 'TRON', decimals: 6, contract: null, minDeposit: '1' },
  {
    symbol: 'USDT_TRON',
    name: 'Tether USD (TRC20)',
    coin: 'USDT',
    network: 'TRON',
    decimals: 6,
    contract: 'TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t',
    minDeposit: '1',
  },
  { symbol: 'ETH', name: 'Ether', coin: 'ETH', network: 'ETH', decimals: 18, contract: null, minDeposit: '0.001' },
  {
    symbol: 'USDT_ETH',
    name: 'Tether USD (ERC20)',
    coin: 'USDT',
    network: 'ETH',
    decimals: 6,
    contract: '0xdAC17F958D2ee523a2206206994597C13D831ec7',
    minDeposit: '5',
  },
  { symbol: 'BNB', name: 'BNB', coin: 'BNB', network: 'BSC', decimals: 18, contract: null, minDeposit: '0.001' },
  {
    symbol: 'USDT_BSC',
    name: 'Tether USD (BEP20)',
    coin: 'USDT',
    network: 'BSC',
    decimals: 18,
    contract: '0x55d398326f99059fF775485246999027B3197955',
    minDeposit: '1',
  },
  { symbol: 'IRT', name: 'Toman', coin: 'IRT', network: null, decimals: 0, contract: null, minDeposit: '0' },
];

const BY_SYMBOL = new Map(ASSETS.map((a) => [a.symbol, a] as const));

export function assetInfo(symbol: string): AssetInfo | null {
  return BY_SYMBOL.get(symbol) ?? null;
}

export function nativeAssetOf(network: Network): AssetInfo {
  return ASSETS.find((a) => a.network === network && a.contract === null)!;
}

export function usdtOf(network: Network): AssetInfo {
  return ASSETS.find((a) => a.network === network && a.coin === 'USDT')!;
}
