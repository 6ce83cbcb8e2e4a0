/**
 * FinnoTech's statement speaks the Iranian (Jalali, "persian") calendar in Tehran time: `fromDate`/`toDate` and a
 * line's `fullDate` are YYYYMMDD Jalali, `time` is HHMMSS. Both the calendar and Tehran's offset (UTC+03:30, and
 * +04:30 in summer until DST was abolished in 2022) come from Node's ICU data (no table of our own).
 */
export const TEHRAN_OFFSET_MS = (3 * 60 + 30) * 60_000;

const TEHRAN = new Intl.DateTimeFormat('en-US', {
  timeZone: 'Asia/Tehran',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

/** Tehran's offset from UTC at a moment (ms). */
function tehranOffsetAt(utcMs: number): number {
  const p = Object.fromEntries(TEHRAN.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return wall - Math.floor(utcMs / 1000) * 1000;
}

const FORMAT = new Intl.DateTimeFormat('en-US-u-ca-persian-nu-latn', {
  timeZone: 'UTC',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
});

function parts(utcMs: number): { date: string; time: string } {
  const p = Object.fromEntries(FORMAT.formatToParts(new Date(utcMs)).map((x) => [x.type, x.value]));
  return { date: `${p.year}${p.month}${p.day}`, time: `${p.hour}${p.minute}${p.second}` };
}

/** A moment as Tehran Jalali date (YYYYMMDD) and time (HHMMSS). */
export function toTehranJalali(at: Date): { date: string; time: string } {
  return parts(at.getTime() + tehranOffsetAt(at.getTime()));
}

const JALALI_DATE = /^(\d{4})(\d{2})(\d{2})$/;
const TIME = /^(\d{2})(\d{2})(\d{2})$/;

/** A Tehran Jalali date (YYYYMMDD) and time (HHMMSS) as a moment; throws on a malformed or impossible date. */
export function fromTehranJalali(date: string, time = '000000'): Date {
  const d = JALALI_DATE.exec(date);
  const t = TIME.exec(time);
  if (!d || !t) throw new RangeError(`not a Jalali date/time: ${date} ${time}`);
  const [jy, jm, jd] = [Number(d[1]), Number(d[2]), Number(d[3])];
  // 1 Farvardin 1400 = 2021-03-21; estimate the day, then walk to the exact one with ICU's calendar.
  const estimate =
    Date.UTC(2021, 2, 21) +
    Math.round((jy - 1400) * 365.2422 + (jm <= 6 ? (jm - 1) * 31 : 186 + (jm - 7) * 30) + jd - 1) * 86_400_000;
  for (const shift of [0, -1, 1, -2, 2, -3, 3]) {
    const day = estimate + shift * 86_400_000;
    if (parts(day).date === date) {
      const local = day + (Number(t[1]) * 3600 + Number(t[2]) * 60 + Number(t[3])) * 1000;
      // The offset at the moment itself (twice: a guess near a DST change can land on the other side).
      let utc = local - TEHRAN_OFFSET_MS;
      utc = local - tehranOffsetAt(utc);
      utc = local - tehranOffsetAt(utc);
      return new Date(utc);
    }
  }
  throw new RangeError(`not a Jalali date: ${date}`);
}
