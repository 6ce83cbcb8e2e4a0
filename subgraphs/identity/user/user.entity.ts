import { ArrayType, Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';
import type { Role } from '../../../platform/auth/viewer.js';

export type Language = 'en' | 'fa';
export type DisplayCurrency = 'IRT' | 'USD';
export type KycTier = 'NONE' | 'BASIC' | 'FULL';
/** What a user may mute of the notifier's Telegram messages. */
export const NOTIFICATION_CATEGORIES = ['DEPOSITS', 'TRANSFERS', 'WITHDRAWALS', 'ORDERS', 'SUPPORT', 'KYC'] as const;
export type NotificationCategory = (typeof NOTIFICATION_CATEGORIES)[number];

@Entity({ tableName: 'user' })
@Index({ properties: ['createdAt', 'id'] })
export class User {
  [OptionalProps]?:
    | 'language'
    | 'mutedNotifications'
    | 'displayCurrency'
    | 'roles'
    | 'claims'
    | 'level'
    | 'kycTier'
    | 'tradeVolumeToman'
    | 'createdAt'
    | 'updatedAt'
    | 'version';

  @PrimaryKey({ type: 'text' })
  id: string = newId('usr');

  /** Telegram user id (fits in 52 bits per Telegram); null for staff created by email only. */
  @Property({ type: 'bigint', nullable: true, unique: true })
  telegramId: string | null = null;

  @Property({ type: 'text', nullable: true })
  username: string | null = null;

  @Property({ type: 'text', nullable: true })
  firstName: string | null = null;

  @Property({ type: 'text', nullable: true })
  lastName: string | null = null;

  @Property({ type: 'text', nullable: true })
  languageCode: string | null = null;

  @Property({ type: 'text', nullable: true })
  photoUrl: string | null = null;

  @Property({ type: 'text' })
  language: Language = 'en';

  @Property({ type: 'text' })
  displayCurrency: DisplayCurrency = 'IRT';

  /** Notification categories the user turned off (the notifier skips them; security notices are always sent). */
  @Property({ type: ArrayType, columnType: 'text[]' })
  mutedNotifications: NotificationCategory[] = [];

  @Property({ type: ArrayType, columnType: 'text[]' })
  roles: Role[] = ['USER'];

  @Property({ type: ArrayType, columnType: 'text[]' })
  claims: string[] = [];

  @Property({ type: 'integer' })
  level = 1;

  @Property({ type: 'text' })
  kycTier: KycTier = 'NONE';

  /** Cumulative traded volume in Toman, as an integer string (numeric(78,0)). */
  @Property({ type: 'decimal', columnType: 'numeric(78,0)' })
  tradeVolumeToman = '0';

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', onUpdate: () => new Date() })
  updatedAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  lastSignInAt: Date | null = null;

  @Property({ type: 'integer', version: true })
  version = 1;
}
