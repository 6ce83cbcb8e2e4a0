import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** Email + password sign-in for staff. The user row holds the roles and claims. */
@Entity({ tableName: 'admin_credential' })
export class AdminCredential {
  [OptionalProps]?: 'createdAt' | 'failedAttempts' | 'lockedUntil';

  @PrimaryKey({ type: 'text' })
  userId!: string;

  /** Lower-cased. */
  @Property({ type: 'text', unique: true })
  email!: string;

  /** argon2id encoded hash. */
  @Property({ type: 'text' })
  passwordHash!: string;

  @Property({ type: 'integer' })
  failedAttempts = 0;

  @Property({ type: 'timestamptz', nullable: true })
  lockedUntil: Date | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
