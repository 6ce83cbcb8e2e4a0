import { assetLabel, formatMoney } from '../format.js';
import type { Templates } from './template.js';

const money = (amount: string, asset: string) => `${formatMoney(amount, asset, 'fa')} ${assetLabel(asset, 'fa')}`;
const maybe = (amount: string | null, asset: string) => (amount ? ` ${money(amount, asset)}` : '');

const STATUS: Record<string, string> = { FAILED: 'ناموفق', REJECTED: 'رد شد', CANCELLED: 'لغو شد' };
const TIER: Record<string, string> = { BASIC: 'پایه', FULL: 'کامل' };

/** Persian messages, by category (digits ۰–۹; the templates' amounts come from formatMoney). */
export const fa: Templates = {
  // deposits
  DEPOSIT_DETECTED: (f) => ({
    text: `واریز در راه است: ${money(f.amount, f.asset)} در شبکه ${f.network}. پس از تأیید شبکه به موجودی شما اضافه می‌شود.`,
    button: 'مشاهده تاریخچه',
  }),
  DEPOSIT_CREDITED: (f) => ({
    text: `واریز تأیید شد: ${money(f.amount, f.asset)} به موجودی شما اضافه شد.`,
    button: 'مشاهده تاریخچه',
  }),
  // security (never muted)
  DEPOSIT_REORGED: (f) => ({
    text: `واریز برگشت خورد: بلوک حاوی واریز ${money(f.amount, f.asset)} در شبکه ${f.network} حذف شد و این مبلغ از موجودی شما کسر شد.`,
    button: 'مشاهده تاریخچه',
  }),
  // transfers
  TRANSFER_RECEIVED: (f) => ({ text: `${money(f.amount, f.asset)} دریافت کردید.`, button: 'مشاهده تاریخچه' }),
  // withdrawals
  WITHDRAWAL_BROADCAST: (f) => ({
    text: `برداشت${maybe(f.amount, f.asset)} شما به شبکه ارسال شد.`,
    button: 'مشاهده برداشت',
  }),
  WITHDRAWAL_COMPLETED: (f) => ({
    text: `برداشت${maybe(f.amount, f.asset)} شما انجام شد.`,
    button: 'مشاهده برداشت',
  }),
  WITHDRAWAL_FAILED: (f) => ({
    text: `برداشت${maybe(f.amount, f.asset)} شما انجام نشد (${STATUS[f.status] ?? f.status}) و مبلغ به موجودی شما بازگشت.`,
    button: 'مشاهده برداشت',
  }),
  // orders
  ORDER_FILLED: (f) => ({
    text: `سفارش انجام شد: ${money(f.pay, f.from)} پرداخت و ${money(f.receive, f.to)} دریافت کردید.`,
    button: 'مشاهده معامله',
  }),
  // support
  TICKET_ANSWERED: () => ({ text: 'پشتیبانی به تیکت شما پاسخ داد.', button: 'خواندن پاسخ' }),
  // kyc
  KYC_APPROVED: (f) => ({
    text: `احراز هویت شما تأیید شد (سطح ${TIER[f.tier] ?? f.tier}).`,
    button: 'مشاهده احراز هویت',
  }),
  KYC_REJECTED: () => ({
    text: 'احراز هویت شما تأیید نشد. برای دیدن دلیل و ارسال دوباره، برنامه را باز کنید.',
    button: 'مشاهده احراز هویت',
  }),
};
