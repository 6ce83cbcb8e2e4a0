import { describe, expect, it } from 'vitest';
import { add, multiply, parseDecimal, toFixed } from './decimal.js';
import { formatAmount } from './format.js';
import { totalOf, type HomeBalance } from './wallet.js';

const balance = (symbol: string, coin: string, available: string, held = '0', decimals = 18): HomeBalance => ({
  available,
  held,
  asset: { symbol, name: symbol, coin, decimals, network: null },
});

describe('amounts on screen', () => {
  it('multiplies and rounds exact decimal strings, never through a float', () => {
    expect(toFixed(multiply(parseDecimal('0.1'), parseDecimal('3')), 2)).toBe('0.30');
    expect(toFixed(add(parseDecimal('0.1'), parseDecimal('0.2')), 1)).toBe('0.3');
    expect(toFixed(multiply(parseDecimal('1.999999999999999999'), parseDecimal('3000.005')), 2)).toBe('6000.01');
    expect(toFixed(parseDecimal('-2.5'), 0)).toBe('-3');
  });

  it('totals the balances in the display currency; Toman in dollars goes through USDT/IRT', () => {
    const prices = new Map([
      ['ETH:USD', '3000.5'],
      ['USDT:USD', '1'],
      ['USDT:IRT', '100000'],
    ]);
    const balances = [
      balance('ETH', 'ETH', '1.5', '0.5'),
      balance('USDT_TON', 'USDT', '10', '0', 6),
      balance('IRT', 'IRT', '250000', '0', 0),
      balance('TON', 'TON', '0'),
    ];
    expect(totalOf(balances, 'USD', prices)).toEqual({ total: '6013.50', complete: true });
    // no IRT price for ETH: the total says it is incomplete rather than pretending
    expect(totalOf(balances, 'IRT', prices)).toEqual({ total: '1250000', complete: false });
  });

  it('shows amounts grouped, trailing zeros dropped, in Persian digits and separators for Persian', () => {
    expect(formatAmount('1234567.8900', 'EN')).toBe('1,234,567.89');
    expect(formatAmount('1234567.8900', 'FA')).toBe('۱٬۲۳۴٬۵۶۷٫۸۹');
    expect(formatAmount('0', 'FA')).toBe('۰');
  });
});
