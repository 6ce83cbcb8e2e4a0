import { CONTENT_SNIFF_BYTES, detectContentType, type DocumentContentType } from './content-type.js';
import type { ObjectStore, StoredObject } from './object-store.port.js';

/**
 * What the service checks after a client says it has uploaded: the object exists, its size is within 1..maxBytes
 * (whatever the server's policy enforcement), and its first bytes are an allowed document type, the one the
 * upload was signed for when given. A refused object is deleted at once, so nothing refused stays stored.
 */
export type UploadRefusal =
  /** Nothing under the key (never uploaded, or already removed). */
  | 'MISSING'
  | 'EMPTY'
  | 'TOO_LARGE'
  /** Not JPEG, PNG or PDF by its magic bytes (an .exe renamed .jpg, a zip…). */
  | 'TYPE_NOT_ALLOWED'
  /** An allowed type, but not the one the upload was signed for. */
  | 'TYPE_MISMATCH';

export type UploadVerdict =
  { ok: true; object: StoredObject; contentType: DocumentContentType } | { ok: false; reason: UploadRefusal };

export async function checkUploadedDocument(
  store: ObjectStore,
  key: string,
  options: { maxBytes: number; expectedType?: DocumentContentType },
): Promise<UploadVerdict> {
  const object = await store.head(key);
  if (!object) return { ok: false, reason: 'MISSING' };
  const refuse = async (reason: UploadRefusal): Promise<UploadVerdict> => {
    await store.delete(key);
    return { ok: false, reason };
  };
  if (object.size < 1) return refuse('EMPTY');
  if (object.size > options.maxBytes) return refuse('TOO_LARGE');
  const detected = detectContentType(await store.readPrefix(key, CONTENT_SNIFF_BYTES));
  if (!detected) return refuse('TYPE_NOT_ALLOWED');
  if (options.expectedType && detected !== options.expectedType) return refuse('TYPE_MISMATCH');
  return { ok: true, object, contentType: detected };
}
