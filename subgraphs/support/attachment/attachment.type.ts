import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { TicketAttachment } from './attachment.entity.js';

export enum AttachmentContentTypeEnum {
  JPEG = 'JPEG',
  PNG = 'PNG',
  PDF = 'PDF',
}
registerEnumType(AttachmentContentTypeEnum, { name: 'AttachmentContentType' });

export const ATTACHMENT_MIME = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  PDF: 'application/pdf',
} as const;

@ObjectType('Attachment', { description: 'A file on a ticket (JPEG, PNG or PDF, checked by its content).' })
export class AttachmentType {
  @Field(() => ID)
  id!: string;

  @Field(() => ID)
  ticketId!: string;

  @Field(() => String, { description: 'The name it was uploaded with (plain text).' })
  fileName!: string;

  @Field(() => String)
  contentType!: string;

  @Field(() => Int, { nullable: true })
  size!: number | null;

  @Field(() => String, { description: 'REQUESTED (not confirmed yet), ACCEPTED or REJECTED.' })
  status!: string;

  @Field(() => Date)
  createdAt!: Date;

  static from(row: TicketAttachment): AttachmentType {
    return Object.assign(new AttachmentType(), {
      id: row.id,
      ticketId: row.ticketId,
      fileName: row.fileName,
      contentType: row.contentType,
      size: row.size,
      status: row.status,
      createdAt: row.createdAt,
    });
  }
}

@ObjectType('AttachmentUploadField')
export class AttachmentUploadField {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType('AttachmentUpload', {
  description:
    'POST a multipart form to `url`: these fields in order, then the file as `file`; then confirmTicketAttachment.',
})
export class AttachmentUploadType {
  @Field(() => AttachmentType)
  attachment!: AttachmentType;

  @Field(() => String)
  url!: string;

  @Field(() => [AttachmentUploadField])
  fields!: AttachmentUploadField[];

  @Field(() => Int)
  maxBytes!: number;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType('AttachmentDownload', { description: 'A presigned GET, valid one minute.' })
export class AttachmentDownloadType {
  @Field(() => String)
  url!: string;

  @Field(() => Date)
  expiresAt!: Date;
}
