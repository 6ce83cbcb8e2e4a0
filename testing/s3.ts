import { randomBytes } from 'node:crypto';
import {
  createS3ObjectStore,
  type S3ObjectStore,
  type S3ObjectStoreOptions,
} from '../platform/storage/s3.object-store.js';

/**
 * A private bucket of its own on the run's devnet S3 server (testing/s3-global-setup.ts), for one test file:
 *
 *   const s3 = await createTestObjectStore();
 *   afterAll(() => s3.close());
 *   s3.store        // the ObjectStore (S3ObjectStore) on that bucket
 *   s3.env          // S3_* variables for a process's configuration (e.g. the kyc subgraph's)
 */
export interface TestObjectStore {
  store: S3ObjectStore;
  bucket: string;
  options: S3ObjectStoreOptions;
  /** The storage section's variables pointing at this bucket on the test server. */
  env: Record<string, string>;
  close(): void;
}

export function testS3Options(bucket: string): S3ObjectStoreOptions {
  const endpoint = process.env.TEST_S3_ENDPOINT;
  const accessKeyId = process.env.TEST_S3_ACCESS_KEY_ID;
  const secretAccessKey = process.env.TEST_S3_SECRET_ACCESS_KEY;
  if (!endpoint || !accessKeyId || !secretAccessKey)
    throw new Error('no test S3 server: testing/s3-global-setup.ts must be in vitest globalSetup');
  return { endpoint, region: 'us-east-1', bucket, accessKeyId, secretAccessKey, forcePathStyle: true };
}

export async function createTestObjectStore(prefix = 't'): Promise<TestObjectStore> {
  const bucket = `${prefix}-${process.pid}-${randomBytes(4).toString('hex')}`.toLowerCase().slice(0, 63);
  const options = testS3Options(bucket);
  const store = createS3ObjectStore(options);
  await store.ensureBucket();
  return {
    store,
    bucket,
    options,
    env: {
      S3_DEVNET: 'false',
      S3_ENDPOINT: options.endpoint!,
      S3_REGION: options.region,
      S3_BUCKET: bucket,
      S3_ACCESS_KEY_ID: options.accessKeyId,
      S3_SECRET_ACCESS_KEY: options.secretAccessKey,
      S3_FORCE_PATH_STYLE: 'true',
    },
    close: () => store.close(),
  };
}

/** What a browser does with a presigned upload: a multipart POST with the fields first, then the file. */
export async function postPresignedUpload(
  upload: { url: string; fields: Record<string, string> },
  file: Uint8Array,
  options: { filename?: string; type?: string } = {},
): Promise<Response> {
  const form = new FormData();
  for (const [name, value] of Object.entries(upload.fields)) form.append(name, value);
  form.append(
    'file',
    new Blob([new Uint8Array(file)], { type: options.type ?? 'application/octet-stream' }),
    options.filename ?? 'upload',
  );
  return fetch(upload.url, { method: 'POST', body: form });
}
