import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { createClient, type Client } from 'graphql-ws';

/**
 * A minimal typed client for the SDK documents: `request` over HTTP (queries, mutations), `subscribe` over
 * graphql-ws on the same URL. Variables and results are typed by the document (from `./index.ts`). Any GraphQL
 * client that takes a TypedDocumentNode (urql, Apollo Client, graphql-request) works the same way.
 */
export interface GraphQLErrorShape {
  message: string;
  extensions?: { code?: string; [key: string]: unknown };
}

/** The first error of a response, with its stable `extensions.code` (UNAUTHENTICATED, INSUFFICIENT_FUNDS, …). */
export class SdkError extends Error {
  readonly code: string | undefined;
  constructor(readonly errors: readonly GraphQLErrorShape[]) {
    super(errors.map((e) => `${e.extensions?.code ?? 'ERROR'}: ${e.message}`).join('; '));
    this.code = errors[0]?.extensions?.code;
  }
}

export interface SdkClientOptions {
  /** The gateway's GraphQL endpoint, e.g. https://api.example.com/graphql. */
  url: string;
  /** An access token (signInWithTelegram / signInAdmin); null for public fields and sign-in. */
  token?: string | null;
  /** A WebSocket implementation where there is no global one (Node 20: the `ws` package). */
  webSocketImpl?: unknown;
}

export interface PostOptions {
  token?: string | null;
  /** Abort after this long (UNAVAILABLE); none by default. */
  timeoutMs?: number;
  /** Accept data with errors in it (e.g. `prices`, whose stale items are null with an error each). */
  partial?: boolean;
}

const printed = new WeakMap<object, string>();
function queryText(document: TypedDocumentNode<unknown, unknown>): string {
  let text = printed.get(document);
  if (!text) printed.set(document, (text = print(document)));
  return text;
}

const failure = (code: string, message: string) => new SdkError([{ message, extensions: { code } }]);

/**
 * One query or mutation over HTTP. Every failure is an SdkError with a stable code: the first GraphQL error's
 * `extensions.code`, RATE_LIMITED for a 429, UNAVAILABLE when the gateway cannot be reached, times out or answers
 * without data.
 */
export async function postOperation<R, V>(
  url: string,
  document: TypedDocumentNode<R, V>,
  variables: V,
  options: PostOptions = {},
): Promise<R> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      },
      body: JSON.stringify({ query: queryText(document as TypedDocumentNode<unknown, unknown>), variables }),
      ...(options.timeoutMs ? { signal: AbortSignal.timeout(options.timeoutMs) } : {}),
    });
  } catch (err) {
    const timedOut = err instanceof Error && err.name === 'TimeoutError';
    throw failure('UNAVAILABLE', timedOut ? 'The gateway did not answer in time' : 'The gateway is unreachable');
  }
  let body: { data?: R | null; errors?: GraphQLErrorShape[] };
  try {
    body = (await res.json()) as typeof body;
  } catch {
    throw failure(res.status === 429 ? 'RATE_LIMITED' : 'UNAVAILABLE', `Gateway answered ${res.status}`);
  }
  const first = body.errors?.[0];
  if (first && options.partial && body.data) return body.data;
  if (first)
    throw new SdkError(
      body.errors!.map((e) => ({
        ...e,
        extensions: { ...e.extensions, code: e.extensions?.code ?? (res.status === 429 ? 'RATE_LIMITED' : 'INTERNAL') },
      })),
    );
  if (res.status === 429) throw failure('RATE_LIMITED', 'Too many requests');
  if (!body.data) throw failure('UNAVAILABLE', `Gateway answered ${res.status} without data`);
  return body.data;
}

export interface SdkClient {
  request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R>;
  /** Calls `onEvent` for each pushed result until the returned function is called. */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables: V, onEvent: (data: R) => void): () => Promise<void>;
}

export function createSdkClient(options: SdkClientOptions): SdkClient {
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  return {
    request: (document, variables) => postOperation(options.url, document, variables, { token: options.token }),
    subscribe(document, variables, onEvent) {
      const client: Client = createClient({
        url: options.url.replace(/^http/, 'ws'),
        connectionParams: auth,
        webSocketImpl: options.webSocketImpl,
        retryAttempts: 0,
      });
      const stop = client.subscribe(
        { query: print(document), variables: variables as Record<string, unknown> },
        {
          next: (value) => {
            if (value.errors?.length) throw new SdkError(value.errors as GraphQLErrorShape[]);
            onEvent(value.data as never);
          },
          error: () => undefined,
          complete: () => undefined,
        },
      );
      return async () => {
        stop();
        await client.dispose();
      };
    },
  };
}
