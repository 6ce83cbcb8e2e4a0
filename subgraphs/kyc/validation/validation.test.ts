import { describe, expect, it } from 'vitest';
import { ageOn, gregorianToJalali, isoDate, jalaliToGregorian, parseCivilDate } from './calendar.js';
import { normalizeNationalId } from './national-id.js';
import { normalizePersianName } from './persian-name.js';
import { maskPhone, normalizeIranianMobile } from './phone.js';

describe('normalizeIranianMobile', () => {
  it.each([
    ['09121234567'],
    ['+989121234567'],
    ['00989121234567'],
    ['989121234567'],
    ['9121234567'],
    ['0912 123 4567'],
    ['+98 (912) 123-4567'],
    ['۰۹۱۲۱۲۳۴۵۶۷'],
    ['٠٩١٢١٢٣٤٥٦٧'],
    ['۰۹۱۲-۱۲۳-4567'],
  ])('%s → +989121234567', (text) => {
    expect(normalizeIranianMobile(text)).toBe('+989121234567');
  });

  it.each([
    ['02112345678'], // Tehran landline
    ['0912123456'], // one digit short
    ['091212345678'], // one too many
    ['+449121234567'], // another country
    ['+98 912 123 456x'],
    ['0098-0912-1234567'],
    [''],
    ['0'.repeat(40)],
  ])('refuses %j', (text) => {
    expect(normalizeIranianMobile(text)).toBeNull();
  });

  it('masks the middle digits', () => {
    expect(maskPhone('+989121234567')).toBe('+98912***4567');
  });
});

describe('normalizeNationalId', () => {
  it('accepts IDs whose check digit matches, in any digits', () => {
    expect(normalizeNationalId('0499370899')).toBe('0499370899');
    expect(normalizeNationalId('0084575948')).toBe('0084575948');
    expect(normalizeNationalId('۰۴۹۹۳۷۰۸۹۹')).toBe('0499370899');
    expect(normalizeNationalId('049-937089-9')).toBe('0499370899');
  });

  it('refuses a wrong check digit, ten equal digits, other lengths and letters', () => {
    for (const bad of [
      '0499370898',
      '0499370890',
      '0084575949',
      '1111111111',
      '0000000000',
      '049937089',
      '04993708990',
      '04993708a9',
      '',
    ])
      expect(normalizeNationalId(bad), bad).toBeNull();
  });

  it('applies the r < 2 rule: the check digit is r itself', () => {
    // 1,0,0,0,0,0,0,0,1 → s = 10 + 2 = 12, r = 1 → the check digit must be 1
    expect(normalizeNationalId('1000000011')).toBe('1000000011');
    expect(normalizeNationalId('1000000010')).toBeNull();
  });
});

describe('Jalali calendar', () => {
  it('converts known days both ways', () => {
    const known: [string, string][] = [
      ['1357-11-22', '1979-02-11'],
      ['1403-01-01', '2024-03-20'],
      ['1403-12-30', '2025-03-20'], // 1403 is a leap year
      ['1404-01-01', '2025-03-21'],
      ['1399-12-30', '2021-03-20'],
      ['1370-06-31', '1991-09-22'],
      ['1300-01-01', '1921-03-21'],
    ];
    for (const [jalali, gregorian] of known) {
      const parsed = parseCivilDate(jalali, 'JALALI');
      expect(parsed && isoDate(parsed), jalali).toBe(gregorian);
      const [y, m, d] = gregorian.split('-').map(Number) as [number, number, number];
      expect(isoDate(gregorianToJalali({ year: y, month: m, day: d })), gregorian).toBe(jalali);
    }
  });

  it('round-trips every day of eighty years', () => {
    let date = { year: 1330, month: 1, day: 1 };
    let previous = jalaliToGregorian(date);
    for (let i = 0; i < 80 * 366; i++) {
      const next = parseCivilDate(`${date.year}/${date.month}/${date.day + 1}`, 'JALALI');
      date = next
        ? { ...date, day: date.day + 1 }
        : date.month < 12
          ? { year: date.year, month: date.month + 1, day: 1 }
          : { year: date.year + 1, month: 1, day: 1 };
      const gregorian = jalaliToGregorian(date);
      // consecutive Jalali days are consecutive Gregorian days
      const gap =
        (Date.UTC(gregorian.year, gregorian.month - 1, gregorian.day) -
          Date.UTC(previous.year, previous.month - 1, previous.day)) /
        86_400_000;
      expect(gap).toBe(1);
      expect(gregorianToJalali(gregorian)).toEqual(date);
      previous = gregorian;
    }
  });

  it('refuses days that do not exist', () => {
    expect(parseCivilDate('1402-12-30', 'JALALI')).toBeNull(); // 1402 is a common year
    expect(parseCivilDate('1370-07-31', 'JALALI')).toBeNull(); // Mehr has 30 days
    expect(parseCivilDate('1370-13-01', 'JALALI')).toBeNull();
    expect(parseCivilDate('2023-02-29', 'GREGORIAN')).toBeNull();
    expect(parseCivilDate('1990-04-31', 'GREGORIAN')).toBeNull();
    expect(parseCivilDate('1990-4-3x', 'GREGORIAN')).toBeNull();
    expect(parseCivilDate('2024-02-29', 'GREGORIAN')).toEqual({ year: 2024, month: 2, day: 29 });
    expect(parseCivilDate('۱۳۷۰/۰۵/۱۲', 'JALALI')).toEqual(jalaliToGregorian({ year: 1370, month: 5, day: 12 }));
  });

  it('counts whole years of age', () => {
    expect(ageOn({ year: 2000, month: 6, day: 15 }, { year: 2018, month: 6, day: 14 })).toBe(17);
    expect(ageOn({ year: 2000, month: 6, day: 15 }, { year: 2018, month: 6, day: 15 })).toBe(18);
  });
});

describe('normalizePersianName', () => {
  it('accepts Persian names, with spaces and the zero-width non-joiner', () => {
    expect(normalizePersianName('  علی ')).toBe('علی');
    expect(normalizePersianName('محمد   رضا')).toBe('محمد رضا');
    expect(normalizePersianName('عبدالله\u200cزاده')).toBe('عبدالله\u200cزاده');
    expect(normalizePersianName('ژاله گیلانی‌پور')).toBe('ژاله گیلانی‌پور');
  });

  it('refuses Latin letters, digits, punctuation and one-letter names', () => {
    for (const bad of ['Ali', 'علی2', 'علی۲', 'علی!', 'ع', '', 'علیAli'])
      expect(normalizePersianName(bad), bad).toBeNull();
  });
});
