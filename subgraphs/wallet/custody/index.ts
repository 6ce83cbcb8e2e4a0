/**
 * Public surface of the custody core: pure cryptography, no I/O. Private keys never cross it:
 * signers derive the key for one operation and zero it before returning.
 */
export { NETWORKS, isNetwork, isEvmNetwork, type Network, type EvmNetwork } from './network.js';
export { generateMnemonic, validateMnemonic, mnemonicToSeed, normalizeMnemonic, phraseToSeed, InvalidMnemonicError } from './mnemonic.js';
export {
  derivationPath,
  deriveAddress,
  derivePublicKey,
  addressFromPublicKey,
  rootFingerprint,
  MAX_CUSTODY_INDEX,
  InvalidCustodyIndexError,
} from './derivation.js';
export {
  validateAddress,
  toChecksumAddress,
  encodeTronAddress,
  decodeTronAddress,
  encodeTonAddress,
  decodeTonAddress,
  tonRawAddress,
  type AddressValidation,
  type TonAddressParts,
  type TonAddressFlags,
} from './address.js';
export {
  sealSecret,
  openSecret,
  rewrapDataKey,
  createMasterKeyring,
  assertMasterKeysMatch,
  masterKeyFingerprint,
  MasterKeyring,
  WrongMasterKeyError,
  TamperedCiphertextError,
  MasterKeyConfigError,
  type SealedSecret,
  type MasterKeyEntry,
} from './envelope.js';
export { TON_WALLET_V4R2_SUBWALLET_ID, TON_WALLET_WORKCHAIN, walletV4R2StateInit } from './ton-wallet.js';
export {
  signEvmTransfer,
  encodeErc20Transfer,
  EvmSignRequestError,
  type EvmSignRequest,
  type EvmFee,
  type EvmTransfer,
  type SignedEvmTransaction,
} from './signer/evm.signer.js';
export {
  signTronTransfer,
  buildTronTransaction,
  recoverTronSigner,
  TronSignRequestError,
  type TronSignRequest,
  type TronTransfer,
  type TronRefBlock,
  type TronBroadcastTransaction,
  type UnsignedTronTransaction,
  type TronRawDataJson,
} from './signer/tron.signer.js';
export {
  signTonTransfer,
  jettonTransferBody,
  JETTON_TRANSFER_OP,
  DEFAULT_TON_SEND_MODE,
  TonSignRequestError,
  type TonSignRequest,
  type TonTransfer,
  type SignedTonMessage,
} from './signer/ton.signer.js';
