export {
  createTronGridClient,
  TRON_MAX_BLOCK_RANGE,
  TRON_API_KEY_HEADER,
  type TronGridClient,
  type TronGridClientOptions,
  type TronResilienceOptions,
  type Trc20TransferQuery,
  type Trc20TransferRecord,
  type Trc20TransferPage,
} from './trongrid.client.js';
export {
  TronBroadcastError,
  TronContractCallError,
  TronHeadRegressedError,
  type TronBroadcastCode,
} from './trongrid.errors.js';
export {
  type TronBlock,
  type TronTransaction,
  type TronContract,
  type TronTransactionInfo,
  type TronLog,
  type TronAccount,
} from './trongrid.wire.js';
export { TRC20_TRANSFER_TOPIC, decodeTrc20TransferLog, trc20TransfersOf, type Trc20Transfer } from './trc20.js';
