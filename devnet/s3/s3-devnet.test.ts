import { spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { rmSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DEV_S3_ACCESS_KEY_ID, DEV_S3_SECRET_ACCESS_KEY } from '../../platform/config/storage.js';
import { createS3ObjectStore } from '../../platform/storage/s3.object-store.js';
import { postPresignedUpload } from '../../testing/s3.js';
import { workers } from '../../workers/registry.js';

/** `npm start` runs the devnet S3 server as a dev-only worker, only while S3_DEVNET is on. */
describe('the s3-devnet worker', () => {
  const worker = workers.find((w) => w.name === 's3-devnet')!;

  it('is registered dev-only, with its entry, and enabled by S3_DEVNET', () => {
    expect(worker).toMatchObject({ entry: 'devnet/s3/main.ts', devOnly: true });
    expect(worker.enabled?.({})).toBe(true);
    expect(
      worker.enabled?.({ S3_DEVNET: 'false', S3_ACCESS_KEY_ID: 'minio', S3_SECRET_ACCESS_KEY: 'x'.repeat(20) }),
    ).toBe(false);
    expect(worker.config.variables).toEqual(expect.arrayContaining(['S3_DEVNET', 'S3_DEVNET_PORT', 'S3_BUCKET']));
  });

  it('its entry refuses to run in production', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', worker.entry], {
      env: {
        PATH: process.env.PATH,
        ENV_FILE: 'none',
        NODE_ENV: 'production',
        S3_DEVNET: 'false',
        S3_ACCESS_KEY_ID: 'AKIA',
        S3_SECRET_ACCESS_KEY: 'r'.repeat(40),
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    expect(run.status).toBe(1);
    expect(run.stdout + run.stderr).toContain('the devnet S3 server is for development only');
  });

  it('its entry starts the server in development with the private S3_BUCKET created, and stops on SIGTERM', async () => {
    const bucket = `devnet-entry-${process.pid}`;
    const child = spawn(process.execPath, ['--import', 'tsx', worker.entry], {
      env: {
        PATH: process.env.PATH,
        ENV_FILE: 'none',
        NODE_ENV: 'development',
        S3_DEVNET_PORT: '0',
        S3_BUCKET: bucket,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    try {
      let out = '';
      const url = await new Promise<string>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          const m = /"url":"(http:[^"]+)".*devnet S3 server listening/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.once('exit', (code) => reject(new Error(`exited ${code}: ${out}`)));
      });
      expect(out).not.toContain(DEV_S3_SECRET_ACCESS_KEY);
      const store = createS3ObjectStore({
        endpoint: url,
        region: 'us-east-1',
        bucket,
        accessKeyId: DEV_S3_ACCESS_KEY_ID,
        secretAccessKey: DEV_S3_SECRET_ACCESS_KEY,
        forcePathStyle: true,
      });
      // The bucket exists (an upload into a missing one is NoSuchBucket) and is private.
      const upload = await store.presignUpload('probe', {
        contentType: 'image/png',
        maxBytes: 100,
        expiresInSeconds: 60,
      });
      expect((await postPresignedUpload(upload, Uint8Array.from([0x89, 0x50]))).status).toBe(204);
      expect(await store.head('probe')).toMatchObject({ size: 2 });
      expect((await fetch(`${url}/${bucket}/probe`)).status).toBe(403);
      store.close();
      expect((await fetch(`${url}/${bucket}`)).status).toBe(403);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      expect(code).toBe(0);
    } finally {
      child.kill('SIGKILL');
      rmSync(`.tmp/s3/${bucket}`, { recursive: true, force: true });
    }
  });
});
