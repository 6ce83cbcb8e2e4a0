import { Directive, Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type { PersonalData } from './personal-data.js';
import type { KycSubmission } from './submission.entity.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';

export enum KycTierEnum {
  NONE = 'NONE',
  BASIC = 'BASIC',
  FULL = 'FULL',
}
export enum KycSubmissionStatusEnum {
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
export enum KycStatusEnum {
  NONE = 'NONE',
  PENDING = 'PENDING',
  APPROVED = 'APPROVED',
  REJECTED = 'REJECTED',
}
export enum BirthCalendarEnum {
  JALALI = 'JALALI',
  GREGORIAN = 'GREGORIAN',
}
export enum KycRequirementEnum {
  PHONE_VERIFIED = 'PHONE_VERIFIED',
  ID_CARD_FRONT = 'ID_CARD_FRONT',
  ID_CARD_BACK = 'ID_CARD_BACK',
  SELFIE = 'SELFIE',
  SUBMISSION = 'SUBMISSION',
  REVIEW = 'REVIEW',
}
// identity declares KycTier with the same values; federation merges the two.
registerEnumType(KycTierEnum, { name: 'KycTier' });
registerEnumType(KycSubmissionStatusEnum, {
  name: 'KycSubmissionStatus',
  description: 'PENDING until a reviewer decides; a decision is final.',
});
registerEnumType(KycStatusEnum, {
  name: 'KycStatus',
  description: "The latest submission's status (NONE before any).",
});
registerEnumType(BirthCalendarEnum, { name: 'BirthCalendar' });
registerEnumType(KycRequirementEnum, {
  name: 'KycRequirement',
  description:
    'A step still missing before the next tier: a verified phone, an accepted document of a kind, a submission, a review.',
});

@ObjectType('KycSubmission')
@Directive('@key(fields: "id")')
export class KycSubmissionType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  userId!: string;

  @Field(() => KycTierEnum)
  tierRequested!: KycTierEnum;

  @Field(() => KycSubmissionStatusEnum)
  status!: KycSubmissionStatusEnum;

  @Field(() => String, { description: 'Given name, in Persian.' })
  firstName!: string;

  @Field(() => String, { description: 'Family name, in Persian.' })
  lastName!: string;

  @Field(() => String, { description: 'National ID (کد ملی). The applicant and reviewers only.' })
  nationalId!: string;

  @Field(() => String, { description: 'Gregorian YYYY-MM-DD.' })
  birthDate!: string;

  @Field(() => [ID])
  documentIds!: string[];

  @Field(() => KycTierEnum, { nullable: true })
  approvedTier!: KycTierEnum | null;

  @Field(() => String, { nullable: true, description: 'Why it was rejected (the applicant reads this).' })
  rejectionReason!: string | null;

  @Field(() => String, { nullable: true, description: "The reviewer's note on an approval." })
  note!: string | null;

  @Field(() => ID, { nullable: true })
  reviewerId!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  @Field(() => Date, { nullable: true })
  decidedAt!: Date | null;

  /** `personal` is the submission's decrypted personal data (`SubmissionService.reveal`). */
  static from(s: KycSubmission, personal: PersonalData): KycSubmissionType {
    return Object.assign(new KycSubmissionType(), {
      id: s.id,
      userId: s.userId,
      tierRequested: s.tierRequested as KycTierEnum,
      status: s.status as KycSubmissionStatusEnum,
      firstName: personal.firstName,
      lastName: personal.lastName,
      nationalId: personal.nationalId,
      birthDate: personal.birthDate,
      documentIds: s.documentIds,
      approvedTier: s.approvedTier as KycTierEnum | null,
      rejectionReason: s.reason,
      note: s.note,
      reviewerId: s.reviewerId,
      createdAt: s.createdAt,
      decidedAt: s.decidedAt,
    });
  }
}

@ObjectType()
export class KycSubmissionEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => KycSubmissionType)
  node!: KycSubmissionType;
}

@ObjectType()
export class KycSubmissionConnection {
  @Field(() => [KycSubmissionEdge])
  edges!: KycSubmissionEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@ObjectType('UserKyc')
export class UserKycType {
  @Field(() => KycTierEnum, { description: 'The highest tier the user was approved for.' })
  tier!: KycTierEnum;

  @Field(() => KycStatusEnum)
  status!: KycStatusEnum;

  @Field(() => String, { nullable: true, description: 'The verified phone, masked (+98912***4567).' })
  phone!: string | null;

  @Field(() => KycTierEnum, { nullable: true, description: 'The tier to ask for next; null at the top.' })
  nextTier!: KycTierEnum | null;

  @Field(() => [KycRequirementEnum], { description: 'What the next tier still needs, in order.' })
  nextTierNeeds!: KycRequirementEnum[];

  @Field(() => KycSubmissionType, { nullable: true })
  latestSubmission!: KycSubmissionType | null;
}

@InputType()
export class SubmitKycInput {
  @Field(() => KycTierEnum, { description: 'BASIC or FULL.' })
  tier!: KycTierEnum;

  @Field(() => String, { description: 'Given name, in Persian letters.' })
  firstName!: string;

  @Field(() => String, { description: 'Family name, in Persian letters.' })
  lastName!: string;

  @Field(() => String, { description: 'National ID (کد ملی), 10 digits; Persian digits accepted.' })
  nationalId!: string;

  @Field(() => String, { description: 'YYYY-MM-DD or YYYY/MM/DD in birthDateCalendar.' })
  birthDate!: string;

  @Field(() => BirthCalendarEnum, { defaultValue: BirthCalendarEnum.JALALI })
  birthDateCalendar!: BirthCalendarEnum;

  @Field(() => [ID], { description: 'Accepted documents (requestKycUpload, then confirmKycUpload).' })
  documentIds!: string[];
}
