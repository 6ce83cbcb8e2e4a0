import type { EntityManager } from '@mikro-orm/postgresql';
import { hasClaim, type Viewer } from '../../../platform/auth/viewer.js';
import { DomainError, ErrorCode, forbidden, notFound, unauthenticated } from '../../../platform/errors.js';
import type { Logger } from '../../../platform/logger.js';
import type { DocumentContentType } from '../../../platform/storage/content-type.js';
import { checkUploadedDocument } from '../../../platform/storage/document-check.js';
import type { ObjectStore, PresignedUpload } from '../../../platform/storage/object-store.port.js';
import { KycDocument, type DocumentKind } from './document.entity.js';

/** Largest document accepted: 10 MB. */
export const MAX_DOCUMENT_BYTES = 10 * 1024 * 1024;
/** How long a presigned upload is valid. */
const UPLOAD_SECONDS = 300;
/** How long a reviewer's presigned read is valid: open it now, or ask again. */
export const DOWNLOAD_SECONDS = 60;
/** Uploads one user may have waiting for confirmation in the last hour. */
const OPEN_UPLOADS_PER_HOUR = 20;
const REVIEW_CLAIM = 'kyc:review';

const ALLOWED: Record<DocumentKind, readonly DocumentContentType[]> = {
  ID_CARD_FRONT: ['image/jpeg', 'image/png', 'application/pdf'],
  ID_CARD_BACK: ['image/jpeg', 'image/png', 'application/pdf'],
  SELFIE: ['image/jpeg', 'image/png'],
};

export interface RequestedUpload {
  document: KycDocument;
  upload: PresignedUpload;
}

/**
 * Identity documents in the private bucket. The client asks for a presigned POST (the policy fixes the key, the
 * type it declared and 1 byte..10 MB), uploads, then confirms: the service checks the stored object itself (size,
 * type by its magic bytes) and deletes anything it refuses. Keys and URLs never reach a log or the applicant;
 * reviewers read a document only through a presigned GET valid one minute.
 */
export class DocumentService {
  constructor(
    private readonly store: ObjectStore,
    private readonly log: Logger,
  ) {}

  async requestUpload(
    em: EntityManager,
    viewer: Viewer,
    kind: DocumentKind,
    contentType: DocumentContentType,
  ): Promise<RequestedUpload> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    if (!ALLOWED[kind].includes(contentType))
      throw new DomainError(ErrorCode.BAD_USER_INPUT, `${kind} accepts ${ALLOWED[kind].join(', ')}`, {
        field: 'contentType',
      });
    const open = await em.count(KycDocument, {
      userId,
      status: 'REQUESTED',
      createdAt: { $gt: new Date(Date.now() - 3_600_000) },
    });
    if (open >= OPEN_UPLOADS_PER_HOUR)
      throw new DomainError(ErrorCode.RATE_LIMITED, 'Too many unfinished uploads: confirm or wait', {
        retryAfterSeconds: 3600,
      });
    const document = em.create(KycDocument, { userId, kind, objectKey: '' });
    document.objectKey = `kyc/${userId}/${document.id}`;
    document.contentType = contentType;
    const upload = await this.store.presignUpload(document.objectKey, {
      contentType,
      maxBytes: MAX_DOCUMENT_BYTES,
      expiresInSeconds: UPLOAD_SECONDS,
    });
    await em.flush();
    this.log.info({ documentId: document.id, userId, kind }, 'kyc upload presigned');
    return { document, upload };
  }

  /**
   * Checks what was uploaded for the document. Accepted once; a refused object is deleted, the document marked
   * REJECTED (with why) and DOCUMENT_REJECTED returned. Someone else's document is NOT_FOUND, like a missing one.
   */
  async confirmUpload(em: EntityManager, viewer: Viewer, id: string): Promise<KycDocument> {
    const userId = viewer.userId;
    if (!userId) throw unauthenticated();
    const document = /^doc_[0-9a-z]{26}$/.test(id) ? await em.findOne(KycDocument, { id }) : null;
    if (!document || document.userId !== userId) throw notFound('Document', id);
    if (document.status === 'ACCEPTED') return document;
    if (document.status === 'REJECTED')
      throw new DomainError(ErrorCode.DOCUMENT_REJECTED, 'This upload was refused: request a new one', {
        reason: document.rejection,
      });
    const verdict = await checkUploadedDocument(this.store, document.objectKey, {
      maxBytes: MAX_DOCUMENT_BYTES,
      expectedType: (document.contentType as DocumentContentType | null) ?? undefined,
    });
    document.checkedAt = new Date();
    if (!verdict.ok) {
      if (verdict.reason === 'MISSING')
        throw new DomainError(ErrorCode.DOCUMENT_REJECTED, 'Nothing was uploaded for this document yet', {
          reason: 'MISSING',
        });
      document.status = 'REJECTED';
      document.rejection = verdict.reason;
      await em.flush();
      this.log.info({ documentId: document.id, userId, reason: verdict.reason }, 'kyc upload refused and deleted');
      throw new DomainError(ErrorCode.DOCUMENT_REJECTED, refusalMessage(verdict.reason), {
        reason: verdict.reason,
        maxBytes: MAX_DOCUMENT_BYTES,
      });
    }
    document.status = 'ACCEPTED';
    document.size = verdict.object.size;
    document.contentType = verdict.contentType;
    await em.flush();
    this.log.info({ documentId: document.id, userId, kind: document.kind }, 'kyc upload accepted');
    return document;
  }

  /** Documents by id, for the submissions that list them. */
  async byIds(em: EntityManager, ids: readonly string[]): Promise<KycDocument[]> {
    return ids.length ? em.find(KycDocument, { id: { $in: [...ids] } }) : [];
  }

  /** A presigned GET valid DOWNLOAD_SECONDS, for reviewers only; never logged. */
  async downloadUrl(viewer: Viewer, document: KycDocument): Promise<{ url: string; expiresAt: Date }> {
    if (!viewer.userId) throw unauthenticated();
    if (!hasClaim(viewer, REVIEW_CLAIM)) throw forbidden('Only reviewers open documents');
    if (document.status !== 'ACCEPTED') throw notFound('Document', document.id);
    this.log.info({ documentId: document.id, reviewerId: viewer.userId }, 'kyc document opened');
    return this.store.presignDownload(document.objectKey, { expiresInSeconds: DOWNLOAD_SECONDS });
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
    default:
      return 'Only JPEG, PNG or PDF files are accepted (checked by their content); it was deleted';
  }
}
