import type { IncomingMessage, ServerResponse } from 'node:http';
import { HeaderMap, type ApolloServer, type BaseContext } from '@apollo/server';
import { DomainError, ErrorCode, withRequestId } from '../errors.js';
import { BodyTooLargeError, readBody, type RouteHandler } from '../http/server.js';
import type { Logger } from '../logger.js';

const STATUS_BY_CODE: Record<string, number> = {
  [ErrorCode.UNAUTHENTICATED]: 401,
  [ErrorCode.FORBIDDEN]: 403,
  [ErrorCode.RATE_LIMITED]: 429,
  [ErrorCode.BAD_USER_INPUT]: 400,
  [ErrorCode.QUERY_TOO_COMPLEX]: 400,
};

const DEFAULT_MAX_BODY_BYTES = 1_048_576;

function preferredJsonType(req: IncomingMessage): string {
  const accept = req.headers.accept ?? '';
  return accept.includes('application/graphql-response+json')
    ? 'application/graphql-response+json; charset=utf-8'
    : 'application/json; charset=utf-8';
}

/** Writes a request-level GraphQL error (no data) with the status a GraphQL-over-HTTP client expects. */
export function sendGraphQLError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ errors: [{ message, extensions: { code, ...extra } }] });
  res.writeHead(status, {
    'content-type': preferredJsonType(req),
    'content-length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export interface GraphQLHandlerOptions<C extends BaseContext> {
  server: ApolloServer<C>;
  log: Logger;
  /** Builds the request context; a DomainError here becomes a request error with a matching status. */
  context: (req: IncomingMessage) => Promise<C>;
  maxBodyBytes?: number;
}

/** Serves GraphQL over HTTP (GET for queries, POST, content negotiation and CSRF checks by Apollo Server). */
export function graphqlHttpHandler<C extends BaseContext>({
  server,
  log,
  context,
  maxBodyBytes,
}: GraphQLHandlerOptions<C>): RouteHandler {
  return async (req, res, url) => {
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      sendGraphQLError(req, res, 405, 'METHOD_NOT_ALLOWED', 'Use GET or POST', {}, { allow: 'GET, POST' });
      return;
    }
    let body: unknown = undefined;
    if (method === 'POST') {
      const limit = maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
      const tooLarge = () =>
        sendGraphQLError(req, res, 413, ErrorCode.PAYLOAD_TOO_LARGE, `Request body larger than ${limit} bytes`, {
          maxBytes: limit,
        });
      // refused on its declared length, before a byte of it is read (Node discards the rest)
      if (Number(req.headers['content-length'] ?? 0) > limit) {
        tooLarge();
        return;
      }
      let text: string;
      try {
        text = await readBody(req, limit);
      } catch (err) {
        if (err instanceof BodyTooLargeError) {
          tooLarge();
          return;
        }
        throw err;
      }
      const contentType = req.headers['content-type'] ?? '';
      if (contentType.includes('application/json')) {
        try {
          body = text.length ? JSON.parse(text) : undefined;
        } catch (err) {
          log.debug({ err: (err as Error).message }, 'request body is not JSON');
          sendGraphQLError(req, res, 400, 'BAD_REQUEST', 'Request body is not valid JSON');
          return;
        }
      } else {
        body = text;
      }
    }
    const headers = new HeaderMap();
    for (const [key, value] of Object.entries(req.headers)) {
      if (value !== undefined) headers.set(key, Array.isArray(value) ? value.join(', ') : value);
    }
    let ctx: C;
    try {
      ctx = await context(req);
    } catch (err) {
      if (err instanceof DomainError) {
        const retryAfter: Record<string, string> =
          typeof err.details.retryAfterSeconds === 'number'
            ? { 'retry-after': String(err.details.retryAfterSeconds) }
            : {};
        sendGraphQLError(req, res, STATUS_BY_CODE[err.code] ?? 400, err.code, err.message, err.details, retryAfter);
        return;
      }
      throw err;
    }
    const requestId = (ctx as { requestId?: unknown }).requestId;
    const result = await withRequestId(typeof requestId === 'string' ? requestId : undefined, () =>
      server.executeHTTPGraphQLRequest({
        httpGraphQLRequest: { method, headers, search: url.search, body },
        context: async () => ctx,
      }),
    );
    const outHeaders: Record<string, string> = {};
    for (const [key, value] of result.headers) outHeaders[key] = value;
    res.statusCode = result.status ?? 200;
    for (const [key, value] of Object.entries(outHeaders)) res.setHeader(key, value);
    if (result.body.kind === 'complete') {
      res.setHeader('content-length', Buffer.byteLength(result.body.string));
      res.end(result.body.string);
    } else {
      for await (const chunk of result.body.asyncIterator) res.write(chunk);
      res.end();
    }
  };
}
