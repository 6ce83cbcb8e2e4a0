export {
  ChainBalanceInputError,
  type ChainBalanceReader,
  type ChainBalanceInputErrorCode,
} from './chain-balance.port.js';
export { createChainBalanceReader, type ChainBalanceConfig, type ChainBalanceOptions } from './chain-balance.reader.js';
