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

export interface SdkClient {
  request<R, V>(document: TypedDocumentNode<R, V>, variables: V): Promise<R>;
  /** Calls `onEvent` for each pushed result until the returned function is called. */
  subscribe<R, V>(document: TypedDocumentNode<R, V>, variables: V, onEvent: (data: R) => void): () => Promise<void>;
}

export function createSdkClient(options: SdkClientOptions): SdkClient {
  const auth: Record<string, string> = options.token ? { authorization: `Bearer ${options.token}` } : {};
  return {
    async request(document, variables) {
      const res = await fetch(options.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/graphql-response+json', ...auth },
        body: JSON.stringify({ query: print(document), variables }),
      });
      const body = (await res.json()) as { data?: unknown; errors?: GraphQLErrorShape[] };
      if (body.errors?.length) throw new SdkError(body.errors);
      return body.data as never;
    },
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
