import { gzipSync } from 'node:zlib';
import { renderGraphiQL } from '@graphql-yoga/render-graphiql';
import type { RouteHandler } from '../../platform/http/server.js';

const DEFAULT_QUERY = `# Works without signing in: press the run button.
# Staff: run signInAdmin(email, password) { accessToken }, then put
#   {"Authorization": "Bearer <accessToken>"}
# in the Headers tab to reach admin fields.
query LevelRules {
  levelRules { level kycTier minTradeVolumeToman }
}
`;

/**
 * A self-hosted GraphiQL: the whole app (scripts, styles, editor workers) is inlined from an npm package,
 * and the page's Content-Security-Policy forbids loading anything from another origin.
 */
export function playgroundHandler(): RouteHandler {
  let html: Buffer | null = null;
  let gzipped: Buffer | null = null;
  return (req, res) => {
    html ??= Buffer.from(
      renderGraphiQL({
        title: 'Custody Supergraph playground',
        endpoint: '/graphql',
        subscriptionsProtocol: 'WS',
        defaultQuery: DEFAULT_QUERY,
        headerEditorEnabled: true,
        shouldPersistHeaders: true,
      } as Parameters<typeof renderGraphiQL>[0]),
    );
    const acceptsGzip = /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = acceptsGzip ? (gzipped ??= gzipSync(html)) : html;
    res.writeHead(200, {
      'content-type': 'text/html; charset=utf-8',
      'content-length': body.length,
      ...(acceptsGzip ? { 'content-encoding': 'gzip' } : {}),
      'cache-control': 'no-cache',
      'content-security-policy':
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval' blob:; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' ws: wss:",
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    res.end(body);
  };
}
