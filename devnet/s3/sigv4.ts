import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

/**
 * AWS Signature Version 4 as S3 checks it, written from the public specification ("Authenticating Requests:
 * AWS Signature Version 4" and "Browser-Based Uploads Using POST"), for the devnet S3 server's front: it
 * verifies what the real service would, so an unsigned, tampered or expired request fails in development and
 * tests as it would in production.
 */

const ALGORITHM = 'AWS4-HMAC-SHA256';

export class S3AuthError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status = 403,
  ) {
    super(message);
    this.name = 'S3AuthError';
  }
}

/** RFC 3986 encoding as SigV4 wants it (every byte but unreserved characters). */
export function uriEncode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function hmac(key: Buffer | string, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  return hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
}

function sameHex(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

/** `20260101T000000Z` → a Date (NaN date when malformed). */
export function parseAmzDate(value: string): Date {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return new Date(Number.NaN);
  return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
}

interface Credential {
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
}

function parseCredential(text: string): Credential {
  const [accessKeyId, date, region, service, terminator, ...rest] = text.split('/');
  if (!accessKeyId || !date || !region || !service || terminator !== 'aws4_request' || rest.length)
    throw new S3AuthError('AuthorizationHeaderMalformed', 'The credential is malformed.', 400);
  return { accessKeyId, date, region, service };
}

/** The query string in canonical form: every pair encoded, sorted by name then value, `except` left out. */
function canonicalQuery(rawQuery: string, except?: string): string {
  const pairs = new URLSearchParams(rawQuery);
  return [...pairs]
    .filter(([name]) => name !== except)
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
}

export interface IncomingSigned {
  method: string;
  /** The path as sent (already URI-encoded: S3 does not encode it again). */
  path: string;
  /** The raw query string, without '?'. */
  query: string;
  headers: Record<string, string | string[] | undefined>;
}

function canonicalHeaders(headers: IncomingSigned['headers'], signed: string[]): string {
  return signed
    .map((name) => {
      const value = headers[name];
      if (value === undefined) throw new S3AuthError('SignatureDoesNotMatch', `Signed header ${name} is missing.`);
      const text = Array.isArray(value) ? value.join(',') : value;
      return `${name}:${text.trim().replace(/\s+/g, ' ')}\n`;
    })
    .join('');
}

function stringToSign(amzDate: string, scope: string, canonicalRequest: string): string {
  return [ALGORITHM, amzDate, scope, createHash('sha256').update(canonicalRequest, 'utf8').digest('hex')].join('\n');
}

export interface Verified {
  accessKeyId: string;
}

/** Looks up the secret of an access key id (null: unknown key). */
export type SecretLookup = (accessKeyId: string) => string | null;

function secretOf(lookup: SecretLookup, credential: Credential): string {
  const secret = lookup(credential.accessKeyId);
  if (secret === null)
    throw new S3AuthError('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  if (credential.service !== 's3') throw new S3AuthError('SignatureDoesNotMatch', 'The credential is not for s3.');
  return secret;
}

/** A request signed in its Authorization header. */
export function verifyHeaderSignature(request: IncomingSigned, lookup: SecretLookup, now = new Date()): Verified {
  const header = String(request.headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]{64})$/.exec(
    header.trim(),
  );
  if (!m) throw new S3AuthError('AuthorizationHeaderMalformed', 'The authorization header is malformed.', 400);
  const credential = parseCredential(m[1]!);
  const secret = secretOf(lookup, credential);
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const date = parseAmzDate(amzDate);
  if (Number.isNaN(date.getTime()) || amzDate.slice(0, 8) !== credential.date)
    throw new S3AuthError('AccessDenied', 'AWS authentication requires a valid x-amz-date header.');
  if (Math.abs(now.getTime() - date.getTime()) > 15 * 60_000)
    throw new S3AuthError('RequestTimeTooSkewed', 'The difference between the request time and now is too large.');
  const signed = m[2]!.split(';');
  if (!signed.includes('host')) throw new S3AuthError('SignatureDoesNotMatch', 'The host header must be signed.');
  const payloadHash = String(request.headers['x-amz-content-sha256'] ?? '');
  if (!payloadHash) throw new S3AuthError('InvalidRequest', 'Missing required header x-amz-content-sha256.', 400);
  const canonical = [
    request.method,
    request.path,
    canonicalQuery(request.query),
    canonicalHeaders(request.headers, signed),
    signed.join(';'),
    payloadHash,
  ].join('\n');
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const expected = hmac(
    signingKey(secret, credential.date, credential.region, credential.service),
    stringToSign(amzDate, scope, canonical),
  ).toString('hex');
  if (!sameHex(expected, m[3]!))
    throw new S3AuthError('SignatureDoesNotMatch', 'The request signature we calculated does not match.');
  return { accessKeyId: credential.accessKeyId };
}

/** A presigned URL (the signature in the query string). */
export function verifyQuerySignature(request: IncomingSigned, lookup: SecretLookup, now = new Date()): Verified {
  const q = new URLSearchParams(request.query);
  const need = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders'];
  const signature = q.get('X-Amz-Signature');
  if (!signature || need.some((name) => !q.get(name)))
    throw new S3AuthError('AuthorizationQueryParametersError', 'A presigned URL needs every X-Amz-* parameter.', 400);
  if (q.get('X-Amz-Algorithm') !== ALGORITHM)
    throw new S3AuthError('AuthorizationQueryParametersError', 'X-Amz-Algorithm must be AWS4-HMAC-SHA256.', 400);
  const credential = parseCredential(q.get('X-Amz-Credential')!);
  const secret = secretOf(lookup, credential);
  const amzDate = q.get('X-Amz-Date')!;
  const date = parseAmzDate(amzDate);
  const expires = Number(q.get('X-Amz-Expires'));
  if (Number.isNaN(date.getTime()) || !Number.isInteger(expires) || expires < 1 || expires > 604_800)
    throw new S3AuthError('AuthorizationQueryParametersError', 'X-Amz-Date or X-Amz-Expires is invalid.', 400);
  if (now.getTime() > date.getTime() + expires * 1000) throw new S3AuthError('AccessDenied', 'Request has expired');
  const signed = q.get('X-Amz-SignedHeaders')!.split(';');
  if (!signed.includes('host')) throw new S3AuthError('SignatureDoesNotMatch', 'The host header must be signed.');
  const canonical = [
    request.method,
    request.path,
    canonicalQuery(request.query, 'X-Amz-Signature'),
    canonicalHeaders(request.headers, signed),
    signed.join(';'),
    'UNSIGNED-PAYLOAD',
  ].join('\n');
  const scope = `${credential.date}/${credential.region}/${credential.service}/aws4_request`;
  const expected = hmac(
    signingKey(secret, credential.date, credential.region, credential.service),
    stringToSign(amzDate, scope, canonical),
  ).toString('hex');
  if (!sameHex(expected, signature))
    throw new S3AuthError('SignatureDoesNotMatch', 'The request signature we calculated does not match.');
  return { accessKeyId: credential.accessKeyId };
}

type PolicyCondition = Record<string, unknown> | unknown[];

/** The fields of a browser POST (names lower-cased; the file is separate) and the uploaded file's size. */
export interface PostForm {
  fields: Map<string, string>;
  fileSize: number;
}

/**
 * A browser-based POST upload: the policy's signature, its expiry and every condition (exact matches,
 * starts-with, content-length-range on the file), and no field the policy does not cover.
 */
export function verifyPostPolicy(form: PostForm, bucket: string, lookup: SecretLookup, now = new Date()): Verified {
  const field = (name: string) => form.fields.get(name.toLowerCase());
  const policyText = field('policy');
  const signature = field('x-amz-signature');
  if (!policyText || !signature)
    throw new S3AuthError('AccessDenied', 'Bucket POST must have a policy and its signature.');
  if (field('x-amz-algorithm') !== ALGORITHM)
    throw new S3AuthError('InvalidArgument', 'x-amz-algorithm must be AWS4-HMAC-SHA256.', 400);
  const credential = parseCredential(field('x-amz-credential') ?? '');
  const secret = secretOf(lookup, credential);
  const expected = hmac(signingKey(secret, credential.date, credential.region, credential.service), policyText);
  if (!sameHex(expected.toString('hex'), signature))
    throw new S3AuthError('SignatureDoesNotMatch', 'The policy signature we calculated does not match.');
  let policy: { expiration?: unknown; conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as typeof policy;
  } catch {
    throw new S3AuthError('InvalidPolicyDocument', 'Invalid Policy: the policy is not JSON.', 400);
  }
  const expiration = new Date(String(policy.expiration));
  if (Number.isNaN(expiration.getTime()))
    throw new S3AuthError('InvalidPolicyDocument', 'Invalid Policy: expiration is missing.', 400);
  if (now.getTime() > expiration.getTime())
    throw new S3AuthError('AccessDenied', 'Invalid according to Policy: Policy expired.');
  if (!Array.isArray(policy.conditions))
    throw new S3AuthError('InvalidPolicyDocument', 'Invalid Policy: conditions are missing.', 400);

  const valueOf = (name: string): string | undefined =>
    name.toLowerCase() === 'bucket' ? (field('bucket') ?? bucket) : field(name);
  const covered = new Set<string>();
  const fail = (what: string) => {
    throw new S3AuthError('AccessDenied', `Invalid according to Policy: Policy Condition failed: ${what}`);
  };
  for (const condition of policy.conditions as PolicyCondition[]) {
    if (Array.isArray(condition)) {
      const [op, a, b] = condition;
      if (op === 'content-length-range') {
        const min = Number(a);
        const max = Number(b);
        if (form.fileSize < min || form.fileSize > max)
          throw new S3AuthError(
            form.fileSize > max ? 'EntityTooLarge' : 'EntityTooSmall',
            `Your proposed upload is ${form.fileSize > max ? 'larger than the maximum' : 'smaller than the minimum'} allowed size`,
            400,
          );
        continue;
      }
      const name = String(a).replace(/^\$/, '').toLowerCase();
      const actual = valueOf(name) ?? '';
      covered.add(name);
      if (op === 'eq' && actual !== String(b)) fail(`["eq", "$${name}", ...]`);
      else if (op === 'starts-with' && !actual.startsWith(String(b))) fail(`["starts-with", "$${name}", ...]`);
      else if (op !== 'eq' && op !== 'starts-with') fail(`unknown operator ${String(op)}`);
    } else if (condition && typeof condition === 'object') {
      for (const [name, expectedValue] of Object.entries(condition)) {
        const key = name.toLowerCase();
        covered.add(key);
        if (valueOf(key) !== String(expectedValue)) fail(`["eq", "$${key}", ...]`);
      }
    }
  }
  if (field('bucket') !== undefined && field('bucket') !== bucket) fail('bucket');
  const exempt = new Set(['policy', 'x-amz-signature', 'file']);
  for (const name of form.fields.keys()) {
    if (exempt.has(name) || name.startsWith('x-ignore-')) continue;
    if (!covered.has(name)) fail(`extra input field: ${name}`);
  }
  return { accessKeyId: credential.accessKeyId };
}
