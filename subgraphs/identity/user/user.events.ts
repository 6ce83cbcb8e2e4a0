import type { Language, NotificationCategory } from './user.entity.js';

/** Events the identity subgraph publishes (through its outbox). Payloads carry keys and what changed. */
export const IdentityEvents = {
  userCreated: 'identity.user.created',
  userUpdated: 'identity.user.updated',
  levelChanged: 'identity.user.level-changed',
} as const;

export interface UserCreatedPayload {
  userId: string;
  telegramId: string;
  /** Telegram username (without @), or null; other users address transfers by it. */
  username: string | null;
  /** The user's settings the notifier needs (its recipients projection): message language and muted categories. */
  language: Language;
  mutedNotifications: NotificationCategory[];
}

export interface UserUpdatedPayload {
  userId: string;
  changed: ('settings' | 'level' | 'roles' | 'claims' | 'profile')[];
  /** Present when `profile` changed: the new Telegram username, or null when the user removed it. */
  username?: string | null;
  /** Present when the Telegram account moved to or from this user (account recovery): the chat to notify, or null. */
  telegramId?: string | null;
  /** Present when `settings` changed: the settings the notifier needs. */
  language?: Language;
  mutedNotifications?: NotificationCategory[];
}

export interface LevelChangedPayload {
  userId: string;
  from: number;
  to: number;
}
