import { asciiDigits } from './digits.js';

export type Calendar = 'JALALI' | 'GREGORIAN';

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

const GREGORIAN_DAYS_BEFORE_MONTH = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334];

function isGregorianLeap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

function gregorianMonthLength(y: number, m: number): number {
  return m === 2 ? (isGregorianLeap(y) ? 29 : 28) : [31, 0, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

/**
 * Jalali (Solar Hijri) → Gregorian with the 33-year arithmetic cycle, exact for the years people are born in
 * (it agrees with the astronomical calendar from 1178 to 1633 AP).
 */
export function jalaliToGregorian({ year, month, day }: CivilDate): CivilDate {
  const jy = year + 1595;
  let days =
    -355668 +
    365 * jy +
    Math.floor(jy / 33) * 8 +
    Math.floor(((jy % 33) + 3) / 4) +
    day +
    (month < 7 ? (month - 1) * 31 : (month - 7) * 30 + 186);
  let gy = 400 * Math.floor(days / 146097);
  days %= 146097;
  if (days > 36524) {
    days--;
    gy += 100 * Math.floor(days / 36524);
    days %= 36524;
    if (days >= 365) days++;
  }
  gy += 4 * Math.floor(days / 1461);
  days %= 1461;
  if (days > 365) {
    gy += Math.floor((days - 1) / 365);
    days = (days - 1) % 365;
  }
  let gd = days + 1;
  let gm = 1;
  while (gd > gregorianMonthLength(gy, gm)) gd -= gregorianMonthLength(gy, gm++);
  return { year: gy, month: gm, day: gd };
}

/** Gregorian → Jalali, the inverse of jalaliToGregorian. */
export function gregorianToJalali({ year, month, day }: CivilDate): CivilDate {
  const gy2 = month > 2 ? year + 1 : year;
  let days =
    355666 +
    365 * year +
    Math.floor((gy2 + 3) / 4) -
    Math.floor((gy2 + 99) / 100) +
    Math.floor((gy2 + 399) / 400) +
    day +
    GREGORIAN_DAYS_BEFORE_MONTH[month - 1]!;
  let jy = -1595 + 33 * Math.floor(days / 12053);
  days %= 12053;
  jy += 4 * Math.floor(days / 1461);
  days %= 1461;
  if (days > 365) {
    jy += Math.floor((days - 1) / 365);
    days = (days - 1) % 365;
  }
  const jm = days < 186 ? 1 + Math.floor(days / 31) : 7 + Math.floor((days - 186) / 30);
  const jd = 1 + (days < 186 ? days % 31 : (days - 186) % 30);
  return { year: jy, month: jm, day: jd };
}

function sameDate(a: CivilDate, b: CivilDate): boolean {
  return a.year === b.year && a.month === b.month && a.day === b.day;
}

/**
 * A date typed as `YYYY-MM-DD` or `YYYY/MM/DD` (Persian digits too) in the given calendar, as the Gregorian
 * date it names, or null when no such day exists (31 Mehr, 30 Esfand of a common year, 29 February 2023…).
 */
export function parseCivilDate(text: string, calendar: Calendar): CivilDate | null {
  const match = /^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$/.exec(asciiDigits(text.trim()));
  if (!match) return null;
  const date = { year: Number(match[1]), month: Number(match[2]), day: Number(match[3]) };
  if (date.month < 1 || date.month > 12 || date.day < 1 || date.day > 31) return null;
  if (calendar === 'GREGORIAN') {
    return date.day <= gregorianMonthLength(date.year, date.month) ? date : null;
  }
  if (date.year < 1200 || date.year > 1600) return null;
  const gregorian = jalaliToGregorian(date);
  // A day past the month's end rolls into the next month: the round trip tells a real day from one that is not.
  return sameDate(gregorianToJalali(gregorian), date) ? gregorian : null;
}

/** `YYYY-MM-DD`. */
export function isoDate({ year, month, day }: CivilDate): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole years from `birth` to `today` (both Gregorian). */
export function ageOn(birth: CivilDate, today: CivilDate): number {
  const before = today.month < birth.month || (today.month === birth.month && today.day < birth.day);
  return today.year - birth.year - (before ? 1 : 0);
}
