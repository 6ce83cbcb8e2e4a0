/**
 * Private object storage over the S3 API (MinIO in compose, an S3-compatible server started by `npm start` and
 * the tests locally). Objects are never public: clients upload with a short-lived presigned POST whose policy
 * caps size and fixes the content type, and staff read through short-lived presigned GET URLs. Object keys and
 * URLs are secrets of the same rank as the documents: never logged.
 */
export interface PresignedUpload {
  /** Where the browser POSTs the multipart form. */
  url: string;
  /** Form fields to send before the file field (policy, signature, key, Content-Type…), in this order. */
  fields: Record<string, string>;
  expiresAt: Date;
}

export interface StoredObject {
  key: string;
  size: number;
  contentType: string | null;
}

export interface ObjectStore {
  /** A presigned POST for one object: at most `maxBytes`, exactly `contentType`, valid `expiresInSeconds`. */
  presignUpload(
    key: string,
    options: { contentType: string; maxBytes: number; expiresInSeconds: number },
  ): Promise<PresignedUpload>;
  /** A presigned GET valid `expiresInSeconds` (staff review; keep it short). */
  presignDownload(key: string, options: { expiresInSeconds: number }): Promise<{ url: string; expiresAt: Date }>;
  /** The object's size and type, or null when there is none. */
  head(key: string): Promise<StoredObject | null>;
  /** The first `bytes` bytes (for checking the content by its magic bytes). */
  readPrefix(key: string, bytes: number): Promise<Uint8Array>;
  delete(key: string): Promise<void>;
}
