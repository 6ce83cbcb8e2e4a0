import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../../../platform/auth/viewer.js';
import { badInput, DomainError, ErrorCode, notFound, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { DocumentContentType } from '../../../platform/storage/content-type.js';
import { checkUploadedDocument } from '../../../platform/storage/document-check.js';
import type { ObjectStore, PresignedUpload } from '../../../platform/storage/object-store.port.js';
import type { VirusScanner } from '../../../platform/storage/virus-scan.port.js';
import { isSupportStaff } from '../ticket/ticket.access.js';
import { Ticket } from '../ticket/ticket.entity.js';
import { plainText } from '../ticket/plain-text.js';
import { TicketAttachment } from './attachment.entity.js';

/** Largest attachment: 10 MB. */
export const MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024;
const UPLOAD_SECONDS = 300;
/** A download link is valid this long: open it now, or ask again. */
export const DOWNLOAD_SECONDS = 60;
/** Unconfirmed uploads one person may have in the last hour. */
const OPEN_UPLOADS_PER_HOUR = 20;
/** Accepted files per ticket. */
const MAX_PER_TICKET = 20;
const ATTACHMENT_ID = /^att_[0-9a-hjkmnp-tv-z]{26}$/;
const TICKET_ID = /^tkt_[0-9a-hjkmnp-tv-z]{26}$/;
export const ATTACHMENT_TYPES: readonly DocumentContentType[] = ['image/jpeg', 'image/png', 'application/pdf'];

export interface RequestedAttachment {
  attachment: TicketAttachment;
  upload: PresignedUpload;
}

/**
 * Files on tickets (screenshots, receipts): presigned POST into the private bucket (the policy fixes the key, the
 * declared type and 1 byte..10 MB), then `confirm` checks the stored object itself (size, type by magic bytes,
 * the virus-scan port) and deletes anything refused. Only the ticket's user and support staff attach or read;
 * reading is a presigned GET valid one minute. Keys and URLs are never logged.
 */
export class AttachmentService {
  constructor(
    private readonly store: ObjectStore,
    private readonly scanner: VirusScanner,
    private readonly log: Logger,
  ) {}

  async request(
    em: EntityManager,
    viewer: Viewer,
    ticketId: string,
    fileName: string,
    contentType: DocumentContentType,
  ): Promise<RequestedAttachment> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const name = plainText(fileName, 'fileName', 200).replace(/[/\\]/g, '_');
    if (!ATTACHMENT_TYPES.includes(contentType)) throw badInput('JPEG, PNG or PDF only', { field: 'contentType' });
    const ticket = await this.visibleTicket(em, viewer, ticketId);
    if (ticket.status === 'CLOSED')
      throw new DomainError(ErrorCode.CONFLICT, 'This ticket is closed', { reason: 'TICKET_CLOSED' });
    const open = await em.count(TicketAttachment, {
      uploaderId: userId,
      status: 'REQUESTED',
      createdAt: { $gt: new Date(Date.now() - 3_600_000) },
    });
    if (open >= OPEN_UPLOADS_PER_HOUR)
      throw new DomainError(ErrorCode.RATE_LIMITED, 'Too many unfinished uploads: confirm or wait', {
        retryAfterSeconds: 3600,
      });
    const accepted = await em.count(TicketAttachment, { ticketId: ticket.id, status: 'ACCEPTED' });
    if (accepted >= MAX_PER_TICKET)
      throw new DomainError(ErrorCode.CONFLICT, `At most ${MAX_PER_TICKET} files per ticket`, {
        reason: 'TOO_MANY_ATTACHMENTS',
      });
    const attachment = em.create(TicketAttachment, {
      ticketId: ticket.id,
      uploaderId: userId,
      objectKey: '',
      fileName: name,
      contentType,
    });
    attachment.objectKey = `support/${ticket.id}/${attachment.id}`;
    const upload = await this.store.presignUpload(attachment.objectKey, {
      contentType,
      maxBytes: MAX_ATTACHMENT_BYTES,
      expiresInSeconds: UPLOAD_SECONDS,
    });
    await em.flush();
    this.log.info({ attachmentId: attachment.id, ticketId: ticket.id, userId }, 'ticket attachment presigned');
    return { attachment, upload };
  }

  /** Checks the uploaded object: ACCEPTED once, or ATTACHMENT_REJECTED (`reason`) and the object is deleted. */
  async confirm(em: EntityManager, viewer: Viewer, id: string): Promise<TicketAttachment> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const attachment = ATTACHMENT_ID.test(id) ? await em.findOne(TicketAttachment, { id }) : null;
    if (!attachment || attachment.uploaderId !== userId) throw notFound('Attachment', id);
    if (attachment.status === 'ACCEPTED') return attachment;
    if (attachment.status === 'REJECTED')
      throw new DomainError(ErrorCode.ATTACHMENT_REJECTED, 'This upload was refused: request a new one', {
        reason: attachment.rejection,
      });
    const verdict = await checkUploadedDocument(this.store, attachment.objectKey, {
      maxBytes: MAX_ATTACHMENT_BYTES,
      expectedType: attachment.contentType as DocumentContentType,
    });
    attachment.checkedAt = new Date();
    if (!verdict.ok) {
      if (verdict.reason === 'MISSING')
        throw new DomainError(ErrorCode.ATTACHMENT_REJECTED, 'Nothing was uploaded for this attachment yet', {
          reason: 'MISSING',
          maxBytes: MAX_ATTACHMENT_BYTES,
        });
      return this.refuse(em, attachment, verdict.reason);
    }
    const scan = await this.scanner.scan(this.store, attachment.objectKey);
    if (!scan.clean) {
      await this.store.delete(attachment.objectKey);
      this.log.warn(
        { attachmentId: attachment.id, scanner: scan.scanner, threat: scan.threat },
        'infected upload deleted',
      );
      return this.refuse(em, attachment, 'INFECTED');
    }
    attachment.status = 'ACCEPTED';
    attachment.size = verdict.object.size;
    attachment.contentType = verdict.contentType;
    await em.flush();
    this.log.info(
      { attachmentId: attachment.id, ticketId: attachment.ticketId, scanner: scan.scanner },
      'ticket attachment accepted',
    );
    return attachment;
  }

  /** The accepted files of tickets (the viewer already reached the ticket). */
  async ofTickets(em: EntityManager, ticketIds: readonly string[]): Promise<TicketAttachment[][]> {
    const rows = await em.find(
      TicketAttachment,
      { ticketId: { $in: [...ticketIds] }, status: 'ACCEPTED' },
      { orderBy: { createdAt: 'asc', id: 'asc' } },
    );
    return ticketIds.map((id) => rows.filter((a) => a.ticketId === id));
  }

  /** A presigned GET valid one minute, for the ticket's user and support staff only (anyone else: NOT_FOUND). */
  async download(
    em: EntityManager,
    viewer: Viewer,
    id: string,
  ): Promise<{ attachment: TicketAttachment; url: string; expiresAt: Date }> {
    if (!viewer.userId) throw unauthenticated();
    const attachment = ATTACHMENT_ID.test(id) ? await em.findOne(TicketAttachment, { id }) : null;
    if (!attachment || attachment.status !== 'ACCEPTED') throw notFound('Attachment', id);
    await this.visibleTicket(em, viewer, attachment.ticketId, id);
    const link = await this.store.presignDownload(attachment.objectKey, { expiresInSeconds: DOWNLOAD_SECONDS });
    this.log.info({ attachmentId: attachment.id, userId: viewer.userId }, 'ticket attachment opened');
    return { attachment, ...link };
  }

  private async refuse(em: EntityManager, attachment: TicketAttachment, reason: string): Promise<never> {
    attachment.status = 'REJECTED';
    attachment.rejection = reason;
    await em.flush();
    this.log.info({ attachmentId: attachment.id, reason }, 'ticket attachment refused and deleted');
    throw new DomainError(ErrorCode.ATTACHMENT_REJECTED, refusalMessage(reason), {
      reason,
      maxBytes: MAX_ATTACHMENT_BYTES,
    });
  }

  private async visibleTicket(
    em: EntityManager,
    viewer: Viewer,
    ticketId: string,
    askedFor = ticketId,
  ): Promise<Ticket> {
    const ticket = TICKET_ID.test(ticketId) ? await em.findOne(Ticket, { id: ticketId }) : null;
    if (!ticket || (ticket.userId !== viewer.userId && !isSupportStaff(viewer)))
      throw notFound(askedFor === ticketId ? 'Ticket' : 'Attachment', askedFor);
    return ticket;
  }
}

function refusalMessage(reason: string): string {
  switch (reason) {
    case 'TOO_LARGE':
      return 'The file is larger than 10 MB; it was deleted';
    case 'EMPTY':
      return 'The file is empty; it was deleted';
    case 'TYPE_MISMATCH':
      return 'The file is not of the type the upload was requested for; it was deleted';
    case 'INFECTED':
      return 'The file did not pass the virus scan; it was deleted';
    default:
      return 'Only JPEG, PNG or PDF files are accepted (checked by their content); it was deleted';
  }
}
