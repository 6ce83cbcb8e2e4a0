import { ProviderError, ProviderResponseError } from '../http/http.errors.js';

/**
 * toncenter refused an external message: the account's code rejected it before accepting (v4R2: 33 wrong seqno,
 * 34 wrong subwallet id, 35 bad signature, 36 expired), or the message could not be parsed. `exitCode` is null
 * when the node gave no exit code (unparseable BOC, unknown account).
 */
export class TonSendRejectedError extends ProviderResponseError {
  constructor(
    provider: string,
    readonly exitCode: number | null,
    readonly detail: string,
    status: number,
    bodySnippet: string,
  ) {
    super(
      provider,
      status,
      bodySnippet,
      `external message rejected${exitCode === null ? '' : ` (exit code ${exitCode})`}: ${detail}`,
    );
    Object.defineProperty(this, 'name', { value: 'TonSendRejectedError' });
  }
}

/**
 * The masterchain seqno went below one seen before; the lower head is not trusted. `resetHead()` on the client
 * accepts a chain that really restarted (devnet).
 */
export class TonHeadRegressedError extends ProviderError {
  readonly code = 'PROVIDER_RESPONSE';
  override readonly name = 'TonHeadRegressedError';
  constructor(
    provider: string,
    readonly previousSeqno: number,
    readonly reportedSeqno: number,
  ) {
    super(provider, `masterchain seqno went backwards from ${previousSeqno} to ${reportedSeqno}; not trusted`);
  }
}
