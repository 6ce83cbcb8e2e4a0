import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { INTERNAL_CONTEXT_HEADER, REQUEST_ID_HEADER, type InternalTokenSigner } from '../platform/auth/tokens.js';
import type { Logger } from '../platform/logger.js';
import type { GatewayContext } from './context.js';
import { serviceUnavailable } from './service-unavailable.js';

/**
 * Sends every subgraph call with the signed internal context (viewer, roles, claims) for that subgraph alone
 * (audience = its name), and the request id. The signer hands out one token per viewer and subgraph for
 * half its lifetime, so this costs a map lookup per call. A subgraph that cannot be reached answers
 * SERVICE_UNAVAILABLE instead of a masked internal error.
 */
export class InternalContextDataSource extends RemoteGraphQLDataSource<GatewayContext> {
  constructor(
    private readonly name: string,
    url: string,
    private readonly tokens: InternalTokenSigner,
    fetcher: RemoteGraphQLDataSource['fetcher'],
    private readonly log?: Logger,
  ) {
    super({ url, fetcher });
  }

  override didEncounterError(error: Error): never {
    const unavailable = serviceUnavailable(error, this.name);
    if (!unavailable) throw error;
    this.log?.warn(
      { service: this.name, reason: (error as { code?: string }).code ?? error.message },
      'subgraph unreachable',
    );
    throw unavailable;
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as Partial<GatewayContext> | undefined;
    if (!ctx?.viewer || !request.http) return;
    request.http.headers.set(INTERNAL_CONTEXT_HEADER, await this.tokens.sign(ctx.viewer, this.name));
    request.http.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? 'unknown');
  }
}
