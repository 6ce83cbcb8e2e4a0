import type { Language } from '../../sdk/index.js';

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

/** Latin digits → Persian digits (۰–۹), leaving everything else. */
export function persianDigits(text: string): string {
  return text.replace(/\d/g, (d) => PERSIAN_DIGITS[Number(d)]!);
}

/**
 * A decimal string for people: thousands grouped, trailing zeros of the fraction dropped, Persian digits and
 * separators (٬ ٫) in Persian. Works on the exact string, never through a float.
 */
export function formatAmount(text: string, language: Language): string {
  const negative = text.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? text.slice(1) : text).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction.replace(/0+$/, '');
  const latin = `${negative ? '-' : ''}${grouped}${trimmed ? `.${trimmed}` : ''}`;
  if (language !== 'FA') return latin;
  return persianDigits(latin.replace(/,/g, '٬').replace('.', '٫'));
}

/** Any number or text with digits, in the user's digits. */
export function digits(text: string | number, language: Language): string {
  return language === 'FA' ? persianDigits(String(text)) : String(text);
}

/** Date and time: the Jalali (Solar Hijri) calendar in Persian, Gregorian in English, in the device's time zone. */
export function formatDate(iso: string, language: Language): string {
  const locale = language === 'FA' ? 'fa-IR-u-ca-persian-nu-arabext' : 'en-GB';
  return new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short' }).format(new Date(iso));
}
