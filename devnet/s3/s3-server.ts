import { mkdirSync } from 'node:fs';
import {
  createServer,
  request as httpRequest,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { DEV_S3_ACCESS_KEY_ID, DEV_S3_SECRET_ACCESS_KEY } from '../../platform/config/storage.js';
import {
  S3AuthError,
  verifyHeaderSignature,
  verifyPostPolicy,
  verifyQuerySignature,
  type IncomingSigned,
  type SecretLookup,
} from './sigv4.js';

/**
 * A real S3-compatible server for development and tests, in-process and pure JavaScript: the `s3rver` package
 * stores the objects (buckets, GET with Range, HEAD, DELETE, browser POST uploads) in a directory, behind a
 * front that checks what s3rver itself does not: every request must carry a valid AWS Signature V4 (in the
 * Authorization header, in a presigned URL's query, or as a signed POST policy), presigned URLs and policies
 * expire, and a POST policy's conditions (exact key and Content-Type, content-length-range) are enforced.
 * Anonymous requests get 403 AccessDenied: every bucket is private, as in production.
 */

/** Development-only credentials of the devnet server (public in this repository, they protect nothing). */
export const DEV_S3_CREDENTIALS = {
  accessKeyId: DEV_S3_ACCESS_KEY_ID,
  secretAccessKey: DEV_S3_SECRET_ACCESS_KEY,
} as const;

export interface DevS3Options {
  /** 0 = any free port. */
  port?: number;
  /** Where the objects are kept (created when missing), e.g. `.tmp/s3`. */
  dir: string;
  host?: string;
  accessKeyId?: string;
  secretAccessKey?: string;
  /** A larger POST body is refused before it is parsed. Default 64 MiB. */
  maxPostBytes?: number;
}

export interface DevS3Server {
  /** The endpoint to give the S3 client (path-style addressing). */
  url: string;
  port: number;
  accessKeyId: string;
  secretAccessKey: string;
  close(): Promise<void>;
}

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function sendError(req: IncomingMessage, res: ServerResponse, err: S3AuthError): void {
  if (res.headersSent) return void res.destroy();
  const body =
    req.method === 'HEAD'
      ? ''
      : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(err.code)}</Code><Message>${escapeXml(err.message)}</Message></Error>`;
  res.writeHead(err.status, { 'content-type': 'application/xml', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

/** The query without the presigned URL's own parameters (s3rver would try to check them itself). */
function strippedQuery(query: string): string {
  const params = new URLSearchParams(query);
  for (const name of [...params.keys()]) if (/^x-amz-/i.test(name)) params.delete(name);
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      throw new S3AuthError('EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size', 400);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function startDevS3(options: DevS3Options): Promise<DevS3Server> {
  const host = options.host ?? '127.0.0.1';
  const accessKeyId = options.accessKeyId ?? DEV_S3_CREDENTIALS.accessKeyId;
  const secretAccessKey = options.secretAccessKey ?? DEV_S3_CREDENTIALS.secretAccessKey;
  const maxPostBytes = options.maxPostBytes ?? 64 * 1024 * 1024;
  const lookup: SecretLookup = (id) => (id === accessKeyId ? secretAccessKey : null);

  mkdirSync(options.dir, { recursive: true });
  const store = new S3rver({
    port: 0,
    address: '127.0.0.1',
    directory: options.dir,
    silent: true,
    // The front has checked the signature; s3rver only knows its own dummy account.
    allowMismatchedSignatures: true,
  });
  const inner = await store.run();

  const forward = (req: IncomingMessage, res: ServerResponse, path: string, query: string) => {
    const headers = { ...req.headers };
    delete headers.authorization;
    const upstream = httpRequest(
      { host: '127.0.0.1', port: inner.port, method: req.method, path: `${path}${strippedQuery(query)}`, headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  };

  const postUpload = async (req: IncomingMessage, res: ServerResponse, bucket: string) => {
    const body = await readBody(req, maxPostBytes);
    let form: FormData;
    try {
      form = await new Request('http://devnet-s3/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type']) },
        body: new Uint8Array(body),
      }).formData();
    } catch {
      throw new S3AuthError(
        'MalformedPOSTRequest',
        'The body of your POST request is not well-formed multipart/form-data.',
        400,
      );
    }
    const fields = new Map<string, string>();
    let file: File | null = null;
    for (const [name, value] of form) {
      if (name.toLowerCase() === 'file') {
        if (typeof value === 'string') file = new File([value], 'file');
        else file = value;
      } else if (typeof value === 'string') fields.set(name.toLowerCase(), value);
    }
    if (!file) throw new S3AuthError('InvalidArgument', 'POST requires exactly one file upload per request.', 400);
    verifyPostPolicy({ fields, fileSize: file.size }, bucket, lookup);
    // Hand s3rver only what it stores: the key, the type and the bytes.
    const out = new FormData();
    out.set('key', fields.get('key') ?? '');
    const contentType = fields.get('content-type');
    if (contentType) out.set('Content-Type', contentType);
    out.set('file', file, 'file');
    const answer = await fetch(`http://127.0.0.1:${inner.port}/${encodeURIComponent(bucket)}`, {
      method: 'POST',
      body: out,
    });
    const text = await answer.text();
    res.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'application/xml' });
    res.end(text);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const rawUrl = req.url ?? '/';
    const q = rawUrl.indexOf('?');
    const path = q < 0 ? rawUrl : rawUrl.slice(0, q);
    const query = q < 0 ? '' : rawUrl.slice(q + 1);
    const segments = path.split('/').filter(Boolean);
    const signed: IncomingSigned = { method: req.method ?? 'GET', path, query, headers: req.headers };
    if (req.headers.authorization) verifyHeaderSignature(signed, lookup);
    else if (/(^|&)X-Amz-Signature=/.test(query)) verifyQuerySignature(signed, lookup);
    else if (
      req.method === 'POST' &&
      segments.length === 1 &&
      /^multipart\/form-data/i.test(req.headers['content-type'] ?? '')
    )
      return postUpload(req, res, decodeURIComponent(segments[0]!));
    else throw new S3AuthError('AccessDenied', 'Access Denied');
    forward(req, res, path, query);
  };

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof S3AuthError) sendError(req, res, err);
      else sendError(req, res, new S3AuthError('InternalError', 'We encountered an internal error.', 500));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${host}:${port}`,
    port,
    accessKeyId,
    secretAccessKey,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}
