import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql/language/printer';
import { createClient, type Client } from 'graphql-ws';
import type { Session } from './api.js';

export type LinkState = 'online' | 'connecting' | 'offline';

/** Close codes after which reconnecting cannot help: signed out / access reduced. */
const FINAL_CLOSE_CODES = new Set([4403]);

/**
 * One graphql-ws socket for the app's subscriptions, authenticated in connection_init with a token fresh from the
 * session (a 4401 close on expiry reconnects with a refreshed one). It retries forever with back-off; `onState`
 * says online / connecting / offline, and `onReconnected` lets screens refetch what they may have missed.
 */
export class Live {
  private readonly client: Client;
  private everConnected = false;
  private connected = false;
  private readonly reconnectListeners = new Set<() => void>();

  constructor(url: string, session: Session, onState: (state: LinkState) => void) {
    this.client = createClient({
      url,
      lazy: false,
      keepAlive: 15_000,
      retryAttempts: Number.POSITIVE_INFINITY,
      shouldRetry: (event) => !(event instanceof CloseEvent && FINAL_CLOSE_CODES.has(event.code)),
      retryWait: async (retries) => {
        await new Promise((r) => setTimeout(r, Math.min(10_000, 500 * 2 ** retries) * (0.5 + Math.random() / 2)));
      },
      connectionParams: async () => ({ authorization: `Bearer ${await session.token()}` }),
      on: {
        connecting: () => onState(navigator.onLine ? 'connecting' : 'offline'),
        connected: () => {
          this.connected = true;
          onState('online');
          if (this.everConnected) for (const listener of this.reconnectListeners) listener();
          this.everConnected = true;
        },
        closed: () => {
          this.connected = false;
          onState(navigator.onLine ? 'connecting' : 'offline');
        },
      },
    });
    window.addEventListener('offline', () => onState('offline'));
    window.addEventListener('online', () => onState(this.connected ? 'online' : 'connecting'));
  }

  subscribe<TData>(document: TypedDocumentNode<TData, Record<string, never>>, next: (data: TData) => void): () => void {
    return this.client.subscribe<TData>(
      { query: print(document as Parameters<typeof print>[0]) },
      {
        next: (result) => {
          if (result.data) next(result.data as TData);
        },
        error: () => undefined,
        complete: () => undefined,
      },
    );
  }

  onReconnected(listener: () => void): () => void {
    this.reconnectListeners.add(listener);
    return () => this.reconnectListeners.delete(listener);
  }

  dispose(): void {
    void this.client.dispose();
  }
}
