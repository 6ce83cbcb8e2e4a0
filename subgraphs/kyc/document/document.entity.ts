import { Entity, OptionalProps, PrimaryKey, Property } from '@mikro-orm/core';
import { newId } from '../../../platform/ids.js';

export const DOCUMENT_KINDS = ['ID_CARD_FRONT', 'ID_CARD_BACK', 'SELFIE'] as const;
export type DocumentKind = (typeof DOCUMENT_KINDS)[number];
export type DocumentStatus = 'REQUESTED' | 'ACCEPTED' | 'REJECTED';

/**
 * An identity document in the private bucket. REQUESTED when the upload is presigned, ACCEPTED once the
 * stored object passed the size and magic-byte checks, REJECTED (and deleted) otherwise. The object key is
 * as secret as the document: never logged, never returned to the client.
 */
@Entity({ tableName: 'kyc_document' })
export class KycDocument {
  [OptionalProps]?: 'status' | 'size' | 'contentType' | 'rejection' | 'createdAt' | 'checkedAt';

  @PrimaryKey({ type: 'text' })
  id: string = newId('doc');

  @Property({ type: 'text' })
  userId!: string;

  @Property({ type: 'text' })
  kind!: DocumentKind;

  @Property({ type: 'text', unique: true })
  objectKey!: string;

  @Property({ type: 'text' })
  status: DocumentStatus = 'REQUESTED';

  @Property({ type: 'integer', nullable: true })
  size: number | null = null;

  @Property({ type: 'text', nullable: true })
  contentType: string | null = null;

  @Property({ type: 'text', nullable: true })
  rejection: string | null = null;

  @Property({ type: 'timestamptz' })
  createdAt: Date = new Date();

  @Property({ type: 'timestamptz', nullable: true })
  checkedAt: Date | null = null;
}
