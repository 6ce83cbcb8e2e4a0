import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_CONTEXT_HEADER, REQUEST_ID_HEADER, type InternalTokens } from '../platform/auth/tokens.js';
import type { Logger } from '../platform/logger.js';
import type { GatewayContext } from './context.js';
import { serviceUnavailable } from './service-unavailable.js';

/**
 * Sends every subgraph call with the signed internal context (viewer, roles, claims, request id); a
 * subgraph that cannot be reached answers SERVICE_UNAVAILABLE instead of a masked internal error.
 */
export class InternalContextDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly name: string,
    url: string,
    private readonly tokens: InternalTokens,
    fetcher: RemoteGraphQLDataSource['fetcher'],
    private readonly log?: Logger,
  ) {
    super({ url, fetcher });
  }

  override didEncounterError(error: Error): never {
    const unavailable = serviceUnavailable(error, this.name);
    if (!unavailable) throw error;
    this.log?.warn({ service: this.name, reason: (error as { code?: string }).code ?? error.message }, 'subgraph unreachable');
    throw unavailable;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as Partial<GatewayContext> | undefined;
    if (!ctx?.viewer || !request.http) return;
    ctx.internalToken ??= this.tokens.sign(ctx.viewer);
    request.http.headers.set(INTERNAL_CONTEXT_HEADER, await ctx.internalToken);
    request.http.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? 'unknown');
  }
}
