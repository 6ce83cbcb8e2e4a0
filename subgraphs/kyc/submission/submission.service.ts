import { LockMode, UniqueConstraintViolationException } from '@mikro-orm/core';
import { decodeQueueCursor, queuePageFilter } from '../review-queue.js';
import type { EntityManager } from '@mikro-orm/postgresql';
import { recordEvent } from '../../../platform/bus/outbox.js';
import { hasClaim, type Viewer } from '../../../platform/auth/viewer.js';
import {
  badInput,
  conflict,
  DomainError,
  ErrorCode,
  forbidden,
  notFound,
  unauthenticated,
} from '../../../platform/errors.js';
import { newId } from '../../../platform/ids.js';
import type { Logger } from '../../../platform/logger.js';
import { KycDocument, type DocumentKind } from '../document/document.entity.js';
import { VerifiedPhone } from '../phone/phone.entity.js';
import { ageOn, isoDate, parseCivilDate, type Calendar } from '../validation/calendar.js';
import { normalizeNationalId } from '../validation/national-id.js';
import { normalizePersianName } from '../validation/persian-name.js';
import {
  KycDecision,
  KycSubmission,
  TIER_RANK,
  type ApprovableTier,
  type KycTier,
  type SubmissionStatus,
} from './submission.entity.js';
import {
  KycEvents,
  type SubmissionApprovedPayload,
  type SubmissionRejectedPayload,
  type SubmissionSubmittedPayload,
} from './submission.events.js';
import type { PersonalData, PersonalDataCipher } from './personal-data.js';

const SUBMISSION_ID = /^kyc_[0-9a-z]{26}$/;

const SOURCE = 'kyc';
export const REVIEW_CLAIM = 'kyc:review';
const MIN_AGE = 18;
const MAX_AGE = 120;

/** The documents each tier rests on (a higher tier needs the lower tier's too). */
export const TIER_DOCUMENTS: Record<ApprovableTier, readonly DocumentKind[]> = {
  BASIC: ['ID_CARD_FRONT', 'ID_CARD_BACK'],
  FULL: ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SELFIE'],
};

export interface SubmitKyc {
  tier: ApprovableTier;
  firstName: string;
  lastName: string;
  nationalId: string;
  birthDate: string;
  birthDateCalendar: Calendar;
  documentIds: string[];
}

export interface SubmissionPage {
  nodes: KycSubmission[];
  hasNextPage: boolean;
}

/** What is still missing before the next tier, in the order a user does it. */
export type KycRequirement = 'PHONE_VERIFIED' | DocumentKind | 'SUBMISSION' | 'REVIEW';

export interface KycState {
  userId: string;
  tier: KycTier;
  /** The latest submission's status, NONE before the first. */
  status: SubmissionStatus | 'NONE';
  latest: KycSubmission | null;
  phone: string | null;
  nextTier: ApprovableTier | null;
  nextTierNeeds: KycRequirement[];
}

export function nextTierOf(tier: KycTier): ApprovableTier | null {
  return tier === 'NONE' ? 'BASIC' : tier === 'BASIC' ? 'FULL' : null;
}

/** The highest tier a user was ever approved for. */
function tierOf(approved: (ApprovableTier | null)[]): KycTier {
  let tier: KycTier = 'NONE';
  for (const t of approved) if (t && TIER_RANK[t] > TIER_RANK[tier]) tier = t;
  return tier;
}

/**
 * Submissions and their review. A user submits personal data and accepted documents for a tier (PENDING);
 * a reviewer holding `kyc:review` who is not the applicant approves (for that tier or a lower one) or rejects
 * it, once: each decision is a row in the append-only audit table and an event in the same transaction.
 */
export class SubmissionService {
  constructor(
    private readonly log: Logger,
    private readonly cipher: PersonalDataCipher,
    private readonly now: () => Date = () => new Date(),
  ) {}

  requireReviewer(viewer: Viewer): string {
    if (!viewer.userId) throw unauthenticated();
    if (!hasClaim(viewer, REVIEW_CLAIM)) throw forbidden(`Reviewing KYC needs the ${REVIEW_CLAIM} claim`);
    return viewer.userId;
  }

  /** The decrypted personal data of a submission the caller was allowed to read; a tampered field throws. */
  reveal(submission: KycSubmission): PersonalData {
    const c = this.cipher;
    const id = submission.id;
    return {
      firstName: c.open(id, 'firstName', submission.firstNameEnc),
      lastName: c.open(id, 'lastName', submission.lastNameEnc),
      nationalId: c.open(id, 'nationalId', submission.nationalIdEnc),
      birthDate: c.open(id, 'birthDate', submission.birthDateEnc),
      phone: c.open(id, 'phone', submission.phoneEnc),
    };
  }

  /** The owner and reviewers may read a user's KYC data. */
  authorizeRead(viewer: Viewer, userId: string): void {
    if (!viewer.userId) throw unauthenticated();
    if (viewer.userId !== userId && !hasClaim(viewer, REVIEW_CLAIM)) throw forbidden();
  }

  async submit(em: EntityManager, viewer: Viewer, input: SubmitKyc): Promise<KycSubmission> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const data = this.validate(input);
    return em.transactional(async (tx) => {
      const phone = await tx.findOne(VerifiedPhone, { userId });
      if (!phone) throw new DomainError(ErrorCode.PHONE_NOT_VERIFIED, 'Verify your phone number before submitting');
      const previous = await tx.find(KycSubmission, { userId }, { fields: ['status', 'approvedTier'] });
      if (previous.some((s) => s.status === 'PENDING'))
        throw conflict('A submission is already waiting for review', { reason: 'SUBMISSION_PENDING' });
      const current = tierOf(previous.map((s) => s.approvedTier));
      if (TIER_RANK[current] >= TIER_RANK[data.tier])
        throw conflict(`You already hold the ${current} tier`, { reason: 'TIER_HELD', tier: current });

      const documents = await tx.find(KycDocument, { id: { $in: data.documentIds } });
      // Another user's document is reported exactly like one that does not exist.
      const owned = documents.filter((d) => d.userId === userId);
      const unknown = data.documentIds.filter((id) => !owned.some((d) => d.id === id));
      if (unknown.length) throw notFound('Document', unknown[0]);
      const notAccepted = owned.filter((d) => d.status !== 'ACCEPTED');
      if (notAccepted.length)
        throw new DomainError(ErrorCode.DOCUMENT_REJECTED, 'Only accepted documents can be submitted', {
          documentId: notAccepted[0]!.id,
        });
      const kinds = new Set(owned.map((d) => d.kind));
      if (kinds.size !== owned.length) throw badInput('One document of each kind', { field: 'documentIds' });
      const missing = TIER_DOCUMENTS[data.tier].filter((k) => !kinds.has(k));
      if (missing.length)
        throw badInput(`The ${data.tier} tier needs ${missing.join(', ')}`, { field: 'documentIds', missing });

      const nationalIdIndex = this.cipher.nationalIdIndex(data.nationalId);
      await this.refuseNationalIdOfAnother(tx, nationalIdIndex, userId);
      const id = newId('kyc');
      const seal = (field: keyof PersonalData, value: string) => this.cipher.seal(id, field, value);
      const submission = tx.create(KycSubmission, {
        id,
        userId,
        tierRequested: data.tier,
        firstNameEnc: seal('firstName', data.firstName),
        lastNameEnc: seal('lastName', data.lastName),
        nationalIdEnc: seal('nationalId', data.nationalId),
        birthDateEnc: seal('birthDate', data.birthDate),
        phoneEnc: seal('phone', phone.phone),
        nationalIdIndex,
        documentIds: owned.map((d) => d.id),
      });
      recordEvent<SubmissionSubmittedPayload>(tx, KycEvents.submitted, SOURCE, {
        submissionId: submission.id,
        userId,
        tierRequested: data.tier,
      });
      try {
        await tx.flush();
      } catch (err) {
        if (err instanceof UniqueConstraintViolationException)
          throw conflict('A submission is already waiting for review', { reason: 'SUBMISSION_PENDING' });
        throw err;
      }
      this.log.info({ submissionId: submission.id, userId, tier: data.tier }, 'kyc submitted');
      return submission;
    });
  }

  /** One national ID belongs to one person: refused when another user's approval claimed it. */
  private async refuseNationalIdOfAnother(tx: EntityManager, nationalIdIndex: string, userId: string): Promise<void> {
    const [claim] = await tx.execute<{ user_id: string }[]>(
      `select "user_id" from "kyc"."national_id_claim" where "national_id_index" = ?`,
      [nationalIdIndex],
    );
    if (claim && claim.user_id !== userId)
      throw conflict('This national ID is verified for another account', { reason: 'NATIONAL_ID_TAKEN' });
  }

  /**
   * Claims the submission's national ID for its applicant, in the approval's transaction. The primary key
   * settles two approvals racing for one ID: the second waits for the first, then sees its claim.
   */
  private async claimNationalId(tx: EntityManager, submission: KycSubmission): Promise<void> {
    await tx.execute(
      `insert into "kyc"."national_id_claim" ("national_id_index", "user_id", "submission_id") values (?, ?, ?) on conflict ("national_id_index") do nothing`,
      [submission.nationalIdIndex, submission.userId, submission.id],
    );
    await this.refuseNationalIdOfAnother(tx, submission.nationalIdIndex, submission.userId);
  }

  private validate(input: SubmitKyc): SubmitKyc {
    const firstName = normalizePersianName(input.firstName);
    if (!firstName) throw badInput('firstName must be written in Persian letters', { field: 'firstName' });
    const lastName = normalizePersianName(input.lastName);
    if (!lastName) throw badInput('lastName must be written in Persian letters', { field: 'lastName' });
    const nationalId = normalizeNationalId(input.nationalId);
    if (!nationalId)
      throw badInput('nationalId is not a valid national ID (10 digits with a valid check digit)', {
        field: 'nationalId',
      });
    const birth = parseCivilDate(input.birthDate, input.birthDateCalendar);
    if (!birth)
      throw badInput(`birthDate is not a ${input.birthDateCalendar.toLowerCase()} date YYYY-MM-DD`, {
        field: 'birthDate',
      });
    const now = this.now();
    const age = ageOn(birth, { year: now.getUTCFullYear(), month: now.getUTCMonth() + 1, day: now.getUTCDate() });
    if (age < MIN_AGE || age > MAX_AGE)
      throw badInput(`KYC is for adults: the age must be ${MIN_AGE} to ${MAX_AGE}`, { field: 'birthDate' });
    const documentIds = [...new Set(input.documentIds)];
    if (documentIds.length === 0 || documentIds.length > 10)
      throw badInput('documentIds: one to ten documents', { field: 'documentIds' });
    if (documentIds.some((id) => !/^doc_[0-9a-z]{26}$/.test(id)))
      throw badInput('documentIds holds an id that is not a document id', { field: 'documentIds' });
    return { ...input, firstName, lastName, nationalId, birthDate: isoDate(birth), documentIds };
  }

  async approve(
    em: EntityManager,
    viewer: Viewer,
    id: string,
    tier: ApprovableTier,
    note: string | null,
  ): Promise<KycSubmission> {
    const reviewerId = this.requireReviewer(viewer);
    const cleanNote = note?.trim() || null;
    if (cleanNote && cleanNote.length > 1000) throw badInput('note: at most 1000 characters', { field: 'note' });
    return this.decide(em, reviewerId, id, async (tx, submission) => {
      if (TIER_RANK[tier] > TIER_RANK[submission.tierRequested])
        throw badInput(`The applicant asked for ${submission.tierRequested}; approve that tier or a lower one`, {
          field: 'tier',
        });
      await this.claimNationalId(tx, submission);
      submission.status = 'APPROVED';
      submission.approvedTier = tier;
      submission.note = cleanNote;
      tx.create(KycDecision, {
        submissionId: submission.id,
        userId: submission.userId,
        reviewerId,
        decision: 'APPROVED',
        tier,
        note: cleanNote,
        decidedAt: submission.decidedAt!,
      });
      const others = await tx.find(
        KycSubmission,
        { userId: submission.userId, status: 'APPROVED', id: { $ne: submission.id } },
        { fields: ['approvedTier'] },
      );
      const resulting = tierOf([tier, ...others.map((s) => s.approvedTier)]) as ApprovableTier;
      const { firstName, lastName } = this.reveal(submission);
      recordEvent<SubmissionApprovedPayload>(tx, KycEvents.approved, SOURCE, {
        submissionId: submission.id,
        userId: submission.userId,
        tier: resulting,
        approvedTier: tier,
        holderName: { firstName, lastName },
      });
    });
  }

  async reject(em: EntityManager, viewer: Viewer, id: string, reason: string): Promise<KycSubmission> {
    const reviewerId = this.requireReviewer(viewer);
    const cleanReason = reason.trim();
    if (cleanReason.length < 3 || cleanReason.length > 1000)
      throw badInput('reason: 3 to 1000 characters the applicant will read', { field: 'reason' });
    return this.decide(em, reviewerId, id, (tx, submission) => {
      submission.status = 'REJECTED';
      submission.reason = cleanReason;
      tx.create(KycDecision, {
        submissionId: submission.id,
        userId: submission.userId,
        reviewerId,
        decision: 'REJECTED',
        note: cleanReason,
        decidedAt: submission.decidedAt!,
      });
      recordEvent<SubmissionRejectedPayload>(tx, KycEvents.rejected, SOURCE, {
        submissionId: submission.id,
        userId: submission.userId,
      });
      return Promise.resolve();
    });
  }

  /** One decision on a PENDING submission, under its row lock, so two reviewers cannot both decide. */
  private async decide(
    em: EntityManager,
    reviewerId: string,
    id: string,
    apply: (tx: EntityManager, submission: KycSubmission) => Promise<void>,
  ): Promise<KycSubmission> {
    if (!/^kyc_[0-9a-z]{26}$/.test(id)) throw notFound('Submission', id);
    const submission = await em.transactional(async (tx) => {
      const row = await tx.findOne(KycSubmission, { id }, { lockMode: LockMode.PESSIMISTIC_WRITE });
      if (!row) throw notFound('Submission', id);
      if (row.userId === reviewerId) throw forbidden('Nobody reviews their own KYC submission');
      if (row.status !== 'PENDING')
        throw conflict(`The submission is already ${row.status}`, { reason: 'ALREADY_DECIDED', status: row.status });
      row.reviewerId = reviewerId;
      row.decidedAt = this.now();
      await apply(tx, row);
      return row;
    });
    this.log.info(
      { submissionId: submission.id, userId: submission.userId, reviewerId, status: submission.status },
      'kyc decided',
    );
    return submission;
  }

  async byId(em: EntityManager, viewer: Viewer, id: string): Promise<KycSubmission | null> {
    if (!/^kyc_[0-9a-z]{26}$/.test(id)) return null;
    const submission = await em.findOne(KycSubmission, { id });
    if (!submission) return null;
    this.authorizeRead(viewer, submission.userId);
    return submission;
  }

  /** The review queue: oldest first, so the longest waiting is seen first. */
  async list(
    em: EntityManager,
    viewer: Viewer,
    status: SubmissionStatus | null,
    first: number,
    after: string | null,
  ): Promise<SubmissionPage> {
    this.requireReviewer(viewer);
    if (!Number.isInteger(first) || first < 1 || first > 100) throw badInput('first: 1 to 100', { field: 'first' });
    const cursor = after == null ? null : decodeQueueCursor(after, SUBMISSION_ID);
    const where = queuePageFilter(status, cursor);
    const rows = await em.find(KycSubmission, where, { orderBy: { createdAt: 'asc', id: 'asc' }, limit: first + 1 });
    return { nodes: rows.slice(0, first), hasNextPage: rows.length > first };
  }

  /** Each user's KYC state (tier, latest status, what the next tier needs), a few queries for many users. */
  async statesOf(em: EntityManager, userIds: readonly string[]): Promise<KycState[]> {
    const ids = [...userIds];
    const [submissions, phones, documents] = await Promise.all([
      em.find(KycSubmission, { userId: { $in: ids } }, { orderBy: { createdAt: 'asc', id: 'asc' } }),
      em.find(VerifiedPhone, { userId: { $in: ids } }),
      em.find(KycDocument, { userId: { $in: ids }, status: 'ACCEPTED' }, { fields: ['userId', 'kind'] }),
    ]);
    return ids.map((userId) => {
      const own = submissions.filter((s) => s.userId === userId);
      const latest = own.at(-1) ?? null;
      const tier = tierOf(own.map((s) => s.approvedTier));
      const phone = phones.find((p) => p.userId === userId)?.phone ?? null;
      const nextTier = nextTierOf(tier);
      const needs: KycRequirement[] = [];
      if (nextTier) {
        if (latest?.status === 'PENDING') needs.push('REVIEW');
        else {
          if (!phone) needs.push('PHONE_VERIFIED');
          const kinds = new Set(documents.filter((d) => d.userId === userId).map((d) => d.kind));
          for (const kind of TIER_DOCUMENTS[nextTier]) if (!kinds.has(kind)) needs.push(kind);
          needs.push('SUBMISSION', 'REVIEW');
        }
      }
      return { userId, tier, status: latest?.status ?? 'NONE', latest, phone, nextTier, nextTierNeeds: needs };
    });
  }
}
