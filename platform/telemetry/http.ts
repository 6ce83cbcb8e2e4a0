import type { IncomingMessage, ServerResponse } from 'node:http';
import { context, SpanKind, SpanStatusCode } from '@opentelemetry/api';
import type { RouteHandler } from '../http/server.js';
import { contextFromCarrier, hasSpan } from './propagation.js';
import { inSpan } from './spans.js';

export interface TracedRouteOptions {
  /** The span's name, e.g. `gateway /graphql`. */
  name: string;
  /**
   * Continue the caller's trace from its `traceparent` header (a subgraph called by the gateway); false starts a new
   * trace per request (the gateway: public clients do not choose our trace ids).
   */
  continueIncoming: boolean;
}

/**
 * A route handler served in a server span: the http instrumentation's span when it traced the request already, else
 * the caller's context from the headers (or a new trace). In-process servers (tests) and Node's own http module
 * imported by ESM (not patched without the loader hook) get the same spans this way.
 */
export function tracedRoute(handler: RouteHandler, options: TracedRouteOptions): RouteHandler {
  return (req: IncomingMessage, res: ServerResponse, url: URL) => {
    const active = context.active();
    const parent = hasSpan(active) ? active : options.continueIncoming ? contextFromCarrier(req.headers) : active;
    return inSpan(
      options.name,
      {
        kind: SpanKind.SERVER,
        parent,
        root: !hasSpan(parent),
        attributes: { 'http.request.method': req.method ?? 'GET', 'url.path': url.pathname },
      },
      async (span) => {
        await handler(req, res, url);
        span.setAttribute('http.response.status_code', res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      },
    );
  };
}
