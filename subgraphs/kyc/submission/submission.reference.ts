import { batchedReference } from '../../../platform/graphql/build-subgraph.js';
import { DomainError } from '../../../platform/errors.js';
import type { KycContext } from '../context.js';
import { KycSubmission } from './submission.entity.js';
import { KycSubmissionType } from './submission.type.js';

/** `KycSubmission` entities: one query per `_entities` call; the applicant and reviewers only. */
export const submissionReference = batchedReference<KycSubmissionType, KycContext>(
  'KycSubmission',
  'id',
  async (ids, ctx) => {
    const rows = await ctx.em.find(KycSubmission, { id: { $in: [...ids] } });
    return ids.map((id) => {
      const row = rows.find((r) => r.id === id);
      if (!row) return null;
      try {
        ctx.kyc.submissions.authorizeRead(ctx.viewer, row.userId);
      } catch (err) {
        if (err instanceof DomainError) return err as never;
        throw err;
      }
      return KycSubmissionType.from(row, ctx.kyc.submissions.reveal(row));
    });
  },
);
