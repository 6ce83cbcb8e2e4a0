import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { createTestObjectStore, postPresignedUpload, type TestObjectStore } from '../../../testing/s3.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { signInStaff } from '../../../testing/viewers.js';

/**
 * Documents through the gateway against the devnet S3 server: a presigned POST into the private bucket, then
 * the service's own check of the stored bytes (JPEG/PNG/PDF by magic bytes, ≤ 10 MB), deletion of anything
 * refused, and reviewers reading through one-minute presigned GETs only.
 */
let stack: TestStack;
let s3: TestObjectStore;
beforeAll(async () => {
  s3 = await createTestObjectStore('kyc');
  stack = await startStack(s3.env);
});
afterAll(async () => {
  await stack?.close();
  s3?.close();
});

const kycSql = <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
  stack.subgraphs.get('kyc')!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, ...new Array(2000).fill(7)]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, ...new Array(500).fill(1)]);
const EXE = Uint8Array.from([0x4d, 0x5a, 0x90, 0x00, 0x03, ...new Array(2000).fill(0)]);

const REQUEST = `mutation($k: KycDocumentKind!, $t: DocumentContentType) { requestKycUpload(kind: $k, contentType: $t) { document { id kind status } url fields { name value } maxBytes expiresAt } }`;
const CONFIRM = `mutation($id: ID!) { confirmKycUpload(id: $id) { id kind status size contentType } }`;

async function user(): Promise<{ token: string; userId: string }> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user: u } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: accessToken, userId: u.id };
}

async function upload(token: string, kind: string, bytes: Uint8Array, type?: string) {
  const res = await gql(stack.graphqlUrl, REQUEST, { k: kind, t: type ?? null }, token);
  expect(res.body.errors).toBeUndefined();
  const u = res.body.data!.requestKycUpload as {
    document: { id: string };
    url: string;
    fields: { name: string; value: string }[];
    maxBytes: number;
  };
  const posted = await postPresignedUpload(
    { url: u.url, fields: Object.fromEntries(u.fields.map((f) => [f.name, f.value])) },
    bytes,
    { filename: 'card.jpg', type: 'image/jpeg' },
  );
  return { id: u.document.id, posted, maxBytes: u.maxBytes };
}

const keyOf = async (id: string) =>
  (await kycSql<{ object_key: string }>(`select object_key from kyc.kyc_document where id = ?`, [id]))[0]!.object_key;

describe('requestKycUpload → confirmKycUpload', () => {
  it('accepts a JPEG and a PNG by their bytes, once', async () => {
    const me = await user();
    const front = await upload(me.token, 'ID_CARD_FRONT', JPEG);
    expect(front.posted.status).toBeLessThan(300);
    expect(front.maxBytes).toBe(10 * 1024 * 1024);
    const confirmed = await gql(stack.graphqlUrl, CONFIRM, { id: front.id }, me.token);
    expect(confirmed.body.data!.confirmKycUpload).toEqual({
      id: front.id,
      kind: 'ID_CARD_FRONT',
      status: 'ACCEPTED',
      size: JPEG.length,
      contentType: 'image/jpeg',
    });
    // confirming again is harmless
    expect((await gql(stack.graphqlUrl, CONFIRM, { id: front.id }, me.token)).body.data!.confirmKycUpload.status).toBe(
      'ACCEPTED',
    );
    const selfie = await upload(me.token, 'SELFIE', PNG, 'PNG');
    expect(
      (await gql(stack.graphqlUrl, CONFIRM, { id: selfie.id }, me.token)).body.data!.confirmKycUpload,
    ).toMatchObject({
      status: 'ACCEPTED',
      contentType: 'image/png',
    });
  });

  it('an .exe renamed .jpg is refused after upload and deleted', async () => {
    const me = await user();
    const exe = await upload(me.token, 'ID_CARD_BACK', EXE);
    // the policy only sees the claimed type, so the server takes it…
    expect(exe.posted.status).toBeLessThan(300);
    const key = await keyOf(exe.id);
    expect(await s3.store.head(key)).not.toBeNull();
    // …and the service's own check refuses it by its bytes
    const res = await gql(stack.graphqlUrl, CONFIRM, { id: exe.id }, me.token);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'DOCUMENT_REJECTED', reason: 'TYPE_NOT_ALLOWED' });
    expect(await s3.store.head(key)).toBeNull();
    const rows = await kycSql(`select status, rejection from kyc.kyc_document where id = ?`, [exe.id]);
    expect(rows).toEqual([{ status: 'REJECTED', rejection: 'TYPE_NOT_ALLOWED' }]);
    expect(errorCode(await gql(stack.graphqlUrl, CONFIRM, { id: exe.id }, me.token))).toBe('DOCUMENT_REJECTED');
  });

  it('an 11 MB file never gets stored; a PNG in a JPEG upload is refused', async () => {
    const me = await user();
    const big = new Uint8Array(11 * 1024 * 1024);
    big.set([0xff, 0xd8, 0xff, 0xe0]);
    const tooBig = await upload(me.token, 'ID_CARD_FRONT', big);
    expect(tooBig.posted.status).toBeGreaterThanOrEqual(400);
    expect(await s3.store.head(await keyOf(tooBig.id))).toBeNull();
    const res = await gql(stack.graphqlUrl, CONFIRM, { id: tooBig.id }, me.token);
    expect(res.body.errors?.[0]?.extensions).toMatchObject({ code: 'DOCUMENT_REJECTED', reason: 'MISSING' });

    const png = await upload(me.token, 'ID_CARD_FRONT', PNG); // signed for image/jpeg
    const mismatch = await gql(stack.graphqlUrl, CONFIRM, { id: png.id }, me.token);
    expect(mismatch.body.errors?.[0]?.extensions).toMatchObject({ code: 'DOCUMENT_REJECTED', reason: 'TYPE_MISMATCH' });
    expect(await s3.store.head(await keyOf(png.id))).toBeNull();
  });

  it('another user’s document is NOT_FOUND; a selfie cannot be a PDF', async () => {
    const owner = await user();
    const doc = await upload(owner.token, 'ID_CARD_FRONT', JPEG);
    const other = await user();
    expect(errorCode(await gql(stack.graphqlUrl, CONFIRM, { id: doc.id }, other.token))).toBe('NOT_FOUND');
    expect(errorCode(await gql(stack.graphqlUrl, CONFIRM, { id: 'doc_nope' }, other.token))).toBe('NOT_FOUND');
    const pdfSelfie = await gql(stack.graphqlUrl, REQUEST, { k: 'SELFIE', t: 'PDF' }, owner.token);
    expect(pdfSelfie.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', field: 'contentType' });
    expect(errorCode(await gql(stack.graphqlUrl, REQUEST, { k: 'SELFIE' }, null))).toBe('UNAUTHENTICATED');
  });
});

describe('reading documents', () => {
  it('reviewers open a submitted document through a fresh presigned GET; nobody else, and never without one', async () => {
    const applicant = await user();
    const ids: string[] = [];
    for (const kind of ['ID_CARD_FRONT', 'ID_CARD_BACK']) {
      const d = await upload(applicant.token, kind, JPEG);
      await gql(stack.graphqlUrl, CONFIRM, { id: d.id }, applicant.token);
      ids.push(d.id);
    }
    await kycSql(`insert into kyc.verified_phone (phone, user_id) values (?, ?)`, [
      `+98935${String(process.pid % 10000).padStart(4, '0')}001`,
      applicant.userId,
    ]);
    const submitted = await gql(
      stack.graphqlUrl,
      `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id documents { id kind status } } }`,
      {
        i: {
          tier: 'BASIC',
          firstName: 'مریم',
          lastName: 'احمدی',
          nationalId: '0084575948',
          birthDate: '1990-01-31',
          birthDateCalendar: 'GREGORIAN',
          documentIds: ids,
        },
      },
      applicant.token,
    );
    expect(submitted.body.errors).toBeUndefined();
    const id = submitted.body.data!.submitKyc.id as string;
    expect(submitted.body.data!.submitKyc.documents.map((d: { id: string }) => d.id)).toEqual(ids);

    const READ = `query($id: ID!) { kycSubmission(id: $id) { documents { id download { url expiresAt } } } }`;
    // the applicant sees the documents listed, but gets no URL
    const own = await gql(stack.graphqlUrl, READ, { id }, applicant.token);
    expect(errorCode(own)).toBe('FORBIDDEN');

    const { userId: reviewerId } = await signInStaff(stack, ['COMPLIANCE'], `docs-${process.pid}@example.com`);
    await stack.subgraphs
      .get('identity')!
      .deps.orm.em.fork()
      .getConnection()
      .execute(`update identity."user" set claims = '{kyc:review}' where id = ?`, [reviewerId]);
    const signIn = await gql(
      stack.graphqlUrl,
      `mutation { signInAdmin(email: "docs-${process.pid}@example.com", password: "correct horse battery staple") { accessToken } }`,
    );
    const staffToken = signIn.body.data!.signInAdmin.accessToken as string;
    const read = await gql(stack.graphqlUrl, READ, { id }, staffToken);
    expect(read.body.errors).toBeUndefined();
    const doc = read.body.data!.kycSubmission.documents[0] as { download: { url: string; expiresAt: string } };
    const seconds = (new Date(doc.download.expiresAt).getTime() - Date.now()) / 1000;
    expect(seconds).toBeGreaterThan(0);
    expect(seconds).toBeLessThanOrEqual(61);
    const got = await fetch(doc.download.url);
    expect(got.status).toBe(200);
    expect(new Uint8Array(await got.arrayBuffer())).toEqual(JPEG);
    // the same object without the signature is refused
    const bare = new URL(doc.download.url);
    const unsigned = await fetch(`${bare.origin}${bare.pathname}`);
    expect(unsigned.status).toBe(403);
  });
});
