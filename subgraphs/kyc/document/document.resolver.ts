import { Arg, Ctx, FieldResolver, ID, Mutation, Resolver, Root } from 'type-graphql';
import type { KycContext } from '../context.js';
import type { DocumentKind } from './document.entity.js';
import { MAX_DOCUMENT_BYTES } from './document.service.js';
import {
  DocumentContentTypeEnum,
  KycDocumentKindEnum,
  KycDocumentType,
  KycDownload,
  KycUploadType,
  MIME_OF,
} from './document.type.js';

@Resolver(() => KycDocumentType)
export class DocumentResolver {
  @Mutation(() => KycUploadType, {
    description:
      'A presigned upload for one document (private bucket, at most 10 MB, of the declared type); then confirmKycUpload.',
  })
  async requestKycUpload(
    @Arg('kind', () => KycDocumentKindEnum) kind: KycDocumentKindEnum,
    @Arg('contentType', () => DocumentContentTypeEnum, {
      nullable: true,
      defaultValue: DocumentContentTypeEnum.JPEG,
      description: 'The type of the file (JPEG when omitted).',
    })
    contentType: DocumentContentTypeEnum | null,
    @Ctx() ctx: KycContext,
  ): Promise<KycUploadType> {
    const { document, upload } = await ctx.kyc.documents.requestUpload(
      ctx.em,
      ctx.viewer,
      kind as DocumentKind,
      MIME_OF[contentType ?? DocumentContentTypeEnum.JPEG],
    );
    return Object.assign(new KycUploadType(), {
      document: KycDocumentType.from(document),
      url: upload.url,
      fields: Object.entries(upload.fields).map(([name, value]) => ({ name, value })),
      maxBytes: MAX_DOCUMENT_BYTES,
      expiresAt: upload.expiresAt,
    });
  }

  @Mutation(() => KycDocumentType, {
    description:
      'Checks the uploaded file (size, type by its content): ACCEPTED, or DOCUMENT_REJECTED and the file is deleted.',
  })
  async confirmKycUpload(@Arg('id', () => ID) id: string, @Ctx() ctx: KycContext): Promise<KycDocumentType> {
    return KycDocumentType.from(await ctx.kyc.documents.confirmUpload(ctx.em, ctx.viewer, id));
  }

  @FieldResolver(() => KycDownload, {
    nullable: true,
    description: 'Reviewers only: a presigned GET valid one minute. Ask again to open it later.',
  })
  async download(@Root() document: KycDocumentType, @Ctx() ctx: KycContext): Promise<KycDownload> {
    return Object.assign(new KycDownload(), await ctx.kyc.documents.downloadUrl(ctx.viewer, document.row));
  }
}
