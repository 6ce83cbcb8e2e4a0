import { expect } from 'vitest';
import {
  ApproveKycDocument,
  ConfirmKycUploadDocument,
  KycDocument,
  KycSubmissionDocument,
  KycUpdatedDocument,
  RequestKycUploadDocument,
  SendPhoneCodeDocument,
  SubmitKycDocument,
  VerifyPhoneCodeDocument,
  type KycDocumentKind,
} from '../../../clients/sdk/index.js';
import { postPresignedUpload } from '../../../testing/s3.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import { SAMPLE_JPEG, nationalIdFor, newPhoneNumber, type Person, type SdkWorld } from '../world.js';

const s = {} as {
  user: Person;
  phone: { typed: string; e164: string };
  upload: { id: string; url: string; fields: { name: string; value: string }[] };
  documentIds: string[];
  submissionId: string;
};

/** Requests an upload, posts the file as a browser would, and confirms it: the accepted document's id. */
export async function uploadKycDocument(world: SdkWorld, person: Person, kind: KycDocumentKind): Promise<string> {
  const req = await world.run(RequestKycUploadDocument, { kind }, person);
  expect(req.body.errors).toBeUndefined();
  const u = req.body.data!.requestKycUpload;
  const posted = await postPresignedUpload(
    { url: u.url, fields: Object.fromEntries(u.fields.map((f) => [f.name, f.value])) },
    SAMPLE_JPEG,
  );
  expect(posted.status).toBeLessThan(300);
  const ok = await world.run(ConfirmKycUploadDocument, { id: u.document.id }, person);
  expect(ok.body.data?.confirmKycUpload.status).toBe('ACCEPTED');
  return u.document.id;
}

/** The phone as the API shows it back (masked): +98913***0001. */
const masked = (e164: string) => `${e164.slice(0, 6)}***${e164.slice(-4)}`;

/** Sends a code to a fresh number and proves it with what the SMS simulator received. */
export async function verifyPhone(world: SdkWorld, person: Person): Promise<void> {
  const phone = newPhoneNumber();
  const sent = await world.run(SendPhoneCodeDocument, { phone: phone.typed }, person);
  expect(sent.body.errors).toBeUndefined();
  const code = world.sims.sms.lastCode(phone.e164)!;
  const verified = await world.run(VerifyPhoneCodeDocument, { phone: phone.typed, code }, person);
  expect(verified.body.errors).toBeUndefined();
}

export const kycCases: SdkCaseFile = {
  file: 'kyc.graphql',
  async setup(world) {
    s.user = await world.newUser();
    s.phone = newPhoneNumber();
    s.documentIds = [];
  },
  cases: [
    sdkCase(KycDocument)({
      as: () => s.user,
      check: (data) => expect(data.me.kyc).toMatchObject({ status: 'NONE', tier: 'NONE', phone: null }),
    }),
    sdkCase(SendPhoneCodeDocument)({
      as: () => s.user,
      variables: () => ({ phone: s.phone.typed }),
      check: (data) => expect(data.sendPhoneCode.phone).toBe(masked(s.phone.e164)),
    }),
    sdkCase(VerifyPhoneCodeDocument)({
      as: () => s.user,
      variables: (world) => ({ phone: s.phone.typed, code: world.sims.sms.lastCode(s.phone.e164)! }),
      check: (data) => expect(data.verifyPhoneCode.phone).toBe(masked(s.phone.e164)),
    }),
    sdkCase(RequestKycUploadDocument)({
      as: () => s.user,
      variables: () => ({ kind: 'ID_CARD_FRONT', contentType: 'JPEG' }),
      check: (data) => {
        expect(data.requestKycUpload.document).toMatchObject({ kind: 'ID_CARD_FRONT', status: 'REQUESTED' });
        s.upload = { id: data.requestKycUpload.document.id, ...data.requestKycUpload };
      },
    }),
    sdkCase(ConfirmKycUploadDocument)({
      as: () => s.user,
      async variables() {
        const posted = await postPresignedUpload(
          { url: s.upload.url, fields: Object.fromEntries(s.upload.fields.map((f) => [f.name, f.value])) },
          SAMPLE_JPEG,
        );
        expect(posted.status).toBeLessThan(300);
        return { id: s.upload.id };
      },
      check: (data) => {
        expect(data.confirmKycUpload).toMatchObject({ id: s.upload.id, status: 'ACCEPTED' });
        s.documentIds.push(s.upload.id);
      },
    }),
    sdkCase(SubmitKycDocument)({
      as: () => s.user,
      async variables(world) {
        s.documentIds.push(await uploadKycDocument(world, s.user, 'ID_CARD_BACK'));
        return {
          input: {
            tier: 'BASIC',
            firstName: 'سارا',
            lastName: 'محمدی',
            nationalId: nationalIdFor(1),
            birthDate: '1365/01/15',
            birthDateCalendar: 'JALALI',
            documentIds: s.documentIds,
          },
        };
      },
      check: (data) => {
        expect(data.submitKyc).toMatchObject({ status: 'PENDING', tierRequested: 'BASIC' });
        s.submissionId = data.submitKyc.id;
      },
    }),
    sdkCase(KycSubmissionDocument)({
      as: () => s.user,
      variables: () => ({ id: s.submissionId }),
      check: (data) => expect(data.kycSubmission!.documents.map((d) => d.id).sort()).toEqual([...s.documentIds].sort()),
    }),
    sdkCase(KycUpdatedDocument)({
      as: () => s.user,
      async cause(world) {
        const res = await world.run(ApproveKycDocument, { id: s.submissionId, tier: 'BASIC' }, world.superadmin);
        expect(res.body.errors).toBeUndefined();
      },
      check: (data) => expect(data.kycUpdated).toMatchObject({ id: s.submissionId }),
    }),
  ],
};
