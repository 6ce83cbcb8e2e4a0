import { Entity, Index, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** `telegram`: started from Mini App initData (USER only); `staff`: started with email + password. */
export type SessionKind = 'telegram' | 'staff';

/**
 * One refresh token of a session family. A sign-in starts a family; each refresh rotates to a new row in
 * the same family. Presenting a rotated (used) token again is reuse: the whole family is revoked.
 */
@Entity({ tableName: 'session' })
@Index({ properties: ['familyId'] })
@Index({ properties: ['userId'] })
export class Session {
  [OptionalProps]?: 'createdAt' | 'rotatedAt' | 'revokedAt' | 'revokeReason';

  @PrimaryKey({ type: 'text' })
  id!: string;

  @Property({ type: 'text' })
  familyId!: string;

  @Property({ type: 'text' })
  userId!: string;

  /** How the family was started; every rotation keeps it. Only `staff` sessions carry staff roles and claims. */
  @Property({ type: 'text' })
  kind!: SessionKind;

  /** sha256 of the secret half of the refresh token; the token itself is never stored. */
  @Property({ type: 'text' })
  tokenHash!: string;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz' })
  expiresAt!: Date;

  @Property({ type: 'timestamptz', nullable: true })
  rotatedAt: Date | null = null;

  @Property({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null = null;

  @Property({ type: 'text', nullable: true })
  revokeReason: string | null = null;
}
