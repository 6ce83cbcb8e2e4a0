import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

/** What went wrong talking to the gateway, as the bot answers it: a stable code (the gateway's, or UNAVAILABLE). */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

const printed = new WeakMap<object, string>();
function queryText(document: TypedDocumentNode<unknown, unknown>): string {
  let text = printed.get(document);
  if (!text) printed.set(document, (text = print(document)));
  return text;
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; extensions?: { code?: string } }[];
}

/**
 * A plain GraphQL client of the gateway for the SDK's typed documents: one POST per operation, a timeout, and every
 * failure turned into a GatewayError: the first error's `extensions.code`, RATE_LIMITED for 429, UNAVAILABLE when
 * the gateway cannot be reached, times out or answers 5xx without a GraphQL error.
 */
export class GatewayClient {
  constructor(
    private readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  async request<R, V extends Record<string, unknown>>(
    document: TypedDocumentNode<R, V>,
    variables: V,
    token: string | null,
    /** Accept data with errors in it (e.g. `prices`, whose stale items are null with an error each). */
    options: { partial?: boolean } = {},
  ): Promise<R> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: queryText(document as TypedDocumentNode<unknown, unknown>), variables }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && err.name === 'TimeoutError';
      throw new GatewayError(
        'UNAVAILABLE',
        timedOut ? 'The gateway did not answer in time' : 'The gateway is unreachable',
      );
    }
    let body: GraphQLBody<R>;
    try {
      body = (await res.json()) as GraphQLBody<R>;
    } catch {
      throw new GatewayError(res.status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE', `Gateway answered ${res.status}`);
    }
    const first = body.errors?.[0];
    if (first && options.partial && body.data) return body.data;
    if (first)
      throw new GatewayError(
        first.extensions?.code ?? (res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL'),
        first.message,
      );
    if (res.status === 429) throw new GatewayError('RATE_LIMITED', 'Too many requests');
    if (!body.data) throw new GatewayError('UNAVAILABLE', `Gateway answered ${res.status} without data`);
    return body.data;
  }
}
