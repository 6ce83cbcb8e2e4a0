import { describe, expect, it } from 'vitest';
import { DomainError } from '../../../platform/errors.js';
import { MAX_BODY, plainText } from './plain-text.js';

const refusal = (f: () => unknown) => {
  try {
    f();
  } catch (err) {
    return err instanceof DomainError ? { code: err.code, ...err.details } : err;
  }
  return null;
};

describe('plainText', () => {
  it('keeps HTML, script and Markdown exactly; drops control characters but not tabs and newlines', () => {
    const html = '<script>alert(1)</script>\n\t**bold** &amp;';
    expect(plainText(html, 'body', MAX_BODY)).toBe(html);
    expect(plainText('a\u0000b\u0007c\u001bd\r\n', 'body', MAX_BODY)).toBe('abcd\r\n');
  });

  it('counts characters, not UTF-16 units or bytes', () => {
    expect(plainText('😀'.repeat(10), 'subject', 10)).toHaveLength(20);
    expect(plainText('ب'.repeat(10_000), 'body', MAX_BODY)).toHaveLength(10_000);
    expect(refusal(() => plainText('😀'.repeat(11), 'subject', 10))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'subject',
      max: 10,
      length: 11,
    });
  });

  it('refuses blank text', () => {
    expect(refusal(() => plainText(' \n\t\u0000 ', 'body', MAX_BODY))).toEqual({
      code: 'BAD_USER_INPUT',
      field: 'body',
    });
  });
});
