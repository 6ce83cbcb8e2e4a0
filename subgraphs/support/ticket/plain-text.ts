import { badInput } from '../../../platform/errors.js';

/** Longest subject, in characters (code points). */
export const MAX_SUBJECT = 200;
/** Longest message body, in characters: a long log or transaction list pasted whole still fits. */
export const MAX_BODY = 20_000;
/** Longest rating comment. */
export const MAX_COMMENT = 1000;

/** Control characters other than tab, line feed and carriage return: never stored. */
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g;

/**
 * User or staff text as plain text: stored exactly as typed (HTML, `<script>`, Markdown are just characters; no
 * client may render them as markup), minus control characters; refused when blank or longer than `max`.
 */
export function plainText(value: string, field: string, max: number): string {
  const text = value.replace(CONTROL, '');
  if (!text.trim()) throw badInput(`${field} is empty`, { field });
  const length = [...text].length;
  if (length > max) throw badInput(`${field} is longer than ${max} characters`, { field, max, length });
  return text;
}
