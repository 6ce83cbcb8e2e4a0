/**
 * The real type of an uploaded document, by its first bytes ("magic numbers"), never by its name or by the
 * Content-Type the client claimed: JPEG (FF D8 FF), PNG (89 50 4E 47 0D 0A 1A 0A) and PDF (%PDF-). Anything
 * else (an executable 'MZ', a ZIP 'PK', HTML, an empty file) is refused.
 */
export type DocumentContentType = 'image/jpeg' | 'image/png' | 'application/pdf';

export const ALLOWED_DOCUMENT_TYPES: readonly DocumentContentType[] = ['image/jpeg', 'image/png', 'application/pdf'];

const SIGNATURES: readonly { type: DocumentContentType; magic: readonly number[] }[] = [
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

/** How many leading bytes detection needs (what to ask readPrefix for). */
export const CONTENT_SNIFF_BYTES = Math.max(...SIGNATURES.map((s) => s.magic.length));

/** The detected type, or null when the bytes are none of the allowed ones. */
export function detectContentType(prefix: Uint8Array): DocumentContentType | null {
  for (const { type, magic } of SIGNATURES) {
    if (prefix.length >= magic.length && magic.every((byte, i) => prefix[i] === byte)) return type;
  }
  return null;
}

/** Whether the bytes are what `claimed` says (a PNG uploaded as image/jpeg is refused too). */
export function contentMatches(prefix: Uint8Array, claimed: string): boolean {
  const detected = detectContentType(prefix);
  return detected !== null && detected === claimed.toLowerCase();
}
