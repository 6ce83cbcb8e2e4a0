import { describe, expect, it } from 'vitest';
import { CONTENT_SNIFF_BYTES, contentMatches, detectContentType } from './content-type.js';

const bytes = (...b: number[]) => Uint8Array.from(b);
const ascii = (text: string) => new TextEncoder().encode(text);
const JPEG = bytes(0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46);
const PNG = bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00);
const PDF = ascii('%PDF-1.7\n');

describe('detectContentType (magic bytes)', () => {
  it('recognises JPEG, PNG and PDF by their first bytes', () => {
    expect(detectContentType(JPEG)).toBe('image/jpeg');
    expect(detectContentType(bytes(0xff, 0xd8, 0xff))).toBe('image/jpeg');
    expect(detectContentType(PNG)).toBe('image/png');
    expect(detectContentType(PDF)).toBe('application/pdf');
    expect(CONTENT_SNIFF_BYTES).toBe(8);
  });

  it('refuses everything else: an executable, a zip, HTML, text, GIF, an empty or cut-short file', () => {
    expect(detectContentType(ascii('MZ\x90\x00\x03\x00\x00\x00'))).toBeNull(); // Windows .exe renamed .jpg
    expect(detectContentType(bytes(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0))).toBeNull(); // ELF
    expect(detectContentType(bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0, 0))).toBeNull(); // zip (also docx)
    expect(detectContentType(ascii('<html><script>'))).toBeNull();
    expect(detectContentType(ascii('GIF89a....'))).toBeNull();
    expect(detectContentType(ascii('%PDF'))).toBeNull(); // no dash: not the PDF header
    expect(detectContentType(bytes(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a))).toBeNull(); // PNG cut short
    expect(detectContentType(bytes(0xff, 0xd8))).toBeNull();
    expect(detectContentType(new Uint8Array(0))).toBeNull();
  });

  it('looks at the start only: the magic bytes later in the file do not count', () => {
    expect(detectContentType(Uint8Array.from([0x00, ...JPEG]))).toBeNull();
    expect(detectContentType(ascii(' %PDF-1.4'))).toBeNull();
  });
});

describe('contentMatches', () => {
  it('is true only when the bytes are the claimed type', () => {
    expect(contentMatches(JPEG, 'image/jpeg')).toBe(true);
    expect(contentMatches(JPEG, 'IMAGE/JPEG')).toBe(true);
    expect(contentMatches(PNG, 'image/jpeg')).toBe(false);
    expect(contentMatches(ascii('MZ\x90\x00'), 'image/jpeg')).toBe(false);
    expect(contentMatches(PDF, 'application/octet-stream')).toBe(false);
  });
});
