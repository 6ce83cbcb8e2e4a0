import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { SupportContext } from '../context.js';
import { TicketType } from '../ticket/ticket.type.js';
import type { TicketAttachment } from './attachment.entity.js';
import { MAX_ATTACHMENT_BYTES } from './attachment.service.js';
import {
  ATTACHMENT_MIME,
  AttachmentContentTypeEnum,
  AttachmentDownloadType,
  AttachmentType,
  AttachmentUploadType,
} from './attachment.type.js';

@Resolver(() => AttachmentType)
export class AttachmentResolver {
  @Mutation(() => AttachmentUploadType, {
    description: 'A presigned upload of one file to a ticket (yours, or any for support staff): ≤ 10 MB, JPEG/PNG/PDF.',
  })
  async requestTicketAttachment(
    @Arg('ticketId', () => ID) ticketId: string,
    @Arg('fileName', () => String) fileName: string,
    @Arg('contentType', () => AttachmentContentTypeEnum) contentType: AttachmentContentTypeEnum,
    @Ctx() ctx: SupportContext,
  ): Promise<AttachmentUploadType> {
    const { attachment, upload } = await ctx.support.attachments.request(
      ctx.em,
      ctx.viewer,
      ticketId,
      fileName,
      ATTACHMENT_MIME[contentType],
    );
    return Object.assign(new AttachmentUploadType(), {
      attachment: AttachmentType.from(attachment),
      url: upload.url,
      fields: Object.entries(upload.fields).map(([name, value]) => ({ name, value })),
      maxBytes: MAX_ATTACHMENT_BYTES,
      expiresAt: upload.expiresAt,
    });
  }

  @Mutation(() => AttachmentType, {
    description:
      'Checks the uploaded file (size, type by its content, virus scan): ACCEPTED, or ATTACHMENT_REJECTED and it is deleted.',
  })
  async confirmTicketAttachment(@Arg('id', () => ID) id: string, @Ctx() ctx: SupportContext): Promise<AttachmentType> {
    return AttachmentType.from(await ctx.support.attachments.confirm(ctx.em, ctx.viewer, id));
  }

  @Query(() => AttachmentDownloadType, {
    description:
      'A presigned GET of an accepted attachment, valid one minute: the ticket’s user and support staff only.',
  })
  async ticketAttachmentDownload(
    @Arg('id', () => ID) id: string,
    @Ctx() ctx: SupportContext,
  ): Promise<AttachmentDownloadType> {
    const { url, expiresAt } = await ctx.support.attachments.download(ctx.em, ctx.viewer, id);
    return Object.assign(new AttachmentDownloadType(), { url, expiresAt });
  }
}

@Resolver(() => TicketType)
export class TicketAttachmentsResolver {
  @FieldResolver(() => [AttachmentType], { description: 'Accepted files, oldest first.' })
  async attachments(@Root() ticket: TicketType, @Ctx() ctx: SupportContext): Promise<AttachmentType[]> {
    const rows = await ctx.loaders
      .get<TicketAttachment[]>('support:attachments', (ids) => ctx.support.attachments.ofTickets(ctx.em, ids))
      .load(ticket.id);
    return (rows ?? []).map(AttachmentType.from);
  }
}
