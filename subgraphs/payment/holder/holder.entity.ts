import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/**
 * The user's KYC name as the kyc subgraph approved it (learnt from `kyc.submission.approved`), sealed with the
 * payment data keys (`holder/sealed-data.ts`): the name bank holders are compared with. One row per user; a
 * later approval replaces it.
 */
@Entity({ tableName: 'kyc_holder' })
export class KycHolder {
  [OptionalProps]?: 'updatedAt';

  @PrimaryKey({ type: 'text' })
  userId!: string;

  /** `v1.<keyId>.<iv>.<ciphertext>.<tag>`: "first last", bound to this user. */
  @Property({ type: 'text' })
  nameEnc!: string;

  @Property({ type: 'text' })
  submissionId!: string;

  /** The approval's time (occurredAt): an older event never replaces a newer name. */
  @Property({ type: 'timestamptz' })
  approvedAt!: Date;

  @Property({ type: 'timestamptz' })
  updatedAt: Date = new Date();
}
