export { ChainBalanceInputError, type ChainBalanceReader, type ChainBalanceInputErrorCode } from './chain-balance.port.js';
export {
  createChainBalanceReader,
  createChainBalanceClients,
  chainBalanceReaderFrom,
  type ChainBalanceConfig,
  type ChainBalanceClients,
  type ChainBalanceOptions,
} from './chain-balance.reader.js';
