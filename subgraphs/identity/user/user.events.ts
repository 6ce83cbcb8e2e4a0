/** Events the identity subgraph publishes (through its outbox). Payloads carry keys and what changed. */
export const IdentityEvents = {
  userCreated: 'identity.user.created',
  userUpdated: 'identity.user.updated',
  levelChanged: 'identity.user.level-changed',
} as const;

export interface UserUpdatedPayload {
  userId: string;
  changed: ('settings' | 'level' | 'roles' | 'claims' | 'profile')[];
}

export interface LevelChangedPayload {
  userId: string;
  from: number;
  to: number;
}
