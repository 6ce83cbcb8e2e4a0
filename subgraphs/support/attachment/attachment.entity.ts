import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

export type AttachmentStatus = 'REQUESTED' | 'ACCEPTED' | 'REJECTED';

/**
 * A file on a ticket, in the private bucket under `support/<ticketId>/<id>`. REQUESTED when the upload is presigned,
 * ACCEPTED once the stored object passed the size, magic-byte and virus checks, REJECTED (and deleted) otherwise.
 * The object key never leaves the service.
 */
@Entity({ tableName: 'ticket_attachment' })
export class TicketAttachment {
  [OptionalProps]?: 'status' | 'size' | 'rejection' | 'createdAt' | 'checkedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('att');

  @Property({ type: 'text' })
  ticketId!: string;

  @Property({ type: 'text' })
  uploaderId!: string;

  @Property({ type: 'text', unique: true })
  objectKey!: string;

  @Property({ type: 'text' })
  fileName!: string;

  @Property({ type: 'text' })
  contentType!: string;

  @Property({ type: 'text' })
  status: AttachmentStatus = 'REQUESTED';

  @Property({ type: 'integer', nullable: true })
  size: number | null = null;

  @Property({ type: 'text', nullable: true })
  rejection: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  checkedAt: Date | null = null;
}
