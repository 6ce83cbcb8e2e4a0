import { ProviderError, ProviderResponseError, snippet } from '../http/http.errors.js';

/** `/wallet/broadcasttransaction` return codes (java-tron `api.Return.response_code`). */
export type TronBroadcastCode =
  | 'SIGERROR'
  | 'CONTRACT_VALIDATE_ERROR'
  | 'CONTRACT_EXE_ERROR'
  | 'BANDWITH_ERROR'
  | 'DUP_TRANSACTION_ERROR'
  | 'TAPOS_ERROR'
  | 'TOO_BIG_TRANSACTION_ERROR'
  | 'TRANSACTION_EXPIRATION_ERROR'
  | 'SERVER_BUSY'
  | 'NO_CONNECTION'
  | 'NOT_ENOUGH_EFFECTIVE_CONNECTION'
  | 'BLOCK_UNSOLIDIFIED'
  | 'OTHER_ERROR'
  | (string & {});

/**
 * The node refused a broadcast (`result: false`). `tronCode` says why; `detail` is the decoded message. A
 * `DUP_TRANSACTION_ERROR` means the same transaction is already known: usually safe to treat as sent.
 */
export class TronBroadcastError extends ProviderResponseError {
  constructor(
    provider: string,
    readonly tronCode: TronBroadcastCode,
    readonly detail: string,
    readonly txid: string | null,
    status: number,
    body: string,
  ) {
    super(provider, status, snippet(body), `broadcast refused: ${tronCode}${detail ? `: ${detail}` : ''}`);
    Object.defineProperty(this, 'name', { value: 'TronBroadcastError' });
  }
}

/** A constant contract call the node could not run (`result.result` false: no contract, validation error …). */
export class TronContractCallError extends ProviderResponseError {
  constructor(
    provider: string,
    readonly tronCode: string,
    readonly detail: string,
    status: number,
    body: string,
  ) {
    super(provider, status, snippet(body), `constant call failed: ${tronCode}${detail ? `: ${detail}` : ''}`);
    Object.defineProperty(this, 'name', { value: 'TronContractCallError' });
  }
}

/**
 * The node reported a head below one it reported before; the lower head is not trusted. `resetHead()` on the
 * client accepts a chain that really restarted (devnet).
 */
export class TronHeadRegressedError extends ProviderError {
  readonly code = 'PROVIDER_RESPONSE';
  override readonly name = 'TronHeadRegressedError';
  constructor(
    provider: string,
    readonly tag: 'now' | 'solidified',
    readonly previousHead: number,
    readonly reportedHead: number,
  ) {
    super(provider, `${tag} head went backwards from ${previousHead} to ${reportedHead}; not trusted`);
  }
}
