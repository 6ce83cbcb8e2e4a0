import { expect } from 'vitest';
import {
  AddTicketNoteDocument,
  AdjustBalanceDocument,
  ApproveKycDocument,
  AssignTicketDocument,
  GrantClaimDocument,
  GrantRoleDocument,
  KycQueueDocument,
  OpenTicketDocument,
  ResolveTicketDocument,
  SetVoucherRateDocument,
  SignInAdminDocument,
  SubmitKycDocument,
  TicketQueueDocument,
  UserDocument,
  UsersDocument,
  VerifyLedgerDocument,
  WithdrawalQueueDocument,
} from '../../../clients/sdk/index.js';
import { sdkCase, type SdkCaseFile } from '../case.js';
import { nationalIdFor, type Person } from '../world.js';
import { uploadKycDocument, verifyPhone } from './kyc.js';

const s = {} as { customer: Person; newcomer: Person; agent: Person; ticketId: string; submissionId: string };
const key = (what: string) => `sdk-${what}-${Date.now()}-${Math.random().toString(36).slice(2)}`;

export const staffCases: SdkCaseFile = {
  file: 'staff.graphql',
  async setup(world) {
    s.customer = await world.newUser();
    s.newcomer = await world.newUser();
    s.agent = await world.newStaff(['SUPPORT']);
    const ticket = await world.run(
      OpenTicketDocument,
      { input: { subject: 'Card payment failed', category: 'PAYMENT', body: 'Twice.', links: [] } },
      s.customer,
    );
    s.ticketId = ticket.body.data!.openTicket.id;
    await verifyPhone(world, s.customer);
    const documentIds = [
      await uploadKycDocument(world, s.customer, 'ID_CARD_FRONT'),
      await uploadKycDocument(world, s.customer, 'ID_CARD_BACK'),
    ];
    const submitted = await world.run(
      SubmitKycDocument,
      {
        input: {
          tier: 'BASIC',
          firstName: 'رضا',
          lastName: 'احمدی',
          nationalId: nationalIdFor(2),
          birthDate: '1370/05/20',
          documentIds,
        },
      },
      s.customer,
    );
    expect(submitted.body.errors).toBeUndefined();
    s.submissionId = submitted.body.data!.submitKyc.id;
  },
  cases: [
    sdkCase(SignInAdminDocument)({
      as: () => null,
      variables: (world) => ({ email: s.agent.email!, password: world.staffPassword }),
      check: (data) => expect(data.signInAdmin.user).toMatchObject({ id: s.agent.userId, roles: ['USER', 'SUPPORT'] }),
    }),
    sdkCase(UsersDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ first: 50 }),
      check: (data) => expect(data.users.edges.map((e) => e.node.id)).toContain(s.customer.userId),
    }),
    sdkCase(UserDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ id: s.customer.userId }),
      check: (data) => expect(data.user).toMatchObject({ id: s.customer.userId, withdrawalsFrozen: false }),
    }),
    sdkCase(GrantRoleDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ userId: s.newcomer.userId, role: 'SUPPORT' }),
      check: (data) => expect(data.grantRole.roles).toContain('SUPPORT'),
    }),
    sdkCase(GrantClaimDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ userId: s.newcomer.userId, claim: 'tickets:assign' }),
      check: (data) => expect(data.grantClaim.claims).toContain('tickets:assign'),
    }),
    sdkCase(AdjustBalanceDocument)({
      as: (world) => world.superadmin,
      variables: () => ({
        userId: s.customer.userId,
        asset: 'IRT',
        amount: '1000',
        reason: 'goodwill credit',
        idempotencyKey: key('adj'),
      }),
      check: (data) => expect(['Transaction', 'AdjustmentRequest']).toContain(data.adjustBalance.__typename),
    }),
    sdkCase(VerifyLedgerDocument)({
      as: (world) => world.superadmin,
      check: (data) => expect(data.verifyLedger.transactions).toBeGreaterThan(0),
    }),
    sdkCase(KycQueueDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ first: 50, status: 'PENDING' }),
      check: (data) => expect(data.kycSubmissions.edges.map((e) => e.node.id)).toContain(s.submissionId),
    }),
    sdkCase(ApproveKycDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ id: s.submissionId, tier: 'BASIC', note: 'documents match' }),
      check: (data) => expect(data.approveKyc).toMatchObject({ status: 'APPROVED', approvedTier: 'BASIC' }),
    }),
    sdkCase(WithdrawalQueueDocument)({
      as: (world) => world.superadmin,
      variables: () => ({ first: 20, status: 'PENDING_APPROVAL' }),
      check: (data) => expect(Array.isArray(data.withdrawals.edges)).toBe(true),
    }),
    sdkCase(TicketQueueDocument)({
      as: () => s.agent,
      variables: () => ({ first: 50 }),
      check: (data) => expect(data.ticketQueue.edges.map((e) => e.node.id)).toContain(s.ticketId),
    }),
    sdkCase(AssignTicketDocument)({
      as: () => s.agent,
      variables: () => ({ ticketId: s.ticketId, assigneeId: s.agent.userId }),
      check: (data) => expect(data.assignTicket.assigneeId).toBe(s.agent.userId),
    }),
    sdkCase(AddTicketNoteDocument)({
      as: () => s.agent,
      variables: () => ({ ticketId: s.ticketId, body: 'Paystar shows no attempt.' }),
      check: (data) => expect(data.addTicketNote).toMatchObject({ internal: true, author: 'STAFF' }),
    }),
    sdkCase(ResolveTicketDocument)({
      as: () => s.agent,
      variables: () => ({ ticketId: s.ticketId }),
      check: (data) => expect(data.resolveTicket.status).toBe('RESOLVED'),
    }),
    sdkCase(SetVoucherRateDocument)({
      as: (world) => world.superadmin,
      variables: () => ({
        input: {
          type: 'UTOPIA_UUSD',
          side: 'BUY',
          currency: 'USD',
          price: '1.05',
          validUntil: new Date(Date.now() + 3600_000).toISOString(),
        },
      }),
      check: (data) => expect(data.setVoucherRate).toMatchObject({ type: 'UTOPIA_UUSD', price: '1.05', stale: false }),
    }),
  ],
};
