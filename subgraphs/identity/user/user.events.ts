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
}

export interface UserUpdatedPayload {
  userId: string;
  changed: ('settings' | 'level' | 'roles' | 'claims' | 'profile')[];
  /** Present when `profile` changed: the new Telegram username, or null when the user removed it. */
  username?: string | null;
}

export interface LevelChangedPayload {
  userId: string;
  from: number;
  to: number;
}
