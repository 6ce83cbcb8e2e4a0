import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { postOperation } from '../sdk/client.js';

/**
 * The gateway as the bot calls it: the SDK's `postOperation` with the bot's URL and timeout; failures are the SDK's
 * `SdkError` with a stable code (the gateway's, RATE_LIMITED or UNAVAILABLE).
 */
export class GatewayClient {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  request<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    token: string | null,
    options: { partial?: boolean } = {},
  ): Promise<R> {
    return postOperation(this.url, document, variables, { token, timeoutMs: this.timeoutMs, ...options });
  }
}
