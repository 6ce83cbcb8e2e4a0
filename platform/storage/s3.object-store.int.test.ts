import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestObjectStore, postPresignedUpload, type TestObjectStore } from '../../testing/s3.js';
import { CONTENT_SNIFF_BYTES, detectContentType } from './content-type.js';
import { checkUploadedDocument } from './document-check.js';
import { createS3ObjectStore, ObjectNotFoundError } from './s3.object-store.js';

/**
 * The S3 adapter against a real S3-compatible server (the devnet server: s3rver behind a SigV4 front, started
 * by the vitest globalSetup), each test with its own keys in this file's private bucket.
 */
const MB = 1024 * 1024;
const jpeg = (size: number) => {
  const bytes = new Uint8Array(size).fill(0x41);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46].slice(0, size));
  return bytes;
};
let s3: TestObjectStore;

beforeAll(async () => {
  s3 = await createTestObjectStore('storage');
});
afterAll(() => s3.close());

const uploadJpeg = async (key: string, bytes: Uint8Array) => {
  const upload = await s3.store.presignUpload(key, {
    contentType: 'image/jpeg',
    maxBytes: 10 * MB,
    expiresInSeconds: 60,
  });
  return postPresignedUpload(upload, bytes, { type: 'image/jpeg', filename: 'id.jpg' });
};

describe('S3ObjectStore on the devnet S3 server', () => {
  it('a browser-like multipart POST with the presigned fields uploads a JPEG; head and readPrefix see it', async () => {
    const upload = await s3.store.presignUpload('docs/u1/front', {
      contentType: 'image/jpeg',
      maxBytes: 10 * MB,
      expiresInSeconds: 60,
    });
    expect(upload.url).toBe(`${s3.options.endpoint}/${s3.bucket}`);
    expect(Object.keys(upload.fields)).toEqual(
      expect.arrayContaining(['key', 'Content-Type', 'Policy', 'X-Amz-Signature']),
    );
    expect(upload.fields.key).toBe('docs/u1/front');
    expect(upload.expiresAt.getTime()).toBeGreaterThan(Date.now() + 50_000);

    const answer = await postPresignedUpload(upload, jpeg(4096), { type: 'image/jpeg', filename: 'front.jpg' });
    expect(answer.status).toBe(204);

    expect(await s3.store.head('docs/u1/front')).toEqual({
      key: 'docs/u1/front',
      size: 4096,
      contentType: 'image/jpeg',
    });
    const prefix = await s3.store.readPrefix('docs/u1/front', CONTENT_SNIFF_BYTES);
    expect(prefix.length).toBe(CONTENT_SNIFF_BYTES);
    expect(detectContentType(prefix)).toBe('image/jpeg');
  });

  it('head of a missing key is null; readPrefix of a short object returns what there is', async () => {
    expect(await s3.store.head('docs/none')).toBeNull();
    await expect(s3.store.readPrefix('docs/none', 8)).rejects.toBeInstanceOf(ObjectNotFoundError);
    expect((await uploadJpeg('docs/short', jpeg(5))).status).toBe(204);
    expect([...(await s3.store.readPrefix('docs/short', 64))]).toEqual([...jpeg(5)]);
  });

  it('an 11 MB file is refused by the policy (content-length-range), and nothing is stored', async () => {
    const answer = await uploadJpeg('docs/big', jpeg(11 * MB));
    expect(answer.status).toBe(400);
    expect(await answer.text()).toContain('<Code>EntityTooLarge</Code>');
    expect(await s3.store.head('docs/big')).toBeNull();
  });

  it('an empty file is refused (the range starts at 1 byte)', async () => {
    const answer = await uploadJpeg('docs/empty', new Uint8Array(0));
    expect(answer.status).toBe(400);
    expect(await s3.store.head('docs/empty')).toBeNull();
  });

  it('a Content-Type other than the signed one, or another key, is refused', async () => {
    const upload = await s3.store.presignUpload('docs/typed', {
      contentType: 'image/jpeg',
      maxBytes: 10 * MB,
      expiresInSeconds: 60,
    });
    const wrongType = await postPresignedUpload(
      { ...upload, fields: { ...upload.fields, 'Content-Type': 'application/x-msdownload' } },
      jpeg(100),
    );
    expect(wrongType.status).toBe(403);
    expect(await wrongType.text()).toContain('<Code>AccessDenied</Code>');
    const otherKey = await postPresignedUpload(
      { ...upload, fields: { ...upload.fields, key: 'docs/elsewhere' } },
      jpeg(100),
    );
    expect(otherKey.status).toBe(403);
    const tampered = await postPresignedUpload(
      { ...upload, fields: { ...upload.fields, 'X-Amz-Signature': '0'.repeat(64) } },
      jpeg(100),
    );
    expect(tampered.status).toBe(403);
    expect(await s3.store.head('docs/typed')).toBeNull();
    expect(await s3.store.head('docs/elsewhere')).toBeNull();
  });

  it('an expired upload policy is refused', async () => {
    const upload = await s3.store.presignUpload('docs/late', {
      contentType: 'image/png',
      maxBytes: MB,
      expiresInSeconds: 1,
    });
    await sleep(2100);
    const answer = await postPresignedUpload(upload, jpeg(100));
    expect(answer.status).toBe(403);
    expect(await s3.store.head('docs/late')).toBeNull();
  });

  it('a presigned GET works before expiry and fails after; no anonymous or tampered read', async () => {
    expect((await uploadJpeg('docs/read', jpeg(2048))).status).toBe(204);
    const { url, expiresAt } = await s3.store.presignDownload('docs/read', { expiresInSeconds: 2 });
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());

    const fresh = await fetch(url);
    expect(fresh.status).toBe(200);
    expect(new Uint8Array(await fresh.arrayBuffer())).toEqual(jpeg(2048));

    const anonymous = await fetch(`${s3.options.endpoint}/${s3.bucket}/docs/read`);
    expect(anonymous.status).toBe(403);
    expect(await anonymous.text()).toContain('<Code>AccessDenied</Code>');
    const tampered = await fetch(url.replace('docs/read', 'docs/short'));
    expect(tampered.status).toBe(403);
    const listing = await fetch(`${s3.options.endpoint}/${s3.bucket}`);
    expect(listing.status).toBe(403);

    await sleep(2100);
    const stale = await fetch(url);
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('expired');
  });

  it('wrong credentials are refused', async () => {
    const intruder = createS3ObjectStore({ ...s3.options, secretAccessKey: 'not-the-secret-0123456789abcdef' });
    await expect(intruder.head('docs/u1/front')).rejects.toThrow();
    const stranger = createS3ObjectStore({ ...s3.options, accessKeyId: 'someone-else' });
    await expect(stranger.readPrefix('docs/u1/front', 8)).rejects.toThrow(/Access Key/i);
    intruder.close();
    stranger.close();
  });

  it('delete removes the object (and deleting a missing key is not an error)', async () => {
    expect((await uploadJpeg('docs/gone', jpeg(10))).status).toBe(204);
    expect(await s3.store.head('docs/gone')).not.toBeNull();
    await s3.store.delete('docs/gone');
    expect(await s3.store.head('docs/gone')).toBeNull();
    await expect(s3.store.delete('docs/gone')).resolves.toBeUndefined();
  });

  it('refuses unsafe keys and long expiries before signing anything', async () => {
    await expect(s3.store.presignDownload('../other', { expiresInSeconds: 60 })).rejects.toThrow(RangeError);
    await expect(s3.store.presignDownload('docs/read', { expiresInSeconds: 86_400 })).rejects.toThrow(RangeError);
    await expect(
      s3.store.presignUpload('docs//x', { contentType: 'image/jpeg', maxBytes: 1, expiresInSeconds: 60 }),
    ).rejects.toThrow(RangeError);
  });

  it('ensureBucket is idempotent', async () => {
    await expect(s3.store.ensureBucket()).resolves.toBeUndefined();
  });
});

describe('checkUploadedDocument on uploaded objects', () => {
  const upload = async (key: string, bytes: Uint8Array, contentType: string, maxBytes = 10 * MB) => {
    const presigned = await s3.store.presignUpload(key, { contentType, maxBytes, expiresInSeconds: 60 });
    expect((await postPresignedUpload(presigned, bytes, { type: contentType })).status).toBe(204);
  };

  it('accepts a JPEG of the signed type and keeps it', async () => {
    await upload('check/ok', jpeg(1000), 'image/jpeg');
    const verdict = await checkUploadedDocument(s3.store, 'check/ok', {
      maxBytes: 10 * MB,
      expectedType: 'image/jpeg',
    });
    expect(verdict).toEqual({
      ok: true,
      contentType: 'image/jpeg',
      object: { key: 'check/ok', size: 1000, contentType: 'image/jpeg' },
    });
    expect(await s3.store.head('check/ok')).not.toBeNull();
  });

  it('an .exe uploaded as image/jpeg (the policy only sees the claimed type) is refused by its bytes and deleted', async () => {
    const exe = new Uint8Array(4096).fill(0);
    exe.set([0x4d, 0x5a, 0x90, 0x00]);
    await upload('check/exe', exe, 'image/jpeg');
    expect(await checkUploadedDocument(s3.store, 'check/exe', { maxBytes: 10 * MB })).toEqual({
      ok: false,
      reason: 'TYPE_NOT_ALLOWED',
    });
    expect(await s3.store.head('check/exe')).toBeNull();
  });

  it('a PNG uploaded for a JPEG slot is a mismatch, and deleted', async () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
    await upload('check/png', png, 'image/jpeg');
    expect(await checkUploadedDocument(s3.store, 'check/png', { maxBytes: MB, expectedType: 'image/jpeg' })).toEqual({
      ok: false,
      reason: 'TYPE_MISMATCH',
    });
    expect(await s3.store.head('check/png')).toBeNull();
  });

  it('enforces the size itself too (as if a server had let a larger policy through), deleting the object', async () => {
    await upload('check/big', jpeg(3 * MB), 'image/jpeg', 20 * MB);
    expect(await checkUploadedDocument(s3.store, 'check/big', { maxBytes: 2 * MB })).toEqual({
      ok: false,
      reason: 'TOO_LARGE',
    });
    expect(await s3.store.head('check/big')).toBeNull();
  });

  it('a key with nothing uploaded is MISSING', async () => {
    expect(await checkUploadedDocument(s3.store, 'check/never', { maxBytes: MB })).toEqual({
      ok: false,
      reason: 'MISSING',
    });
  });
});
