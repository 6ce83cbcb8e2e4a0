export {
  createToncenterClient,
  TON_API_KEY_HEADER,
  MASTERCHAIN_SHARD,
  EXIT_CODE_NO_STATE,
  type ToncenterClient,
  type ToncenterClientOptions,
  type TonResilienceOptions,
  type TonTransactionQuery,
  type TonJettonTransferQuery,
  type TonJettonWalletQuery,
  type TonBlockQuery,
  type TonRunResult,
  type TonJettonWalletData,
  type SortOrder,
} from './toncenter.client.js';
export { TonSendRejectedError, TonHeadRegressedError } from './toncenter.errors.js';
export {
  normalizeTonAddress,
  rawTonAddress,
  type TonMasterchainHead,
  type TonStackEntry,
  type TonBlock,
  type TonTransaction,
  type TonMessage,
  type TonJettonTransfer,
  type TonJettonWallet,
  type TonFeeEstimate,
} from './toncenter.wire.js';
export { JETTON_OP, BOUNCED_PREFIX, addressCellBoc, addressFromCellBoc, commentOf } from './jetton.js';
