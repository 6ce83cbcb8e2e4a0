import { describe, expect, it } from 'vitest';
import {
  cardMatches,
  comparableName,
  holderNameMatches,
  ibanChecksumValid,
  luhnValid,
  maskCard,
  normalizeCardNumber,
  normalizeIban,
} from './validation.js';

describe('card numbers', () => {
  it('accepts 16 digits with a valid Luhn digit, Persian/Arabic digits, spaces and dashes', () => {
    expect(normalizeCardNumber('6037991327465278')).toEqual({ card: '6037991327465278' });
    expect(normalizeCardNumber('۶۰۳۷-۹۹۱۳-۲۷۴۶-۵۲۷۸')).toEqual({ card: '6037991327465278' });
    expect(normalizeCardNumber('٦٠٣٧ ٩٩١٣ ٢٧٤٦ ٥٢٧٨')).toEqual({ card: '6037991327465278' });
    expect(normalizeCardNumber('6037991327465279')).toEqual({ problem: 'CHECKSUM' });
    expect(normalizeCardNumber('603799132746527')).toEqual({ problem: 'FORMAT' });
    expect(normalizeCardNumber('6037a91327465278')).toEqual({ problem: 'FORMAT' });
    expect(luhnValid('79927398713')).toBe(true);
    expect(luhnValid('79927398710')).toBe(false);
  });

  it('masks to BIN + last four, and matches a reported (masked) card only on every visible digit', () => {
    expect(maskCard('6037991327465278')).toBe('603799******5278');
    expect(cardMatches('6037991327465278', '603799******5278')).toBe(true);
    expect(cardMatches('6037991327465278', '6037991327465278')).toBe(true);
    expect(cardMatches('6037991327465278', '603799******5279')).toBe(false);
    expect(cardMatches('6037991327465278', '610433******5278')).toBe(false);
    expect(cardMatches('6037991327465278', '************5278')).toBe(false); // too little shown
    expect(cardMatches('6037991327465278', null)).toBe(false);
  });
});

describe('IBANs', () => {
  it('IR + 24 digits with ISO 13616 mod-97', () => {
    expect(normalizeIban('IR820540102680020817909002')).toEqual({ iban: 'IR820540102680020817909002' });
    expect(normalizeIban('ir82 0540 1026 8002 0817 9090 02')).toEqual({ iban: 'IR820540102680020817909002' });
    expect(normalizeIban('IR۸۲۰۵۴۰۱۰۲۶۸۰۰۲۰۸۱۷۹۰۹۰۰۲')).toEqual({ iban: 'IR820540102680020817909002' });
    expect(normalizeIban('IR820540102680020817909003')).toEqual({ problem: 'CHECKSUM' });
    expect(normalizeIban('DE89370400440532013000')).toEqual({ problem: 'FORMAT' });
    expect(ibanChecksumValid('GB82WEST12345698765432')).toBe(true);
    expect(ibanChecksumValid('GB82WEST12345698765433')).toBe(false);
  });
});

describe('holder names', () => {
  it('folds Arabic yeh/kaf, ZWNJ, diacritics and spaces', () => {
    expect(comparableName('علي  كريمي')).toBe(comparableName('علی کریمی'));
    expect(holderNameMatches('محمد\u200cرضا کریمی', 'محمدرضا  كريمي')).toBe(true);
    expect(holderNameMatches('علی رضایی', 'علی رضائی‌پور')).toBe(false);
    expect(holderNameMatches('', '')).toBe(false);
  });
});
