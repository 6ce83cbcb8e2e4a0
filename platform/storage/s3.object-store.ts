import {
  CreateBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  HeadObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { ObjectStore, PresignedUpload, StoredObject } from './object-store.port.js';

/**
 * The ObjectStore on the S3 API (AWS S3, MinIO, the devnet server). Uploads are presigned POSTs whose policy
 * fixes the key and the exact Content-Type and caps the size (content-length-range 1..maxBytes); reads are
 * short-lived presigned GETs. The client logs nothing: keys, URLs and signatures never reach a log line.
 */
export interface S3ObjectStoreOptions {
  /** null: AWS's own endpoint for the region. */
  endpoint: string | null;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Path-style addressing (http://host/bucket/key), what local servers and MinIO want. */
  forcePathStyle: boolean;
  /** Per-request timeout (connection and response). Default 10 s. */
  requestTimeoutMs?: number;
}

/** Presigned URLs and policies live at most this long (S3's own limit for SigV4 is 7 days; ours is much shorter). */
export const MAX_PRESIGN_SECONDS = 3600;

/** A key for the ObjectStore is a plain relative path: no empty segment, no '..', no control characters. */
export function assertObjectKey(key: string): void {
  if (
    !key ||
    key.length > 512 ||
    key.startsWith('/') ||
    key.split('/').some((s) => s === '' || s === '.' || s === '..') ||
    [...key].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f || c === '\\')
  )
    throw new RangeError('invalid object key');
}

function assertExpiry(seconds: number): void {
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_PRESIGN_SECONDS)
    throw new RangeError(`expiresInSeconds must be an integer in 1..${MAX_PRESIGN_SECONDS}`);
}

function isNotFound(err: unknown): boolean {
  if (!(err instanceof S3ServiceException)) return false;
  // HEAD answers carry no body, so a missing bucket is a plain NotFound there too; a GET names NoSuchBucket.
  return err.name === 'NotFound' || err.name === 'NoSuchKey';
}

export class S3ObjectStore implements ObjectStore {
  readonly bucket: string;
  private readonly client: S3Client;

  constructor(options: S3ObjectStoreOptions) {
    this.bucket = options.bucket;
    const timeout = options.requestTimeoutMs ?? 10_000;
    this.client = new S3Client({
      region: options.region,
      ...(options.endpoint ? { endpoint: options.endpoint } : {}),
      forcePathStyle: options.forcePathStyle,
      credentials: { accessKeyId: options.accessKeyId, secretAccessKey: options.secretAccessKey },
      // Checksums only where an operation requires one: S3-compatible servers (MinIO, the devnet) differ in
      // which of the newer flexible checksums they understand.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      requestHandler: { connectionTimeout: timeout, requestTimeout: timeout },
      maxAttempts: 3,
    });
  }

  async presignUpload(
    key: string,
    options: { contentType: string; maxBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload> {
    assertObjectKey(key);
    assertExpiry(options.expiresInSeconds);
    if (!Number.isInteger(options.maxBytes) || options.maxBytes < 1) throw new RangeError('maxBytes must be >= 1');
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(options.contentType)) throw new RangeError('invalid content type');
    const expiresAt = new Date(Date.now() + options.expiresInSeconds * 1000);
    const { url, fields } = await createPresignedPost(this.client, {
      Bucket: this.bucket,
      Key: key,
      // Fields become exact-match conditions of the policy; the key is fixed (no ${filename}).
      Fields: { 'Content-Type': options.contentType },
      Conditions: [['content-length-range', 1, options.maxBytes]],
      Expires: options.expiresInSeconds,
    });
    return { url, fields, expiresAt };
  }

  async presignDownload(key: string, options: { expiresInSeconds: number }): Promise<{ url: string; expiresAt: Date }> {
    assertObjectKey(key);
    assertExpiry(options.expiresInSeconds);
    const expiresAt = new Date(Date.now() + options.expiresInSeconds * 1000);
    const url = await getSignedUrl(this.client, new GetObjectCommand({ Bucket: this.bucket, Key: key }), {
      expiresIn: options.expiresInSeconds,
    });
    return { url, expiresAt };
  }

  async head(key: string): Promise<StoredObject | null> {
    assertObjectKey(key);
    try {
      const answer = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { key, size: answer.ContentLength ?? 0, contentType: answer.ContentType ?? null };
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** The first `bytes` bytes by a ranged GET (fewer when the object is shorter; empty for an empty object). */
  async readPrefix(key: string, bytes: number): Promise<Uint8Array> {
    assertObjectKey(key);
    if (!Number.isInteger(bytes) || bytes < 1) throw new RangeError('bytes must be >= 1');
    let answer;
    try {
      answer = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: key, Range: `bytes=0-${bytes - 1}` }),
      );
    } catch (err) {
      // An empty object has no byte 0: S3 answers 416 InvalidRange.
      if (err instanceof S3ServiceException && err.$metadata.httpStatusCode === 416) return new Uint8Array(0);
      if (isNotFound(err)) throw new ObjectNotFoundError();
      throw err;
    }
    const body = answer.Body;
    if (!body) return new Uint8Array(0);
    const all = await body.transformToByteArray();
    // A server that ignores Range sends everything: keep only the prefix.
    return all.length > bytes ? all.slice(0, bytes) : all;
  }

  async delete(key: string): Promise<void> {
    assertObjectKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }

  /**
   * Development and tests only: creates the bucket when it is missing. It is created private (no ACL, no
   * policy: S3, MinIO and the devnet server deny anonymous access by default). In production the bucket is
   * provisioned with its own lifecycle and encryption settings, not created by the service.
   */
  async ensureBucket(): Promise<void> {
    try {
      await this.client.send(new HeadBucketCommand({ Bucket: this.bucket }));
      return;
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
    try {
      await this.client.send(new CreateBucketCommand({ Bucket: this.bucket }));
    } catch (err) {
      if (err instanceof S3ServiceException && /BucketAlready(OwnedByYou|Exists)/.test(err.name)) return;
      throw err;
    }
  }

  close(): void {
    this.client.destroy();
  }
}

/** readPrefix of a key that has no object. */
export class ObjectNotFoundError extends Error {
  constructor() {
    super('object not found');
    this.name = 'ObjectNotFoundError';
  }
}

export function createS3ObjectStore(options: S3ObjectStoreOptions): S3ObjectStore {
  return new S3ObjectStore(options);
}
