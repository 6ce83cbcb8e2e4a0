import { describe, expect, it } from 'vitest';
import { ConfigError, defineProcess, type Env } from './env.js';
import { DEV_S3_ACCESS_KEY_ID, DEV_S3_SECRET_ACCESS_KEY, storage } from './storage.js';

/** The storage section alone, as the kyc subgraph and the devnet S3 server compose it. */
const spec = defineProcess('storage-test', { storage });
const problems = (env: Env) => {
  try {
    spec.load(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};
const REAL = {
  S3_ENDPOINT: 'https://s3.example.internal',
  S3_ACCESS_KEY_ID: 'AKIAREALKEY',
  S3_SECRET_ACCESS_KEY: 'r'.repeat(40),
};

describe('storage configuration', () => {
  it('outside production defaults to the devnet S3 server with its dev-only credentials (named as a dev default)', () => {
    const config = spec.load({ HOST: '127.0.0.2' });
    expect(config.storage).toEqual({
      endpoint: 'http://127.0.0.2:4296',
      region: 'us-east-1',
      bucket: 'kyc-documents',
      accessKeyId: DEV_S3_ACCESS_KEY_ID,
      secretAccessKey: DEV_S3_SECRET_ACCESS_KEY,
      forcePathStyle: true,
      devnetPort: 4296,
    });
    expect(config.devDefaultsUsed).toEqual(['S3_SECRET_ACCESS_KEY']);
    expect(spec.load({ S3_DEVNET_PORT: '5001' }).storage.endpoint).toBe('http://127.0.0.1:5001');
  });

  it('production requires real credentials, refuses the devnet and the dev-only secret', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'S3_ACCESS_KEY_ID: required in production',
      'S3_SECRET_ACCESS_KEY: required in production (no dev default is used there)',
    ]);
    expect(problems({ ...REAL, NODE_ENV: 'production', S3_DEVNET: 'true' })).toEqual([
      'S3_DEVNET: the devnet S3 server is refused in production',
    ]);
    expect(problems({ ...REAL, NODE_ENV: 'production', S3_SECRET_ACCESS_KEY: DEV_S3_SECRET_ACCESS_KEY })).toEqual([
      'S3_SECRET_ACCESS_KEY: the dev-only default is refused in production',
    ]);
    const config = spec.load({ ...REAL, NODE_ENV: 'production' });
    expect(config.devDefaultsUsed).toEqual([]);
    expect(config.storage).toMatchObject({ endpoint: REAL.S3_ENDPOINT, forcePathStyle: true, devnetPort: null });
  });

  it('without an endpoint (AWS) buckets are virtual-hosted unless S3_FORCE_PATH_STYLE says otherwise', () => {
    const aws = { NODE_ENV: 'production', S3_ACCESS_KEY_ID: 'AKIA', S3_SECRET_ACCESS_KEY: 'r'.repeat(40) };
    expect(spec.load(aws).storage).toMatchObject({ endpoint: null, forcePathStyle: false });
    expect(spec.load({ ...aws, S3_FORCE_PATH_STYLE: 'true', S3_REGION: 'eu-central-1' }).storage).toMatchObject({
      endpoint: null,
      forcePathStyle: true,
      region: 'eu-central-1',
    });
  });

  it('with the devnet off outside production (e.g. MinIO) the credentials are required, not defaulted', () => {
    expect(problems({ S3_DEVNET: 'false', S3_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([
      'S3_ACCESS_KEY_ID: required (no dev default without S3_DEVNET)',
      'S3_SECRET_ACCESS_KEY: required (no dev default without S3_DEVNET)',
    ]);
  });

  it('reports bad values by name', () => {
    const names = problems({
      S3_ENDPOINT: 'not a url',
      S3_BUCKET: 'Bad_Bucket',
      S3_REGION: 'US EAST',
      S3_SECRET_ACCESS_KEY: 'short',
      S3_FORCE_PATH_STYLE: 'maybe',
      S3_DEVNET_PORT: '70000',
    }).map((p) => p.split(':')[0]);
    expect(names.sort()).toEqual([
      'S3_BUCKET',
      'S3_DEVNET_PORT',
      'S3_ENDPOINT',
      'S3_FORCE_PATH_STYLE',
      'S3_REGION',
      'S3_SECRET_ACCESS_KEY',
    ]);
  });
});
