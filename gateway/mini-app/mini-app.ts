import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { RouteHandler } from '../../platform/http/server.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.webmanifest': 'application/manifest+json',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg', '.json', '.webmanifest']);
/** A Host header fit to name in the policy (no spaces, semicolons or quotes). */
const HOST = /^([a-z0-9.-]+|\[[0-9a-f:.]+\])(:\d{1,5})?$/i;

/**
 * The page's policy: scripts, styles, fonts and images from this origin only (QR codes are inline SVG, data: for
 * images), API calls and graphql-ws to this origin (the gateway), nothing else; framed only by Telegram Web.
 */
export function miniAppCsp(host: string | undefined): string {
  const sockets = host && HOST.test(host) ? ` ws://${host} wss://${host}` : '';
  return [
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self'${sockets}`,
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'self' https://web.telegram.org",
  ].join('; ');
}

interface Loaded {
  mtimeMs: number;
  body: Buffer;
  gzipped: Buffer | null;
  etag: string;
}

/**
 * Serves the built Mini App (clients/mini-app/dist) under /app: `/app` and `/app/` are index.html (`no-cache`,
 * revalidated by ETag, so a release is picked up at the next launch), `/app/assets/*` are Vite's content-hashed
 * files (`immutable`, a year). Gzip when asked. Nothing outside dist is reachable. Until the app is built the route
 * answers 503 saying how to build it.
 */
export function miniAppHandler(dist: string): RouteHandler {
  const cache = new Map<string, Loaded>();
  const load = async (file: string): Promise<Loaded | null> => {
    const info = await stat(file).catch(() => null);
    if (!info?.isFile()) return null;
    const cached = cache.get(file);
    if (cached && cached.mtimeMs === info.mtimeMs) return cached;
    const body = await readFile(file);
    const loaded: Loaded = {
      mtimeMs: info.mtimeMs,
      body,
      gzipped: COMPRESSIBLE.has(extname(file)) && body.length > 512 ? gzipSync(body) : null,
      etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`,
    };
    cache.set(file, loaded);
    return loaded;
  };

  return async (req: IncomingMessage, res: ServerResponse, url: URL) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-length': 0 });
      res.end();
      return;
    }
    const relative = url.pathname === '/app' || url.pathname === '/app/' ? 'index.html' : url.pathname.slice(5);
    const file = normalize(join(dist, decodeURIComponent(relative)));
    if (!file.startsWith(dist + sep)) return notFound(res);
    const loaded = await load(file);
    if (!loaded) {
      if (relative === 'index.html') {
        res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'retry-after': '5' });
        res.end('The Mini App is not built: run `npm run build:mini-app` (npm start builds it).\n');
        return;
      }
      return notFound(res);
    }
    const hashed = relative.startsWith('assets/');
    const headers: Record<string, string | number> = {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'cache-control': hashed ? 'public, max-age=31536000, immutable' : 'no-cache',
      etag: loaded.etag,
      vary: 'Accept-Encoding',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'content-security-policy': miniAppCsp(req.headers.host),
    };
    if (req.headers['if-none-match'] === loaded.etag) {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    const gzip = loaded.gzipped !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? loaded.gzipped! : loaded.body;
    res.writeHead(200, { ...headers, 'content-length': body.length, ...(gzip ? { 'content-encoding': 'gzip' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
  res.end('not found\n');
}
