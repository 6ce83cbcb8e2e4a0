import { ProviderError, ProviderResponseError, snippet } from '../http/http.errors.js';

/**
 * Why a node refused a call, read from the JSON-RPC error object (`code`, `message`). The JSON-RPC 2.0 codes
 * (-32700 … -32603) and EIP-1474's (-32000 … -32006) are standard; `message` texts are client-specific, so the
 * transaction-pool reasons are matched on the phrases geth, Nethermind, Erigon, BSC and Hardhat use.
 */
export type EvmRpcErrorReason =
  | 'execution-reverted'
  | 'nonce-too-low'
  | 'insufficient-funds'
  | 'already-known'
  | 'underpriced'
  | 'method-not-found'
  | 'invalid-params'
  | 'invalid-request'
  | 'rate-limited'
  | 'limit-exceeded'
  | 'resource-not-found'
  | 'internal'
  | 'other';

export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

function classify(error: JsonRpcErrorObject): EvmRpcErrorReason {
  const message = error.message.toLowerCase();
  if (error.code === 3 || message.includes('execution reverted') || message.includes('reverted with'))
    return 'execution-reverted';
  if (message.includes('nonce too low') || message.includes('nonce is too low')) return 'nonce-too-low';
  if (message.includes('insufficient funds') || message.includes("doesn't have enough funds"))
    return 'insufficient-funds';
  if (
    message.includes('already known') ||
    message.includes('known transaction') ||
    message.includes('already imported')
  ) {
    return 'already-known';
  }
  if (message.includes('underpriced')) return 'underpriced';
  if (error.code === -32601) return 'method-not-found';
  if (error.code === -32602) return 'invalid-params';
  if (error.code === -32600 || error.code === -32700) return 'invalid-request';
  if (error.code === -32005 || message.includes('rate limit') || message.includes('too many requests'))
    return 'rate-limited';
  if (
    message.includes('query returned more than') ||
    message.includes('block range') ||
    message.includes('range too large')
  ) {
    return 'limit-exceeded';
  }
  if (error.code === -32001 || message.includes('not found')) return 'resource-not-found';
  if (error.code === -32603) return 'internal';
  return 'other';
}

/**
 * The node answered the call with a JSON-RPC error object. A `ProviderResponseError` (status is the HTTP status,
 * usually 200): not retried and not counted against the circuit, because the node is healthy and said no.
 */
export class EvmRpcError extends ProviderResponseError {
  readonly reason: EvmRpcErrorReason;
  readonly rpcCode: number;
  readonly rpcMessage: string;
  /** `error.data` as sent (revert data is a 0x… string on geth/Hardhat). */
  readonly rpcData: unknown;
  constructor(
    provider: string,
    readonly method: string,
    error: JsonRpcErrorObject,
    status: number,
    body: string,
  ) {
    super(provider, status, snippet(body), `${method}: JSON-RPC error ${error.code}: ${error.message}`);
    // The base class types `name` as its own literal; the runtime name still says what this is.
    Object.defineProperty(this, 'name', { value: 'EvmRpcError' });
    this.reason = classify(error);
    this.rpcCode = error.code;
    this.rpcMessage = error.message;
    this.rpcData = error.data;
  }
}

/**
 * The node reported a head below one it reported before (a node that fell behind, a load balancer switching to a
 * lagging backend, or a hostile node). The lower head is not trusted: the caller should back off or try another
 * node; `resetHead()` on the client accepts a chain that really restarted (devnet).
 */
export class EvmHeadRegressedError extends ProviderError {
  readonly code = 'PROVIDER_RESPONSE';
  override readonly name = 'EvmHeadRegressedError';
  constructor(
    provider: string,
    readonly tag: string,
    readonly previousHead: bigint,
    readonly reportedHead: bigint,
  ) {
    super(provider, `${tag} head went backwards from ${previousHead} to ${reportedHead}; not trusted`);
  }
}
