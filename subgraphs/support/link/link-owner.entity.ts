import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import type { LinkKind } from '../ticket/ticket.entity.js';

/**
 * The link directory: who owns which deposit, transaction, withdrawal… learnt from the owning subgraphs' events
 * (link/link-directory.consumer.ts). A transaction between two users has a row for each.
 */
@Entity({ tableName: 'link_owner' })
export class LinkOwner {
  [OptionalProps]?: 'learnedAt';

  @PrimaryKey({ type: 'text' })
  kind!: LinkKind;

  @PrimaryKey({ type: 'text' })
  objectId!: string;

  @PrimaryKey({ type: 'text' })
  userId!: string;

  @Property({ type: 'timestamptz' })
  learnedAt: Date = new Date();
}
