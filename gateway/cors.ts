import type { IncomingMessage, ServerResponse } from 'node:http';
import { REQUEST_ID_HEADER } from '../platform/auth/tokens.js';
import { ErrorCode } from '../platform/errors.js';
import { sendGraphQLError } from '../platform/graphql/http-handler.js';
import type { RouteHandler } from '../platform/http/server.js';

export interface CorsOptions {
  /** Exact origins (`https://app.example.com`) whose pages may call the API. */
  origins: readonly string[];
  /** Any http(s) origin on localhost, 127.0.0.1 or [::1] (development). */
  allowLocalhost: boolean;
}

const METHODS = 'GET, POST, OPTIONS';
/** What the Mini App, GraphiQL and Apollo/urql clients send beyond the CORS-safelisted headers. */
const HEADERS = [
  'content-type',
  'authorization',
  'apollo-require-preflight',
  'x-apollo-operation-name',
  REQUEST_ID_HEADER,
].join(', ');
/** Response headers a page may read: Retry-After on RATE_LIMITED and SERVICE_UNAVAILABLE. */
const EXPOSED = ['retry-after', REQUEST_ID_HEADER].join(', ');
const LOCALHOST = /^https?:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d{1,5})?$/;

/** Whether a browser page on `origin` may call this server (same-origin pages, such as the playground, always may). */
export function originAllowed(options: CorsOptions, origin: string, host: string | undefined): boolean {
  if (options.origins.includes(origin)) return true;
  if (options.allowLocalhost && LOCALHOST.test(origin)) return true;
  try {
    return host !== undefined && new URL(origin).host === host;
  } catch {
    return false;
  }
}

/** Adds `value` to the response's Vary header, whatever the handler sets there, when the head is written. */
function varyOn(res: ServerResponse, value: string): void {
  const writeHead = res.writeHead;
  res.writeHead = function (this: ServerResponse, ...args: Parameters<ServerResponse['writeHead']>) {
    const current = String(res.getHeader('vary') ?? '');
    const headers = args.find(
      (a): a is Record<string, string> => typeof a === 'object' && a !== null && !Array.isArray(a),
    );
    const given = headers ? Object.entries(headers).find(([k]) => k.toLowerCase() === 'vary') : undefined;
    const values = [...current.split(','), ...(given ? String(given[1]).split(',') : [])]
      .map((v) => v.trim())
      .filter(Boolean);
    if (!values.some((v) => v.toLowerCase() === value.toLowerCase())) values.push(value);
    if (given) headers![given[0]] = values.join(', ');
    else res.setHeader('vary', values.join(', '));
    return writeHead.apply(this, args);
  } as ServerResponse['writeHead'];
}

/**
 * CORS for the GraphQL route: a page on an allowed origin gets its preflight answered (the methods and
 * headers clients send) and its responses marked readable for that origin; the allowed origin is echoed,
 * never `*`, and no credentials mode is offered (tokens travel in Authorization, not cookies). A request
 * from any other origin is refused with 403 ORIGIN_NOT_ALLOWED before any work. Requests without an
 * Origin (servers, the bot, curl) are not affected. Every response varies on Origin.
 */
export function withCors(options: CorsOptions, handler: RouteHandler): RouteHandler {
  return (req: IncomingMessage, res: ServerResponse, url: URL) => {
    varyOn(res, 'Origin');
    const origin = req.headers.origin;
    if (origin === undefined) return handler(req, res, url);
    const preflight = req.method === 'OPTIONS' && req.headers['access-control-request-method'] !== undefined;
    if (!originAllowed(options, origin, req.headers.host)) {
      if (preflight) {
        res.writeHead(403, { 'content-length': 0 });
        res.end();
      } else {
        sendGraphQLError(
          req,
          res,
          403,
          ErrorCode.ORIGIN_NOT_ALLOWED,
          `Pages on ${origin} may not call this API (CORS_ORIGINS)`,
        );
      }
      return;
    }
    res.setHeader('access-control-allow-origin', origin);
    if (preflight) {
      res.writeHead(204, {
        'access-control-allow-methods': METHODS,
        'access-control-allow-headers': HEADERS,
        'access-control-max-age': '600',
        'content-length': 0,
      });
      res.end();
      return;
    }
    res.setHeader('access-control-expose-headers', EXPOSED);
    return handler(req, res, url);
  };
}
