/**
 * Public surface of the custody core: keys, signers and envelope encryption; pure cryptography, no I/O.
 * Private keys never cross it: signers derive the key for one operation and zero it before returning.
 * Networks, address codecs and validation, and the wallet v4R2 contract live in `chains/`.
 */
export {
  generateMnemonic,
  validateMnemonic,
  mnemonicToSeed,
  normalizeMnemonic,
  phraseToSeed,
  InvalidMnemonicError,
} from './mnemonic.js';
export {
  derivationPath,
  deriveAddress,
  derivePublicKey,
  addressFromPublicKey,
  rootFingerprint,
  MAX_CUSTODY_INDEX,
  InvalidCustodyIndexError,
  type CustodyBranch,
} from './derivation.js';
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
  unsignedTonTransfer,
  jettonTransferBody,
  JETTON_TRANSFER_OP,
  DEFAULT_TON_SEND_MODE,
  TonSignRequestError,
  type TonSignRequest,
  type TonTransfer,
  type SignedTonMessage,
} from './signer/ton.signer.js';
