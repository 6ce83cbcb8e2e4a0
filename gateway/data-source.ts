import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_CONTEXT_HEADER, REQUEST_ID_HEADER, type InternalTokens } from '../platform/auth/tokens.js';
import type { GatewayContext } from './context.js';

/** Sends every subgraph call with the signed internal context (viewer, roles, claims, request id). */
export class InternalContextDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(url: string, private readonly tokens: InternalTokens, fetcher: RemoteGraphQLDataSource['fetcher']) {
    super({ url, fetcher });
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as Partial<GatewayContext> | undefined;
    if (!ctx?.viewer || !request.http) return;
    ctx.internalToken ??= this.tokens.sign(ctx.viewer);
    request.http.headers.set(INTERNAL_CONTEXT_HEADER, await ctx.internalToken);
    request.http.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? 'unknown');
  }
}
