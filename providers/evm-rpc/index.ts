export {
  createEvmRpcClient,
  type EvmRpcClient,
  type EvmRpcClientOptions,
  type EvmResilienceOptions,
  type EvmBlockTag,
  type EvmStateTag,
  type EvmLogFilter,
  type EvmCallRequest,
  type EvmEstimateRequest,
  type EvmRpcCall,
} from './evm-rpc.client.js';
export {
  EvmRpcError,
  EvmHeadRegressedError,
  type EvmRpcErrorReason,
  type JsonRpcErrorObject,
} from './evm-rpc.errors.js';
export {
  type EvmBlock,
  type EvmBlockWithTransactions,
  type EvmTransaction,
  type EvmLog,
  type EvmReceipt,
  type EvmFeeHistory,
} from './evm-rpc.wire.js';
export {
  ERC20_TRANSFER_TOPIC,
  ERC20_BALANCE_OF_SELECTOR,
  decodeErc20TransferLog,
  encodeBalanceOf,
  addressTopic,
  type Erc20Transfer,
} from './erc20.js';
