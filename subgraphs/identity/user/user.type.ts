import { Directive, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { AmountScalar } from '../../../platform/graphql/scalars.js';
import type { User } from './user.entity.js';
import { PageInfo } from '../../../platform/graphql/page-info.js';

export enum RoleEnum {
  USER = 'USER',
  SUPPORT = 'SUPPORT',
  FINANCE = 'FINANCE',
  COMPLIANCE = 'COMPLIANCE',
  ADMIN = 'ADMIN',
  SUPERADMIN = 'SUPERADMIN',
}
export enum LanguageEnum {
  EN = 'en',
  FA = 'fa',
}
export enum DisplayCurrencyEnum {
  IRT = 'IRT',
  USD = 'USD',
}
export enum KycTierEnum {
  NONE = 'NONE',
  BASIC = 'BASIC',
  FULL = 'FULL',
}
registerEnumType(RoleEnum, { name: 'Role', description: 'Staff roles; every account holds USER.' });
registerEnumType(LanguageEnum, { name: 'Language' });
registerEnumType(DisplayCurrencyEnum, {
  name: 'DisplayCurrency',
  description: 'Currency the app shows values in: Toman (IRT) or US dollars.',
});
registerEnumType(KycTierEnum, { name: 'KycTier' });
export enum NotificationCategoryEnum {
  DEPOSITS = 'DEPOSITS',
  TRANSFERS = 'TRANSFERS',
  WITHDRAWALS = 'WITHDRAWALS',
  ORDERS = 'ORDERS',
  SUPPORT = 'SUPPORT',
  KYC = 'KYC',
}
registerEnumType(NotificationCategoryEnum, {
  name: 'NotificationCategory',
  description: 'Telegram notifications a user may mute. Security notices (a reversed deposit) cannot be muted.',
});

@ObjectType()
export class UserSettings {
  @Field(() => LanguageEnum)
  language!: LanguageEnum;

  @Field(() => DisplayCurrencyEnum)
  displayCurrency!: DisplayCurrencyEnum;

  @Field(() => [NotificationCategoryEnum], { description: 'Categories of Telegram notifications turned off.' })
  mutedNotifications!: NotificationCategoryEnum[];
}

@ObjectType('User')
@Directive('@key(fields: "id")')
export class UserType {
  @Field(() => ID)
  id!: string;

  @Field(() => String, { nullable: true, description: 'Telegram user id, as a string (it exceeds 32 bits).' })
  telegramId!: string | null;

  @Field(() => String, { nullable: true })
  username!: string | null;

  @Field(() => String, { nullable: true })
  firstName!: string | null;

  @Field(() => String, { nullable: true })
  lastName!: string | null;

  @Field(() => String, { nullable: true })
  photoUrl!: string | null;

  @Field(() => UserSettings)
  settings!: UserSettings;

  @Field(() => Int, { description: 'Account level from the level-up rule table; limits depend on it.' })
  level!: number;

  @Field(() => KycTierEnum)
  kycTier!: KycTierEnum;

  @Field(() => [RoleEnum])
  roles!: RoleEnum[];

  @Field(() => [String])
  claims!: string[];

  @Field(() => Date)
  createdAt!: Date;

  static from(user: User): UserType {
    const t = new UserType();
    t.id = user.id;
    t.telegramId = user.telegramId === null ? null : String(user.telegramId);
    t.username = user.username;
    t.firstName = user.firstName;
    t.lastName = user.lastName;
    t.photoUrl = user.photoUrl;
    t.settings = {
      language: user.language as LanguageEnum,
      displayCurrency: user.displayCurrency as DisplayCurrencyEnum,
      mutedNotifications: user.mutedNotifications as NotificationCategoryEnum[],
    };
    t.level = user.level;
    t.kycTier = user.kycTier as KycTierEnum;
    t.roles = user.roles as RoleEnum[];
    t.claims = user.claims;
    t.createdAt = user.createdAt;
    return t;
  }
}

@ObjectType()
export class UserEdge {
  @Field(() => String)
  cursor!: string;

  @Field(() => UserType)
  node!: UserType;
}

@ObjectType()
export class UserConnection {
  @Field(() => [UserEdge])
  edges!: UserEdge[];

  @Field(() => PageInfo)
  pageInfo!: PageInfo;
}

@InputType()
export class UpdateSettingsInput {
  @Field(() => LanguageEnum, { nullable: true })
  language?: LanguageEnum | null;

  @Field(() => DisplayCurrencyEnum, { nullable: true })
  displayCurrency?: DisplayCurrencyEnum | null;

  @Field(() => [NotificationCategoryEnum], {
    nullable: true,
    description: 'The full list of muted categories (replaces the current one; [] turns every notification on).',
  })
  mutedNotifications?: NotificationCategoryEnum[] | null;
}

@InputType()
export class UserFilter {
  @Field(() => String, { nullable: true, description: 'Matches username, names, Telegram id or user id.' })
  search?: string | null;

  @Field(() => RoleEnum, { nullable: true })
  role?: RoleEnum | null;

  @Field(() => Int, { nullable: true })
  level?: number | null;
}

@ObjectType('LevelRule')
export class LevelRuleType {
  @Field(() => Int)
  level!: number;

  @Field(() => KycTierEnum)
  kycTier!: KycTierEnum;

  @Field(() => AmountScalar, { description: 'Traded volume in Toman needed for this level.' })
  minTradeVolumeToman!: string;
}
