import { asciiDigits } from './digits.js';

/**
 * An Iranian mobile number in E.164 form (`+989121234567`), or null when the text is not one. Accepts the
 * forms people type: `09121234567`, `+989121234567`, `00989121234567`, `989121234567`, `9121234567`, in
 * Persian or Arabic digits, with spaces, dashes, dots or parentheses between groups.
 */
export function normalizeIranianMobile(text: string): string | null {
  if (text.length > 32) return null;
  const compact = asciiDigits(text.trim()).replace(/[\s\-.()\u200c\u200f\u200e]/g, '');
  const national = /^(?:\+98|0098|98|0)?(9\d{9})$/.exec(compact);
  return national ? `+98${national[1]}` : null;
}

/** The number with its middle digits hidden (`+98912***4567`), for messages and staff lists. */
export function maskPhone(e164: string): string {
  return `${e164.slice(0, 6)}***${e164.slice(-4)}`;
}
