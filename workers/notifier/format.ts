import { assetInfo } from '../../platform/money/assets.js';
import { formatAmount } from '../../platform/money/amount.js';

export type Language = 'en' | 'fa';

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

/** Western digits → Persian digits (۰–۹); everything else unchanged. */
export function persianDigits(text: string): string {
  return text.replace(/[0-9]/g, (d) => PERSIAN_DIGITS[Number(d)]!);
}

/**
 * An amount in minor units (a decimal integer string, as events carry them) in the asset's major unit, with
 * thousands grouped, trailing zeros trimmed, and in Persian: Persian digits, `٬` for thousands and `٫` for the
 * decimal point. Integer (bigint) arithmetic only: an 18-decimal amount loses no digit.
 */
export function formatMoney(minor: string, asset: string, language: Language): string {
  const info = assetInfo(asset);
  const decimals = info?.decimals ?? 0;
  if (!/^-?\d+$/.test(minor)) throw new Error(`not an integer amount: ${minor}`);
  const [whole = '0', fraction] = formatAmount(BigInt(minor), decimals).split('.');
  const negative = whole.startsWith('-');
  const digits = negative ? whole.slice(1) : whole;
  const grouped = digits.replace(/\B(?=(\d{3})+(?!\d))/g, language === 'fa' ? '٬' : ',');
  const number = `${negative ? '-' : ''}${grouped}${fraction ? (language === 'fa' ? '٫' : '.') + fraction : ''}`;
  return language === 'fa' ? persianDigits(number) : number;
}

/** How an asset is named in a message: the coin and, for tokens, the network (USDT (BSC)); Toman in Persian. */
export function assetLabel(asset: string, language: Language): string {
  const info = assetInfo(asset);
  if (!info) return asset;
  if (info.coin === 'IRT') return language === 'fa' ? 'تومان' : 'Toman';
  if (info.contract && info.network) return `${info.coin} (${info.network})`;
  return info.coin;
}

/**
 * A date and time as the user reads it: English (Gregorian, UTC) or Persian (Jalali calendar, Persian digits,
 * Tehran time), through Intl (`fa-IR-u-ca-persian`).
 */
export function formatWhen(at: Date, language: Language): string {
  if (language === 'fa')
    return new Intl.DateTimeFormat('fa-IR-u-ca-persian', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'Asia/Tehran',
    }).format(at);
  return (
    new Intl.DateTimeFormat('en-GB', {
      dateStyle: 'medium',
      timeStyle: 'short',
      timeZone: 'UTC',
    }).format(at) + ' UTC'
  );
}
