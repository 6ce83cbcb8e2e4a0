import { Field, ID, Int, ObjectType, registerEnumType } from 'type-graphql';
import type { KycDocument } from './document.entity.js';

export enum KycDocumentKindEnum {
  ID_CARD_FRONT = 'ID_CARD_FRONT',
  ID_CARD_BACK = 'ID_CARD_BACK',
  SELFIE = 'SELFIE',
}
export enum KycDocumentStatusEnum {
  REQUESTED = 'REQUESTED',
  ACCEPTED = 'ACCEPTED',
  REJECTED = 'REJECTED',
}
export enum DocumentContentTypeEnum {
  JPEG = 'JPEG',
  PNG = 'PNG',
  PDF = 'PDF',
}

/** The MIME type each GraphQL value stands for. */
export const MIME_OF: Record<DocumentContentTypeEnum, 'image/jpeg' | 'image/png' | 'application/pdf'> = {
  JPEG: 'image/jpeg',
  PNG: 'image/png',
  PDF: 'application/pdf',
};
registerEnumType(KycDocumentKindEnum, { name: 'KycDocumentKind' });
registerEnumType(KycDocumentStatusEnum, {
  name: 'KycDocumentStatus',
  description: 'REQUESTED until confirmKycUpload checks the file: ACCEPTED, or REJECTED (and deleted).',
});
registerEnumType(DocumentContentTypeEnum, {
  name: 'DocumentContentType',
  description: 'The type the upload is signed for; the stored bytes must be that type too.',
});

@ObjectType('KycDocument')
export class KycDocumentType {
  @Field(() => ID)
  id!: string;

  @Field(() => KycDocumentKindEnum)
  kind!: KycDocumentKindEnum;

  @Field(() => KycDocumentStatusEnum)
  status!: KycDocumentStatusEnum;

  @Field(() => Int, { nullable: true, description: 'Bytes, once accepted.' })
  size!: number | null;

  @Field(() => String, { nullable: true, description: 'Detected from the bytes, once accepted.' })
  contentType!: string | null;

  @Field(() => Date)
  createdAt!: Date;

  /** The row, for the staff-only download URL. */
  row!: KycDocument;

  static from(d: KycDocument): KycDocumentType {
    return Object.assign(new KycDocumentType(), {
      id: d.id,
      kind: d.kind as KycDocumentKindEnum,
      status: d.status as KycDocumentStatusEnum,
      size: d.size,
      contentType: d.status === 'ACCEPTED' ? d.contentType : null,
      createdAt: d.createdAt,
      row: d,
    });
  }
}

@ObjectType()
export class KycDownload {
  @Field(() => String, { description: 'A presigned GET; do not store or forward it.' })
  url!: string;

  @Field(() => Date)
  expiresAt!: Date;
}

@ObjectType()
export class KycUploadField {
  @Field(() => String)
  name!: string;

  @Field(() => String)
  value!: string;
}

@ObjectType('KycUpload')
export class KycUploadType {
  @Field(() => KycDocumentType)
  document!: KycDocumentType;

  @Field(() => String, { description: 'POST a multipart/form-data form here.' })
  url!: string;

  @Field(() => [KycUploadField], { description: 'Form fields to send, in this order, before the `file` field.' })
  fields!: KycUploadField[];

  @Field(() => Int, { description: 'The largest file the policy accepts, in bytes.' })
  maxBytes!: number;

  @Field(() => Date)
  expiresAt!: Date;
}
