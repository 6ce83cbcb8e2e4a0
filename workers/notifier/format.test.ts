import { describe, expect, it } from 'vitest';
import { assetLabel, formatMoney, formatWhen, persianDigits } from './format.js';
import { renderMessage } from './templates/render.js';

describe('notification formatting', () => {
  it('amounts use the asset’s decimals with integer arithmetic: 18-decimal USDT on BSC keeps its last wei', () => {
    expect(formatMoney('1234500000000000000001', 'USDT_BSC', 'en')).toBe('1,234.500000000000000001');
    expect(formatMoney('9007199254740993000000000000000000', 'ETH', 'en')).toBe('9,007,199,254,740,993');
    expect(formatMoney('1000000', 'USDT_TRON', 'en')).toBe('1');
    expect(formatMoney('2500000', 'IRT', 'en')).toBe('2,500,000'); // Toman: 0 decimals
    expect(() => formatMoney('1.5', 'ETH', 'en')).toThrow(/not an integer/);
  });

  it('Persian: Persian digits, Arabic thousands separator and decimal point', () => {
    expect(persianDigits('0123456789')).toBe('۰۱۲۳۴۵۶۷۸۹');
    expect(formatMoney('1234500000000000000001', 'USDT_BSC', 'fa')).toBe('۱٬۲۳۴٫۵۰۰۰۰۰۰۰۰۰۰۰۰۰۰۰۰۱');
    expect(formatMoney('2500000', 'IRT', 'fa')).toBe('۲٬۵۰۰٬۰۰۰');
    expect(assetLabel('IRT', 'fa')).toBe('تومان');
    expect(assetLabel('USDT_BSC', 'en')).toBe('USDT (BSC)');
    expect(assetLabel('TON', 'fa')).toBe('TON');
  });

  it('dates: Jalali in Tehran time with Persian digits, Gregorian UTC in English', () => {
    const nowruz = new Date('2026-03-21T10:00:00Z');
    expect(formatWhen(nowruz, 'fa')).toBe('۱ فروردین ۱۴۰۵، ۱۳:۳۰');
    expect(formatWhen(nowruz, 'en')).toBe('21 Mar 2026, 10:00 UTC');
  });

  it('renders a message per language with a web_app button to the screen', () => {
    const at = new Date('2026-12-07T12:00:00Z');
    const order = {
      kind: 'ORDER_FILLED' as const,
      facts: { orderId: 'ord_1', from: 'IRT', to: 'USDT_BSC', pay: '1000000', receive: '12345678900000000000' },
    };
    const en = renderMessage(order, 'en', at, 'https://app.example/app/');
    expect(en.text).toBe(
      'Order filled: you paid 1,000,000 Toman and received 12.3456789 USDT (BSC).\n7 Dec 2026, 12:00 UTC',
    );
    expect(en.reply_markup.inline_keyboard[0][0]).toEqual({
      text: 'Open trade',
      web_app: { url: 'https://app.example/app/#/trade' },
    });
    const fa = renderMessage(order, 'fa', at, 'https://app.example/app');
    expect(fa.text).toContain('۱٬۰۰۰٬۰۰۰ تومان');
    expect(fa.text).toContain('۱۲٫۳۴۵۶۷۸۹ USDT (BSC)');
    expect(fa.text).toContain('۱۶ آذر ۱۴۰۵');
    expect(fa.text).not.toMatch(/[0-9]/);
    const kyc = renderMessage({ kind: 'KYC_REJECTED', facts: { submissionId: 'kyc_1' } }, 'fa', at, 'https://a/app');
    expect(kyc.reply_markup.inline_keyboard[0][0].web_app.url).toBe('https://a/app/#/kyc');
  });
});
