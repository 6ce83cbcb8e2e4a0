import { defineProcess, type ConfigOf } from '../env.js';
import { storage } from '../storage.js';

/** Devnet only: the local S3-compatible server (devnet/s3) on S3_DEVNET_PORT, with the storage section's credentials. */
export const s3DevnetProcess = defineProcess('s3-devnet', { storage });
export type S3DevnetConfig = ConfigOf<typeof s3DevnetProcess>;
