import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql/language/printer';
import { AppRefreshDocument, AppSignInDocument } from '../../sdk/index.js';

/** An error the API answered with a stable `extensions.code` (or NETWORK when it could not be reached). */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
    /** Seconds from Retry-After (RATE_LIMITED, SERVICE_UNAVAILABLE), when given. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(message);
  }
}

interface GraphQLBody<T> {
  data?: T | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

const printed = new WeakMap<object, string>();
function source(document: object): string {
  let text = printed.get(document);
  if (!text) printed.set(document, (text = print(document as Parameters<typeof print>[0])));
  return text;
}

/** Refresh this long before the access token expires, so no request goes out with a dead one. */
const REFRESH_MARGIN_MS = 60_000;

/**
 * The signed-in session: the access token lives in this object only (never in storage), the refresh token too;
 * refreshed by `refreshSession` a minute before it expires, and on demand when a request finds it expired.
 */
export class Session {
  private accessToken: string | null = null;
  private refreshToken: string | null = null;
  private expiresAt = 0;
  private refreshing: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly endpoint: string) {}

  async signIn(initData: string): Promise<void> {
    const data = await this.send(AppSignInDocument, { initData }, null);
    this.store(data.signInWithTelegram);
  }

  /** A token valid for at least the refresh margin (refreshing first when it is not). */
  async token(): Promise<string> {
    if (!this.accessToken) throw new ApiError('UNAUTHENTICATED', 'not signed in');
    if (Date.now() > this.expiresAt - REFRESH_MARGIN_MS) await this.refresh();
    return this.accessToken!;
  }

  /** Runs one operation as the signed-in user; partial data with field errors is returned as is. */
  async request<TData, TVariables extends Record<string, unknown>>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
  ): Promise<TData> {
    return this.send(document, variables, await this.token());
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.accessToken = this.refreshToken = null;
  }

  private refresh(): Promise<void> {
    this.refreshing ??= (async () => {
      try {
        const data = await this.send(AppRefreshDocument, { refreshToken: this.refreshToken! }, null);
        this.store(data.refreshSession);
      } finally {
        this.refreshing = null;
      }
    })();
    return this.refreshing;
  }

  private store(tokens: { accessToken: string; refreshToken: string; expiresAt: string }): void {
    this.accessToken = tokens.accessToken;
    this.refreshToken = tokens.refreshToken;
    this.expiresAt = Date.parse(tokens.expiresAt);
    if (this.timer) clearTimeout(this.timer);
    const wait = Math.max(1_000, this.expiresAt - Date.now() - REFRESH_MARGIN_MS);
    this.timer = setTimeout(() => void this.refresh().catch(() => undefined), wait);
  }

  private async send<TData, TVariables>(
    document: TypedDocumentNode<TData, TVariables>,
    variables: TVariables,
    token: string | null,
  ): Promise<TData> {
    let res: Response;
    try {
      res = await fetch(this.endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/graphql-response+json, application/json',
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: JSON.stringify({ query: source(document), variables }),
      });
    } catch {
      throw new ApiError('NETWORK', 'network unreachable');
    }
    const retryAfter = Number(res.headers.get('retry-after')) || null;
    let body: GraphQLBody<TData>;
    try {
      body = (await res.json()) as GraphQLBody<TData>;
    } catch {
      throw new ApiError(res.status === 429 ? 'RATE_LIMITED' : 'UNKNOWN', `HTTP ${res.status}`, {}, retryAfter);
    }
    // Field errors beside data (a stale price) leave the rest usable; an error without data is the answer.
    if (body.data) return body.data;
    const first = body.errors?.[0];
    const extensions = first?.extensions ?? {};
    const seconds = retryAfter ?? (Number(extensions.retryAfterSeconds) || null);
    throw new ApiError(
      String(extensions.code ?? 'UNKNOWN'),
      first?.message ?? `HTTP ${res.status}`,
      extensions,
      seconds,
    );
  }
}
