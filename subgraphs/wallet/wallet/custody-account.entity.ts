import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';

/** A user's custody index, allocated once from `custody_index_seq` (never 0: kept for the platform). */
@Entity({ tableName: 'custody_account' })
export class CustodyAccount {
  [OptionalProps]?: 'createdAt';

  @PrimaryKey({ type: 'text' })
  userId!: string;

  @Property({ type: 'integer', unique: true })
  custodyIndex!: number;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();
}
