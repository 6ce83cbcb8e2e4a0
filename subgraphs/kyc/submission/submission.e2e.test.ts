import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorCode, gql } from '../../../testing/graphql-client.js';
import { startStack, type TestStack } from '../../../testing/stack.js';
import { initDataFor, newTelegramUser } from '../../../testing/telegram.js';
import { callSubgraphAs, signInStaff } from '../../../testing/viewers.js';
import { newId } from '../../../platform/ids.js';
import { until } from '../../../testing/until.js';

/**
 * Submission and review through the gateway: submit → a reviewer approves → identity raises the user's tier and
 * level from kyc.submission.approved (outbox → JetStream); the rules around it (reviewers only, never one's own,
 * decisions final, a new submission after a rejection, input validation, documents of others).
 */
let stack: TestStack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.close();
});

const sqlOf =
  (subgraph: string) =>
  <T = Record<string, unknown>>(text: string, params: unknown[] = []) =>
    stack.subgraphs.get(subgraph)!.deps.orm.em.fork().getConnection().execute<T[]>(text, params);
const kycSql = sqlOf('kyc');
const identitySql = sqlOf('identity');

interface Person {
  token: string;
  userId: string;
}

async function user(): Promise<Person> {
  const res = await gql(
    stack.graphqlUrl,
    `mutation($d: String!) { signInWithTelegram(initData: $d) { accessToken user { id } } }`,
    { d: initDataFor(newTelegramUser()) },
  );
  const { accessToken, user: u } = res.body.data!.signInWithTelegram as { accessToken: string; user: { id: string } };
  return { token: accessToken, userId: u.id };
}

let staffCount = 0;
/** COMPLIANCE staff holding kyc:review, signed in after the claim was given. */
async function reviewer(): Promise<Person> {
  const email = `kyc${++staffCount}-${process.pid}@example.com`;
  const { userId } = await signInStaff(stack, ['COMPLIANCE'], email);
  await identitySql(`update identity."user" set claims = '{kyc:review}' where id = ?`, [userId]);
  const res = await gql(
    stack.graphqlUrl,
    `mutation($e: String!, $p: String!) { signInAdmin(email: $e, password: $p) { accessToken } }`,
    { e: email, p: 'correct horse battery staple' },
  );
  return { token: res.body.data!.signInAdmin.accessToken as string, userId };
}

let phoneCounter = 0;
/**
 * The outcome of phone verification and accepted uploads, recorded as those flows record them (their own
 * e2e tests drive them through the SMS simulator and the S3 server); this file is about submissions.
 */
async function verifiedWithDocuments(p: Person, kinds = ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SELFIE']) {
  const phone = `+98912${String(process.pid % 1000).padStart(3, '0')}${String(++phoneCounter).padStart(4, '0')}`;
  await kycSql(`insert into kyc.verified_phone (phone, user_id) values (?, ?)`, [phone, p.userId]);
  return documents(p, kinds);
}

async function documents(p: Person, kinds: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const kind of kinds) {
    const id = newId('doc');
    await kycSql(
      `insert into kyc.kyc_document (id, user_id, kind, object_key, status, size, content_type, checked_at)
       values (?, ?, ?, ?, 'ACCEPTED', 1000, 'image/jpeg', now())`,
      [id, p.userId, kind, `kyc/${p.userId}/${id}`],
    );
    ids.push(id);
  }
  return ids;
}

const SUBMIT = `mutation($i: SubmitKycInput!) { submitKyc(input: $i) { id status tierRequested firstName lastName nationalId birthDate documentIds } }`;
const APPROVE = `mutation($id: ID!, $t: KycTier!, $n: String) { approveKyc(id: $id, tier: $t, note: $n) { id status approvedTier reviewerId decidedAt note } }`;
const REJECT = `mutation($id: ID!, $r: String!) { rejectKyc(id: $id, reason: $r) { id status rejectionReason } }`;
const LIST = `query($s: KycSubmissionStatus, $after: String, $first: Int) { kycSubmissions(status: $s, first: $first, after: $after) { edges { cursor node { id userId status } } pageInfo { hasNextPage endCursor } } }`;
const ME_KYC = `{ me { id kycTier level kyc { tier status phone nextTier nextTierNeeds latestSubmission { id status } } } }`;

let nationalIds = 0;
/** A valid national ID no other test uses (one national ID is one person: NATIONAL_ID_TAKEN otherwise). */
function freshNationalId(): string {
  const body = `${String(process.pid % 100_000).padStart(5, '0')}${String(++nationalIds).padStart(4, '0')}`;
  let sum = 0;
  for (let i = 0; i < 9; i++) sum += Number(body[i]) * (10 - i);
  const r = sum % 11;
  return `${body}${r < 2 ? r : 11 - r}`;
}

const input = (documentIds: string[], overrides: Record<string, unknown> = {}) => ({
  tier: 'FULL',
  firstName: 'علی',
  lastName: 'رضایی',
  nationalId: freshNationalId(),
  birthDate: '1370/05/12',
  birthDateCalendar: 'JALALI',
  documentIds,
  ...overrides,
});

describe('submitKyc → approveKyc', () => {
  it('a FULL submission approved by a reviewer raises the tier and the level through the events', async () => {
    const applicant = await user();
    const before = await gql(stack.graphqlUrl, ME_KYC, {}, applicant.token);
    expect(before.body.data!.me).toMatchObject({
      kycTier: 'NONE',
      level: 1,
      kyc: {
        tier: 'NONE',
        status: 'NONE',
        phone: null,
        nextTier: 'BASIC',
        nextTierNeeds: ['PHONE_VERIFIED', 'ID_CARD_FRONT', 'ID_CARD_BACK', 'SUBMISSION', 'REVIEW'],
        latestSubmission: null,
      },
    });

    const docs = await verifiedWithDocuments(applicant);
    const submitted = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input(docs, { nationalId: '۰۴۹۹۳۷۰۸۹۹' }) },
      applicant.token,
    );
    expect(submitted.body.errors).toBeUndefined();
    const submission = submitted.body.data!.submitKyc;
    expect(submission).toMatchObject({
      status: 'PENDING',
      tierRequested: 'FULL',
      nationalId: '0499370899',
      birthDate: '1991-08-03',
      documentIds: docs,
    });
    const pending = await gql(stack.graphqlUrl, ME_KYC, {}, applicant.token);
    expect(pending.body.data!.me.kyc).toMatchObject({
      status: 'PENDING',
      phone: expect.stringMatching(/^\+98912\*\*\*\d{4}$/),
      nextTierNeeds: ['REVIEW'],
    });

    const staff = await reviewer();
    const queue = await gql(stack.graphqlUrl, LIST, { s: 'PENDING', first: 100 }, staff.token);
    expect(queue.body.errors).toBeUndefined();
    expect(queue.body.data!.kycSubmissions.edges.map((e: any) => e.node.id)).toContain(submission.id);

    const approved = await gql(
      stack.graphqlUrl,
      APPROVE,
      { id: submission.id, t: 'FULL', n: 'documents match' },
      staff.token,
    );
    expect(approved.body.errors).toBeUndefined();
    expect(approved.body.data!.approveKyc).toMatchObject({
      status: 'APPROVED',
      approvedTier: 'FULL',
      reviewerId: staff.userId,
    });

    // identity's level consumer reads kyc.submission.approved from JetStream
    const me = await until(
      'the tier and level to rise',
      async () => (await gql(stack.graphqlUrl, ME_KYC, {}, applicant.token)).body.data!.me,
      (m) => m.kycTier === 'FULL',
    );
    expect(me).toMatchObject({
      kycTier: 'FULL',
      level: 2,
      kyc: { tier: 'FULL', status: 'APPROVED', nextTier: null, nextTierNeeds: [] },
    });

    const audit = await kycSql(
      `select reviewer_id, user_id, decision, tier, note from kyc.kyc_decision where submission_id = ?`,
      [submission.id],
    );
    expect(audit).toEqual([
      {
        reviewer_id: staff.userId,
        user_id: applicant.userId,
        decision: 'APPROVED',
        tier: 'FULL',
        note: 'documents match',
      },
    ]);
    const events = await kycSql<{ subject: string; envelope: { payload: Record<string, unknown> } }>(
      `select subject, envelope from kyc.outbox where envelope->'payload'->>'submissionId' = ? order by occurred_at`,
      [submission.id],
    );
    expect(events.map((e) => e.subject)).toEqual(['kyc.submission.submitted', 'kyc.submission.approved']);
    expect(events[1]!.envelope.payload).toEqual({
      submissionId: submission.id,
      userId: applicant.userId,
      tier: 'FULL',
      approvedTier: 'FULL',
      // the approved name, for the payment subgraph's bank-holder check: the only personal data on the bus
      holderName: { firstName: 'علی', lastName: 'رضایی' },
    });
    // no other personal data on the bus
    expect(JSON.stringify(events)).not.toContain('0499370899');

    // a decision is final, and the audit table refuses edits
    const again = await gql(stack.graphqlUrl, REJECT, { id: submission.id, r: 'changed my mind' }, staff.token);
    expect(errorCode(again)).toBe('CONFLICT');
    await expect(
      kycSql(`update kyc.kyc_decision set note = 'edited' where submission_id = ?`, [submission.id]),
    ).rejects.toThrow(/append-only/);
    await expect(kycSql(`delete from kyc.kyc_decision where submission_id = ?`, [submission.id])).rejects.toThrow(
      /append-only/,
    );

    // the tier is held: asking for it again is a conflict
    const more = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input(await documents(applicant, ['ID_CARD_FRONT', 'ID_CARD_BACK'])) },
      applicant.token,
    );
    expect(errorCode(more)).toBe('CONFLICT');
  });

  it('after a rejection the user submits again; the reason is theirs to read; one pending at a time', async () => {
    const applicant = await user();
    const docs = await verifiedWithDocuments(applicant, ['ID_CARD_FRONT', 'ID_CARD_BACK']);
    const first = await gql(stack.graphqlUrl, SUBMIT, { i: input(docs, { tier: 'BASIC' }) }, applicant.token);
    const id = first.body.data!.submitKyc.id as string;
    const second = await gql(stack.graphqlUrl, SUBMIT, { i: input(docs, { tier: 'BASIC' }) }, applicant.token);
    expect(second.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'SUBMISSION_PENDING' });

    const staff = await reviewer();
    const rejected = await gql(stack.graphqlUrl, REJECT, { id, r: 'the photo is blurred' }, staff.token);
    expect(rejected.body.data!.rejectKyc).toMatchObject({
      status: 'REJECTED',
      rejectionReason: 'the photo is blurred',
    });
    const approveAfter = await gql(stack.graphqlUrl, APPROVE, { id, t: 'BASIC' }, staff.token);
    expect(errorCode(approveAfter)).toBe('CONFLICT');

    const me = await gql(stack.graphqlUrl, ME_KYC, {}, applicant.token);
    expect(me.body.data!.me.kyc).toMatchObject({
      tier: 'NONE',
      status: 'REJECTED',
      latestSubmission: { id, status: 'REJECTED' },
    });

    const resubmitted = await gql(stack.graphqlUrl, SUBMIT, { i: input(docs, { tier: 'BASIC' }) }, applicant.token);
    expect(resubmitted.body.data!.submitKyc.status).toBe('PENDING');
    // a lower tier than asked may be approved, a higher one may not
    const tooHigh = await gql(
      stack.graphqlUrl,
      APPROVE,
      { id: resubmitted.body.data!.submitKyc.id, t: 'FULL' },
      staff.token,
    );
    expect(errorCode(tooHigh)).toBe('BAD_USER_INPUT');
    const audit = await kycSql(`select decision from kyc.kyc_decision where user_id = ?`, [applicant.userId]);
    expect(audit).toEqual([{ decision: 'REJECTED' }]);
  });

  it('a USER cannot list or decide; a reviewer cannot decide their own; staff without the claim cannot either', async () => {
    const applicant = await user();
    const docs = await verifiedWithDocuments(applicant);
    const submitted = await gql(stack.graphqlUrl, SUBMIT, { i: input(docs) }, applicant.token);
    const id = submitted.body.data!.submitKyc.id as string;

    expect(errorCode(await gql(stack.graphqlUrl, LIST, {}, applicant.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id, t: 'FULL' }, applicant.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, REJECT, { id, r: 'nope nope' }, applicant.token))).toBe('FORBIDDEN');
    const support = await signInStaff(stack, ['SUPPORT']);
    expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id, t: 'FULL' }, support.token))).toBe('FORBIDDEN');

    // another user cannot read it either
    const other = await user();
    const read = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { kycSubmission(id: $id) { id nationalId } }`,
      { id },
      other.token,
    );
    expect(errorCode(read)).toBe('FORBIDDEN');

    // a reviewer's own submission
    const staff = await reviewer();
    const ownDocs = await verifiedWithDocuments(staff);
    const own = await gql(stack.graphqlUrl, SUBMIT, { i: input(ownDocs) }, staff.token);
    const ownId = own.body.data!.submitKyc.id as string;
    expect(errorCode(await gql(stack.graphqlUrl, APPROVE, { id: ownId, t: 'FULL' }, staff.token))).toBe('FORBIDDEN');
    expect(errorCode(await gql(stack.graphqlUrl, REJECT, { id: ownId, r: 'self review' }, staff.token))).toBe(
      'FORBIDDEN',
    );
    const rows = await kycSql(`select status from kyc.kyc_submission where id = ?`, [ownId]);
    expect(rows).toEqual([{ status: 'PENDING' }]);
  });

  it('pages the queue with Relay cursors', async () => {
    const staff = await reviewer();
    for (let i = 0; i < 3; i++) {
      const p = await user();
      await gql(stack.graphqlUrl, SUBMIT, { i: input(await verifiedWithDocuments(p)) }, p.token);
    }
    const all: string[] = [];
    let after: string | null = null;
    for (;;) {
      const page: any = await gql(stack.graphqlUrl, LIST, { s: 'PENDING', first: 2, after }, staff.token);
      expect(page.body.errors).toBeUndefined();
      all.push(...page.body.data.kycSubmissions.edges.map((e: any) => e.node.id));
      if (!page.body.data.kycSubmissions.pageInfo.hasNextPage) break;
      after = page.body.data.kycSubmissions.pageInfo.endCursor;
    }
    const rows = await kycSql<{ id: string }>(
      `select id from kyc.kyc_submission where status = 'PENDING' order by created_at, id`,
    );
    expect(all).toEqual(rows.map((r) => r.id));
    expect(errorCode(await gql(stack.graphqlUrl, LIST, { after: 'bm90LWEtY3Vyc29y' }, staff.token))).toBe(
      'BAD_USER_INPUT',
    );
  });
});

describe('submitKyc input', () => {
  it('refuses bad personal data, missing phone and documents, and another user’s document, storing nothing', async () => {
    const applicant = await user();
    const noPhone = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input(await documents(applicant, ['ID_CARD_FRONT'])) },
      applicant.token,
    );
    expect(errorCode(noPhone)).toBe('PHONE_NOT_VERIFIED');

    const docs = await verifiedWithDocuments(applicant);
    const cases: [Record<string, unknown>, string, string][] = [
      [{ nationalId: '0499370898' }, 'BAD_USER_INPUT', 'nationalId'],
      [{ nationalId: '1111111111' }, 'BAD_USER_INPUT', 'nationalId'],
      [{ firstName: 'Ali' }, 'BAD_USER_INPUT', 'firstName'],
      [{ lastName: 'رضایی2' }, 'BAD_USER_INPUT', 'lastName'],
      [{ birthDate: '1370/07/31' }, 'BAD_USER_INPUT', 'birthDate'],
      [{ birthDate: '2020-01-01', birthDateCalendar: 'GREGORIAN' }, 'BAD_USER_INPUT', 'birthDate'],
      [{ tier: 'NONE' }, 'BAD_USER_INPUT', 'tier'],
      [{ documentIds: ['not-a-doc'] }, 'BAD_USER_INPUT', 'documentIds'],
      [{ documentIds: docs.slice(0, 2) }, 'BAD_USER_INPUT', 'documentIds'], // FULL needs a selfie
    ];
    for (const [overrides, code, field] of cases) {
      const res = await gql(stack.graphqlUrl, SUBMIT, { i: input(docs, overrides) }, applicant.token);
      expect(res.body.errors?.[0]?.extensions, JSON.stringify(overrides)).toMatchObject({ code, field });
    }

    const stranger = await user();
    const theirs = await documents(stranger, ['SELFIE']);
    const stolen = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input([...docs.slice(0, 2), theirs[0]!]) },
      applicant.token,
    );
    expect(errorCode(stolen)).toBe('NOT_FOUND');
    const missing = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input([...docs.slice(0, 2), newId('doc')]) },
      applicant.token,
    );
    expect(errorCode(missing)).toBe('NOT_FOUND');

    const stored = await kycSql(`select id from kyc.kyc_submission where user_id = ?`, [applicant.userId]);
    expect(stored).toEqual([]);
    const outbox = await kycSql(`select id from kyc.outbox where envelope->'payload'->>'userId' = ?`, [
      applicant.userId,
    ]);
    expect(outbox).toEqual([]);
  });
});

describe('KycSubmission entity', () => {
  it('resolves through _entities in one batch: the applicant and reviewers, null for unknown ids', async () => {
    const applicant = await user();
    const docs = await verifiedWithDocuments(applicant);
    const id = (await gql(stack.graphqlUrl, SUBMIT, { i: input(docs) }, applicant.token)).body.data!.submitKyc
      .id as string;
    const ENTITIES = `query($r: [_Any!]!) { _entities(representations: $r) { ... on KycSubmission { id status userId } } }`;
    const reps = {
      r: [
        { __typename: 'KycSubmission', id },
        { __typename: 'KycSubmission', id: newId('kyc') },
      ],
    };
    const own = await callSubgraphAs(
      stack,
      'kyc',
      { userId: applicant.userId, roles: ['USER'], claims: [], sessionId: null },
      ENTITIES,
      reps,
    );
    expect(own.body.errors).toBeUndefined();
    expect(own.body.data!._entities).toEqual([{ id, status: 'PENDING', userId: applicant.userId }, null]);
    const staff = await callSubgraphAs(
      stack,
      'kyc',
      {
        userId: 'usr_00000000000000000000000000',
        roles: ['USER', 'COMPLIANCE'],
        claims: ['kyc:review'],
        sessionId: null,
      },
      ENTITIES,
      reps,
    );
    expect(staff.body.data!._entities[0]).toEqual({ id, status: 'PENDING', userId: applicant.userId });
    const stranger = await callSubgraphAs(
      stack,
      'kyc',
      { userId: 'usr_00000000000000000000000001', roles: ['USER'], claims: [], sessionId: null },
      ENTITIES,
      reps,
    );
    expect(stranger.body.data!._entities[0]).toBeNull();
    expect(stranger.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
  });
});

describe('one national ID, one person', () => {
  it('the first approval claims the ID: approving another user’s submission of it, or submitting it again, is CONFLICT NATIONAL_ID_TAKEN', async () => {
    const nationalId = freshNationalId();
    const [first, second, third] = [await user(), await user(), await user()];
    const ids: string[] = [];
    for (const p of [first, second]) {
      const res = await gql(
        stack.graphqlUrl,
        SUBMIT,
        { i: input(await verifiedWithDocuments(p), { nationalId }) },
        p.token,
      );
      expect(res.body.errors).toBeUndefined();
      ids.push(res.body.data!.submitKyc.id as string);
    }
    const staff = await reviewer();
    expect((await gql(stack.graphqlUrl, APPROVE, { id: ids[0], t: 'FULL' }, staff.token)).body.errors).toBeUndefined();
    const taken = await gql(stack.graphqlUrl, APPROVE, { id: ids[1], t: 'FULL' }, staff.token);
    expect(taken.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'NATIONAL_ID_TAKEN' });
    // nothing of the refused approval stayed: still PENDING, no decision, no event
    expect(await kycSql(`select status from kyc.kyc_submission where id = ?`, [ids[1]])).toEqual([
      { status: 'PENDING' },
    ]);
    expect(await kycSql(`select 1 from kyc.kyc_decision where submission_id = ?`, [ids[1]])).toEqual([]);
    expect(
      await kycSql(`select 1 from kyc.outbox where subject like '%kyc.submission.approved' and envelope::text like ?`, [
        `%${ids[1]}%`,
      ]),
    ).toEqual([]);
    // a reviewer may still reject it
    expect(
      (await gql(stack.graphqlUrl, REJECT, { id: ids[1], r: 'national ID belongs to someone else' }, staff.token)).body
        .errors,
    ).toBeUndefined();

    const later = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input(await verifiedWithDocuments(third), { nationalId }) },
      third.token,
    );
    expect(later.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT', reason: 'NATIONAL_ID_TAKEN' });
    expect(await kycSql(`select 1 from kyc.kyc_submission where user_id = ?`, [third.userId])).toEqual([]);
    // the claim is the blind index, never the ID
    const claims = await kycSql<{ national_id_index: string; user_id: string }>(
      `select national_id_index, user_id from kyc.national_id_claim where submission_id = ?`,
      [ids[0]],
    );
    expect(claims).toHaveLength(1);
    expect(claims[0]!.user_id).toBe(first.userId);
    expect(claims[0]!.national_id_index).toMatch(/^[A-Za-z0-9+/]{43}=$/);
    expect(claims[0]!.national_id_index).not.toContain(nationalId);
  });
});

describe('one national ID, two reviewers at once', () => {
  it('two approvals of two users’ submissions of one ID racing: exactly one goes, the other is NATIONAL_ID_TAKEN', async () => {
    const nationalId = freshNationalId();
    const ids: string[] = [];
    const people = [await user(), await user()];
    for (const p of people) {
      const res = await gql(
        stack.graphqlUrl,
        SUBMIT,
        { i: input(await verifiedWithDocuments(p), { nationalId }) },
        p.token,
      );
      ids.push(res.body.data!.submitKyc.id as string);
    }
    const [r1, r2] = [await reviewer(), await reviewer()];
    const results = await Promise.all([
      gql(stack.graphqlUrl, APPROVE, { id: ids[0], t: 'FULL' }, r1.token),
      gql(stack.graphqlUrl, APPROVE, { id: ids[1], t: 'FULL' }, r2.token),
    ]);
    const codes = results.map((r) => (r.body.errors ? r.body.errors[0]!.extensions : 'APPROVED'));
    expect(codes.filter((c) => c === 'APPROVED')).toHaveLength(1);
    expect(codes.find((c) => c !== 'APPROVED')).toMatchObject({ code: 'CONFLICT', reason: 'NATIONAL_ID_TAKEN' });
    const rows = await kycSql<{ status: string }>(
      `select status from kyc.kyc_submission where id in (?, ?) order by status`,
      ids,
    );
    expect(rows.map((r) => r.status)).toEqual(['APPROVED', 'PENDING']);
    const claims = await kycSql<{ user_id: string }>(
      `select c.user_id from kyc.national_id_claim c join kyc.kyc_submission s on s.national_id_index = c.national_id_index where s.id = ?`,
      [ids[0]],
    );
    expect(claims).toHaveLength(1);
  });
});

describe('personal data at rest', () => {
  it('no table of any schema holds a national ID, name, birth date or the phone of a submission in the clear; reviewers read them decrypted', async () => {
    const applicant = await user();
    const nationalId = freshNationalId();
    const names = { firstName: 'پرستو', lastName: 'بهرامی‌نژاد' };
    const res = await gql(
      stack.graphqlUrl,
      SUBMIT,
      { i: input(await verifiedWithDocuments(applicant), { nationalId, ...names }) },
      applicant.token,
    );
    expect(res.body.errors).toBeUndefined();
    const id = res.body.data!.submitKyc.id as string;
    const staff = await reviewer();
    const read = await gql(
      stack.graphqlUrl,
      `query($id: ID!) { kycSubmission(id: $id) { nationalId firstName lastName birthDate } }`,
      { id },
      staff.token,
    );
    expect(read.body.data!.kycSubmission).toEqual({ nationalId, ...names, birthDate: '1991-08-03' });

    const [{ phone }] = (await kycSql<{ phone: string }>(`select phone from kyc.verified_phone where user_id = ?`, [
      applicant.userId,
    ])) as [{ phone: string }];
    // The submission's row, every column's bytes: none of its personal data.
    const [raw] = await kycSql<{ row: string }>(
      `select row_to_json(t)::text as "row" from kyc.kyc_submission t where id = ?`,
      [id],
    );
    for (const value of [nationalId, names.firstName, names.lastName, '1991-08-03', '1991', phone, phone.slice(3)])
      expect(raw!.row.includes(value), `kyc_submission holds ${value}`).toBe(false);
    const sealed = await kycSql<Record<string, string>>(
      `select first_name_enc, last_name_enc, national_id_enc, birth_date_enc, phone_enc from kyc.kyc_submission where id = ?`,
      [id],
    );
    for (const value of Object.values(sealed[0]!)) expect(value).toMatch(/^v1\.dev-only\./);

    // The national ID, names and birth date in any table of any schema (the phone is verified_phone's key, by design).
    const tables = await kycSql<{ table_schema: string; table_name: string }>(
      `select table_schema, table_name from information_schema.tables where table_type = 'BASE TABLE' and table_schema not in ('pg_catalog', 'information_schema')`,
    );
    expect(tables.map((t) => `${t.table_schema}.${t.table_name}`)).toEqual(
      expect.arrayContaining(['kyc.kyc_submission', 'kyc.kyc_decision', 'kyc.outbox', 'kyc.national_id_claim']),
    );
    let rows = 0;
    for (const t of tables) {
      const all = await kycSql<{ row: string }>(
        `select row_to_json(t)::text as "row" from "${t.table_schema}"."${t.table_name}" t`,
      );
      for (const { row } of all) {
        rows++;
        for (const value of [nationalId, names.firstName, names.lastName, '1991-08-03'])
          expect(row.includes(value), `${t.table_schema}.${t.table_name} holds ${value}`).toBe(false);
      }
    }
    expect(rows).toBeGreaterThan(20);
  });

  it('a tampered ciphertext, or one moved to another field or row, is refused, never shown', async () => {
    const staff = await reviewer();
    const submit = async () => {
      const p = await user();
      const r = await gql(stack.graphqlUrl, SUBMIT, { i: input(await verifiedWithDocuments(p)) }, p.token);
      return r.body.data!.submitKyc as { id: string; nationalId: string };
    };
    const [a, b, c] = [await submit(), await submit(), await submit()];
    const READ = `query($id: ID!) { kycSubmission(id: $id) { id nationalId firstName } }`;
    expect((await gql(stack.graphqlUrl, READ, { id: a.id }, staff.token)).body.data!.kycSubmission.nationalId).toBe(
      a.nationalId,
    );
    // one bit of the ciphertext flipped
    const [row] = await kycSql<{ national_id_enc: string }>(
      `select national_id_enc from kyc.kyc_submission where id = ?`,
      [a.id],
    );
    const parts = row!.national_id_enc.split('.');
    const body = Buffer.from(parts[3]!, 'base64');
    body[body.length - 1] = body[body.length - 1]! ^ 1;
    parts[3] = body.toString('base64');
    await kycSql(`update kyc.kyc_submission set national_id_enc = ? where id = ?`, [parts.join('.'), a.id]);
    // b's national ID moved into its first name; c's national ID copied from b's row
    await kycSql(`update kyc.kyc_submission set first_name_enc = national_id_enc where id = ?`, [b.id]);
    await kycSql(
      `update kyc.kyc_submission set national_id_enc = (select national_id_enc from kyc.kyc_submission where id = ?) where id = ?`,
      [b.id, c.id],
    );
    for (const id of [a.id, b.id, c.id]) {
      const res = await gql(stack.graphqlUrl, READ, { id }, staff.token);
      expect(res.body.data?.kycSubmission ?? null, id).toBeNull();
      expect(res.body.errors?.[0]?.extensions?.code, id).toBe('INTERNAL_SERVER_ERROR');
      const text = JSON.stringify(res.body);
      for (const secret of [a.nationalId, b.nationalId, c.nationalId]) expect(text).not.toContain(secret);
    }
  });
});
