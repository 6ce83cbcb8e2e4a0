import { z } from 'zod';
import { bool, port, section } from './env.js';
import type { S3ObjectStoreOptions } from '../storage/s3.object-store.js';

/**
 * Private object storage over the S3 API (KYC documents): the kyc subgraph reads it, and so does the devnet S3
 * server `npm start` runs in development. Outside production S3_DEVNET (default on) points the endpoint at the
 * devnet server on S3_DEVNET_PORT with its dev-only credentials; production requires a real endpoint or AWS
 * (S3_ENDPOINT unset), real credentials, and refuses the devnet and its dev-only secret.
 */
export interface StorageConfig extends Omit<S3ObjectStoreOptions, 'requestTimeoutMs'> {
  /** The devnet S3 server's port when it is on (development/test only), else null. */
  devnetPort: number | null;
}

/** Dev-only credentials of the devnet S3 server (public in this repository; refused in production). */
export const DEV_S3_ACCESS_KEY_ID = 'devnet-s3-access-key';
export const DEV_S3_SECRET_ACCESS_KEY = 'devnet-s3-secret-key-change-me-0123456789';

export const storage = section(
  {
    S3_DEVNET: bool.optional(),
    S3_DEVNET_PORT: port.default(4296),
    S3_ENDPOINT: z.string().url().optional(),
    S3_REGION: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'must be a region name such as us-east-1')
      .default('us-east-1'),
    S3_BUCKET: z
      .string()
      .regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'must be an S3 bucket name (3-63 of a-z 0-9 . -)')
      .default('kyc-documents'),
    S3_ACCESS_KEY_ID: z.string().min(1).optional(),
    S3_SECRET_ACCESS_KEY: z.string().min(16, 'must be at least 16 characters').optional(),
    S3_FORCE_PATH_STYLE: bool.optional(),
  },
  (e, ctx): StorageConfig => {
    const devnet = e.S3_DEVNET ?? !ctx.production;
    if (devnet && ctx.production) ctx.problem('S3_DEVNET', 'the devnet S3 server is refused in production');
    if (ctx.production && e.S3_SECRET_ACCESS_KEY === DEV_S3_SECRET_ACCESS_KEY)
      ctx.problem('S3_SECRET_ACCESS_KEY', 'the dev-only default is refused in production');
    const endpoint = e.S3_ENDPOINT ?? (devnet ? `http://${ctx.host}:${e.S3_DEVNET_PORT}` : null);
    let accessKeyId = e.S3_ACCESS_KEY_ID ?? null;
    let secretAccessKey = e.S3_SECRET_ACCESS_KEY ?? null;
    if (!accessKeyId) {
      if (ctx.production) ctx.problem('S3_ACCESS_KEY_ID', 'required in production');
      else if (!devnet) ctx.problem('S3_ACCESS_KEY_ID', 'required (no dev default without S3_DEVNET)');
      else accessKeyId = DEV_S3_ACCESS_KEY_ID;
    }
    if (!secretAccessKey) {
      if (ctx.production) ctx.problem('S3_SECRET_ACCESS_KEY', 'required in production (no dev default is used there)');
      else if (!devnet) ctx.problem('S3_SECRET_ACCESS_KEY', 'required (no dev default without S3_DEVNET)');
      else {
        ctx.usedDevDefault('S3_SECRET_ACCESS_KEY');
        secretAccessKey = DEV_S3_SECRET_ACCESS_KEY;
      }
    }
    if (!accessKeyId || !secretAccessKey) return ctx.invalid();
    return {
      endpoint,
      region: e.S3_REGION,
      bucket: e.S3_BUCKET,
      accessKeyId,
      secretAccessKey,
      // Local servers and MinIO want path-style; AWS wants virtual-hosted buckets.
      forcePathStyle: e.S3_FORCE_PATH_STYLE ?? endpoint !== null,
      devnetPort: devnet ? e.S3_DEVNET_PORT : null,
    };
  },
);
