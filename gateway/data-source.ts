import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import { GraphQLError } from 'graphql';
import { INTERNAL_CONTEXT_HEADER, REQUEST_ID_HEADER, type InternalTokenSigner } from '../platform/auth/tokens.js';
import type { Logger } from '../platform/logger.js';
import { SpanKind } from '@opentelemetry/api';
import { traceCarrier } from '../platform/telemetry/propagation.js';
import { inSpan } from '../platform/telemetry/spans.js';
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

  /**
   * A subgraph answers a request it refuses as the client's mistake (its variables or arguments do not coerce
   * in its schema) with HTTP 400 and a coded error. Apollo's data source turns any non-2xx answer into a
   * codeless "400: Bad Request" that the error mapper must mask; this keeps the subgraph's code and message
   * instead. Only codes that mean bad input pass; anything else (a parse failure means the gateway sent a
   * broken document) keeps the default and stays masked.
   */
  override async errorFromResponse(response: Parameters<RemoteGraphQLDataSource['errorFromResponse']>[0]) {
    if (response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 403) {
      const body: unknown = await response
        .clone()
        .json()
        .catch(() => null);
      const refusal = clientRefusal(body);
      if (refusal)
        return new GraphQLError(refusal.message, { extensions: { code: refusal.code, serviceName: this.name } });
    }
    return super.errorFromResponse(response);
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

  /** Each subgraph call is a client span of the gateway's trace; the subgraph continues it from `traceparent`. */
  override process(options: GraphQLDataSourceProcessOptions<GatewayContext>) {
    return inSpan(
      `subgraph ${this.name}`,
      { kind: SpanKind.CLIENT, attributes: { 'graphql.subgraph.name': this.name } },
      () => super.process(options),
    );
  }

  override async willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<GatewayContext>): Promise<void> {
    const ctx = context as Partial<GatewayContext> | undefined;
    if (!request.http) return;
    const trace = traceCarrier();
    if (trace) for (const [key, value] of Object.entries(trace)) request.http.headers.set(key, value);
    if (!ctx?.viewer) return;
    request.http.headers.set(INTERNAL_CONTEXT_HEADER, await this.tokens.sign(ctx.viewer, this.name));
    request.http.headers.set(REQUEST_ID_HEADER, ctx.requestId ?? 'unknown');
  }
}

/** Subgraph error codes that say the request's input was wrong, not the service. */
const CLIENT_INPUT_CODES = new Set(['BAD_USER_INPUT', 'GRAPHQL_VALIDATION_FAILED']);

function clientRefusal(body: unknown): { code: string; message: string } | null {
  const errors = (body as { errors?: unknown } | null)?.errors;
  if (!Array.isArray(errors) || errors.length === 0) return null;
  const first = errors[0] as { message?: unknown; extensions?: { code?: unknown } };
  const code = first?.extensions?.code;
  if (typeof code !== 'string' || !CLIENT_INPUT_CODES.has(code) || typeof first.message !== 'string') return null;
  return { code, message: first.message };
}
