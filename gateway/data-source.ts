import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_CONTEXT_HEADER, REQUEST_ID_HEADER, type InternalTokenSigner } from '../platform/auth/tokens.js';
import type { GatewayContext } from './context.js';

/**
 * Sends every subgraph call with the signed internal context (viewer, roles, claims) for that subgraph alone
 * (audience = its name), and the request id. The signer hands out one token per viewer and subgraph for
 * half its lifetime, so this costs a map lookup per call.
 */
export class InternalContextDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly audience: string, private readonly tokens: InternalTokenSigner, fetcher: RemoteGraphQLDataSource['fetcher']) {
    super({ url, fetcher });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as Partial<GatewayContext> | undefined;
    if (!ctx?.viewer || !request.http) return;
    request.http.headers.set(INTERNAL_CONTEXT_HEADER, await this.tokens.sign(ctx.viewer, this.audience));
    request.http.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? 'unknown');
  }
}
