/** Arabic-script letters used in Persian: U+0621–U+063A, U+0641–U+064A, and پ چ ژ ک گ ی ۀ آ. No digits, no marks. */
const LETTER = '[\u0621-\u063A\u0641-\u064A\u067E\u0686\u0698\u06A9\u06AF\u06CC\u06C0\u0622]';
const NAME = new RegExp(`^${LETTER}+(?:[ \u200c]${LETTER}+)*$`);

/**
 * A name written in Persian letters (spaces and the zero-width non-joiner between parts allowed), trimmed and
 * with runs of spaces collapsed, or null. Latin letters, digits (any script), diacritics and punctuation are refused.
 */
export function normalizePersianName(text: string): string | null {
  const name = text.trim().replace(/\s+/g, ' ');
  if (name.length < 2 || name.length > 50) return null;
  return NAME.test(name) ? name : null;
}
