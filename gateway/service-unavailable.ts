import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import { DomainError, ErrorCode } from '../platform/errors.js';

/** Socket errors that mean the subgraph was not reached (or stopped answering), not that it refused the call. */
const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EPIPE',
  'ECONNABORTED',
]);
/** What a proxy or load balancer in front of a subgraph answers when the subgraph is gone. */
const UNAVAILABLE_STATUSES = new Set([502, 503, 504]);

/**
 * The error a failed subgraph call becomes: SERVICE_UNAVAILABLE (retryable: the call may not have
 * happened, so retry with the same idempotency key) when the subgraph could not be reached; null for
 * any other failure, which stays masked as INTERNAL_SERVER_ERROR.
 */
export function serviceUnavailable(error: unknown, service: string): DomainError | null {
  const code = (error as { code?: unknown } | null)?.code;
  const status =
    error instanceof GraphQLError
      ? (error.extensions?.response as { status?: unknown } | undefined)?.status
      : undefined;
  const unreachable =
    (typeof code === 'string' && UNREACHABLE.has(code)) ||
    (typeof status === 'number' && UNAVAILABLE_STATUSES.has(status));
  if (!unreachable) return null;
  return new DomainError(
    ErrorCode.SERVICE_UNAVAILABLE,
    `The ${service} service is unavailable: retry shortly (with the same idempotency key for a mutation)`,
    { service, retryable: true },
  );
}

/**
 * HTTP 503 when nothing could be served because subgraphs were unreachable: no data, and every error is
 * SERVICE_UNAVAILABLE. A partial answer (some fields served) keeps 200, with the code at each missing path.
 */
export function serviceUnavailableStatusPlugin(): ApolloServerPlugin {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single') return;
          const { data, errors } = response.body.singleResult;
          if (data != null || !errors?.length) return;
          if (errors.every((e) => e.extensions?.code === ErrorCode.SERVICE_UNAVAILABLE)) response.http.status = 503;
        },
      };
    },
  };
}
