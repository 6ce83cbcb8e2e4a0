/** Persian (۰–۹) and Arabic-Indic (٠–٩) digits as ASCII; other characters unchanged. */
export function asciiDigits(text: string): string {
  return text.replace(/[\u06F0-\u06F9\u0660-\u0669]/g, (d) => {
    const code = d.charCodeAt(0);
    return String(code >= 0x06f0 ? code - 0x06f0 : code - 0x0660);
  });
}

/** Luhn (ISO/IEC 7812) check over a digit string. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

export type CardProblem = 'FORMAT' | 'CHECKSUM';

/**
 * A bank card number (شماره کارت) as 16 ASCII digits: Persian/Arabic digits, spaces and dashes accepted;
 * `FORMAT` when it is not 16 digits, `CHECKSUM` when the Luhn check fails.
 */
export function normalizeCardNumber(text: string): { card: string } | { problem: CardProblem } {
  const card = asciiDigits(text).replace(/[\s-]/g, '');
  if (!/^[0-9]{16}$/.test(card)) return { problem: 'FORMAT' };
  return luhnValid(card) ? { card } : { problem: 'CHECKSUM' };
}

/** `603799******1234`: the issuer's BIN and the last four digits, as banks and Shaparak print them. */
export function maskCard(card: string): string {
  return `${card.slice(0, 6)}******${card.slice(-4)}`;
}

/**
 * Whether a card number as a provider reports it (full, or masked with `*`/`x`/`-`) is the card `card`: the
 * visible digits must equal ours and the lengths must agree.
 */
export function cardMatches(card: string, reported: string | null | undefined): boolean {
  if (!reported) return false;
  const shown = asciiDigits(reported).replace(/[\s]/g, '');
  if (shown.length !== card.length) return false;
  let visible = 0;
  for (let i = 0; i < shown.length; i++) {
    const c = shown[i]!;
    if (c >= '0' && c <= '9') {
      if (c !== card[i]) return false;
      visible++;
    } else if (c !== '*' && c !== 'x' && c !== 'X' && c !== '-' && c !== '#') return false;
  }
  // A reported number must show at least the BIN and the last four to identify a card.
  return visible >= 10;
}

export type IbanProblem = 'FORMAT' | 'CHECKSUM';

/** ISO 13616 / ISO 7064 mod 97-10 over an IBAN (letters A=10 … Z=35), computed piecewise. */
export function ibanChecksumValid(iban: string): boolean {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (const ch of rearranged) {
    const value = ch >= 'A' && ch <= 'Z' ? String(ch.charCodeAt(0) - 55) : ch;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/**
 * An Iranian IBAN (شبا): `IR` and 24 digits, spaces allowed, Persian digits accepted, `ir` in any case; `FORMAT`
 * when it is not that shape, `CHECKSUM` when mod 97 fails.
 */
export function normalizeIban(text: string): { iban: string } | { problem: IbanProblem } {
  const iban = asciiDigits(text).replace(/[\s-]/g, '').toUpperCase();
  if (!/^IR[0-9]{24}$/.test(iban)) return { problem: 'FORMAT' };
  return ibanChecksumValid(iban) ? { iban } : { problem: 'CHECKSUM' };
}

/**
 * A person's name as compared across providers: Arabic yeh/kaf (ي ى ك) as Persian (ی ک), teh marbuta and
 * hamza forms folded, diacritics, tatweel, ZWNJ and other joiners removed, spaces dropped, Latin lower-cased.
 */
export function comparableName(text: string): string {
  return text
    .normalize('NFC')
    .replace(/[\u064A\u0649]/g, '\u06CC')
    .replace(/\u0643/g, '\u06A9')
    .replace(/[\u0629]/g, '\u0647')
    .replace(/[\u0623\u0625\u0671]/g, '\u0627')
    .replace(/\u06C0/g, '\u0647')
    .replace(/[\u064B-\u065F\u0670\u0640]/g, '')
    .replace(/[\u200B-\u200F\u2060\uFEFF]/g, '')
    .replace(/\s+/g, '')
    .toLowerCase();
}

/** Whether the holder name the bank reports is the KYC name (first + last), after `comparableName`. */
export function holderNameMatches(kycFullName: string, holder: string): boolean {
  const a = comparableName(kycFullName);
  return a.length > 0 && a === comparableName(holder);
}
