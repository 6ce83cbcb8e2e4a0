import type { Language } from '../sdk/index.js';

/** What the bot says, in the user's language (settings.language): English, or Persian with Persian digits. */
export type Lang = 'en' | 'fa';

export const langOf = (language: Language | null | undefined): Lang => (language === 'FA' ? 'fa' : 'en');

const PERSIAN_DIGITS = '۰۱۲۳۴۵۶۷۸۹';

/** Digits as the reader writes them: Persian digits and the Persian decimal separator in fa. */
export function localDigits(text: string, lang: Lang): string {
  if (lang === 'en') return text;
  return text.replace(/\d/g, (d) => PERSIAN_DIGITS[Number(d)]!).replace(/(?<=[۰-۹])\.(?=[۰-۹])/g, '٫');
}

/**
 * An Amount (already an exact decimal string in the asset's unit, at most `decimals` places) with its trailing zeros
 * trimmed and thousands grouped, in the reader's digits.
 */
export function formatAmount(amount: string, lang: Lang): string {
  const negative = amount.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? amount.slice(1) : amount).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const trimmed = fraction.replace(/0+$/, '');
  const text = `${negative ? '-' : ''}${grouped}${trimmed ? `.${trimmed}` : ''}`;
  return localDigits(lang === 'fa' ? text.replace(/,/g, '٬') : text, lang);
}

export const NETWORKS = ['ETH', 'BSC', 'TRON', 'TON'] as const;
export type BotNetwork = (typeof NETWORKS)[number];

const en = {
  welcome: (name: string | undefined) =>
    `Welcome${name ? `, ${name}` : ''}! Your wallet is ready.\n\n` +
    'Commands:\n/balance – your balances\n/deposit <network> – a deposit address (ETH, BSC, TRON, TON)\n' +
    '/prices – market prices\n/history – your latest transactions\n/support <message> – write to support',
  openApp: 'Open the wallet',
  help:
    'I understand:\n/start – sign in and open the wallet\n/balance – your balances\n' +
    '/deposit <network> – a deposit address (ETH, BSC, TRON, TON)\n/prices – market prices\n' +
    '/history – your latest transactions\n/support <message> – write to support',
  balancesTitle: 'Your balances:',
  balanceLine: (symbol: string, total: string, held: string | null) =>
    `${symbol}: ${total}${held ? ` (on hold ${held})` : ''}`,
  noBalances: 'You have no balances yet. Use /deposit <network> to get an address.',
  depositUsage: 'Which network? Send /deposit ETH, /deposit BSC, /deposit TRON or /deposit TON.',
  depositAddress: (network: string, address: string) =>
    `Your ${network} deposit address:\n${address}\n\nSend only ${network} assets to it.`,
  depositCaption: (network: string) => `${network} deposit address`,
  pricesTitle: (quote: string) => `Prices (${quote}):`,
  priceLine: (symbol: string, value: string | null) => `${symbol}: ${value ?? 'no price yet'}`,
  historyTitle: 'Your latest transactions:',
  historyLine: (date: string, kind: string, direction: string, amount: string, symbol: string) =>
    `${date} ${kind} ${direction} ${amount} ${symbol}`,
  noHistory: 'No transactions yet.',
  supportUsage: 'Write your message after the command, e.g. /support My deposit has not arrived.',
  ticketOpened: (id: string) => `Thank you. Ticket ${id} is open; support will answer in the app.`,
  rateLimited: 'Too many requests right now. Please try again in a minute.',
  unavailable: 'The service is briefly unavailable. Please try again shortly.',
  failed: 'Sorry, that did not work. Please try again later.',
  forbidden: 'I am not allowed to do that for you; please use the wallet app.',
};

type Texts = typeof en;

const fa: Texts = {
  welcome: (name) =>
    `${name ? `${name} عزیز، ` : ''}خوش آمدید! کیف پول شما آماده است.\n\n` +
    'دستورها:\n/balance – موجودی‌ها\n/deposit <شبکه> – آدرس واریز (ETH، BSC، TRON، TON)\n' +
    '/prices – قیمت‌ها\n/history – آخرین تراکنش‌ها\n/support <پیام> – پیام به پشتیبانی',
  openApp: 'باز کردن کیف پول',
  help:
    'دستورهای من:\n/start – ورود و باز کردن کیف پول\n/balance – موجودی‌ها\n' +
    '/deposit <شبکه> – آدرس واریز (ETH، BSC، TRON، TON)\n/prices – قیمت‌ها\n' +
    '/history – آخرین تراکنش‌ها\n/support <پیام> – پیام به پشتیبانی',
  balancesTitle: 'موجودی‌های شما:',
  balanceLine: (symbol, total, held) => `${symbol}: ${total}${held ? ` (در انتظار ${held})` : ''}`,
  noBalances: 'هنوز موجودی ندارید. با /deposit <شبکه> آدرس واریز بگیرید.',
  depositUsage: 'کدام شبکه؟ /deposit ETH یا /deposit BSC یا /deposit TRON یا /deposit TON بفرستید.',
  depositAddress: (network, address) =>
    `آدرس واریز ${network} شما:\n${address}\n\nفقط دارایی‌های شبکه ${network} را به این آدرس بفرستید.`,
  depositCaption: (network) => `آدرس واریز ${network}`,
  pricesTitle: (quote) => `قیمت‌ها (${quote === 'IRT' ? 'تومان' : quote}):`,
  priceLine: (symbol, value) => `${symbol}: ${value ?? 'هنوز قیمتی نیست'}`,
  historyTitle: 'آخرین تراکنش‌های شما:',
  historyLine: (date, kind, direction, amount, symbol) => `${date} ${kind} ${direction} ${amount} ${symbol}`,
  noHistory: 'هنوز تراکنشی ندارید.',
  supportUsage: 'پیامتان را بعد از دستور بنویسید، مثلاً: /support واریزم نرسیده است.',
  ticketOpened: (id) => `سپاس. تیکت ${id} باز شد؛ پاسخ پشتیبانی در برنامه می‌آید.`,
  rateLimited: 'درخواست‌ها زیاد است. لطفاً یک دقیقه دیگر دوباره امتحان کنید.',
  unavailable: 'سرویس لحظه‌ای در دسترس نیست. لطفاً کمی بعد دوباره امتحان کنید.',
  failed: 'متأسفانه انجام نشد. لطفاً بعداً دوباره امتحان کنید.',
  forbidden: 'این کار از من ساخته نیست؛ لطفاً از برنامه کیف پول استفاده کنید.',
};

export const texts: Record<Lang, Texts> = { en, fa };
