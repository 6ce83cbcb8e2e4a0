import type { Network } from '../../platform/money/assets.js';

/** Reads an address's on-chain balance of one catalogue asset, in the asset's minor unit. */
export interface ChainBalanceReader {
  /**
   * `assetSymbol` is a catalogue symbol of that network's native coin or its USDT (ETH/USDT_ETH, BNB/USDT_BSC,
   * TRX/USDT_TRON, TON/USDT_TON). Rejects with `ChainBalanceInputError` for an asset of another network or an
   * invalid address, and with the providers' typed errors (`ProviderError` subclasses) when the chain cannot be read.
   */
  balance(network: Network, assetSymbol: string, address: string): Promise<bigint>;
}

export type ChainBalanceInputErrorCode = 'UNSUPPORTED_ASSET' | 'INVALID_ADDRESS';

/** The request itself is wrong (the caller maps it to BAD_USER_INPUT); nothing was sent to a chain. */
export class ChainBalanceInputError extends Error {
  override readonly name = 'ChainBalanceInputError';
  constructor(
    readonly code: ChainBalanceInputErrorCode,
    message: string,
  ) {
    super(message);
  }
}
