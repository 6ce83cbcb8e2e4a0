/**
 * Perfect Money's account API for e-vouchers (its API guide; the form is also what every open-source client sends):
 * - `https://perfectmoney.com/acct/ev_create.asp` with `AccountID`, `PassPhrase`, `Payer_Account`, `Amount`
 *   (two decimals) → hidden inputs `Payer_Account`, `PAYMENT_AMOUNT`, `PAYMENT_BATCH_NUM`, `VOUCHER_NUM`,
 *   `VOUCHER_CODE`, `VOUCHER_AMOUNT`;
 * - `ev_activate.asp` with `AccountID`, `PassPhrase`, `Payee_Account`, `ev_number`, `ev_code` → `VOUCHER_NUM`,
 *   `VOUCHER_AMOUNT`, `VOUCHER_AMOUNT_CURRENCY`, `PAYMENT_BATCH_NUM`, `Payee_Account`;
 * - `balance.asp` with `AccountID`, `PassPhrase` → one hidden input per wallet (`U1234567` = `100.00`);
 * - any failure: a hidden input `ERROR` with the reason in English.
 * The answer is an HTML page; the values are `<input name='X' type='hidden' value='Y'>`.
 */
export const PROVIDER = 'perfect-money';

const HIDDEN = /<input\s+name=['"]([^'"]+)['"]\s+type=['"]hidden['"]\s+value=['"]([^'"]*)['"]\s*\/?>/gi;

/** The hidden inputs of a Perfect Money answer page, by name. */
export function hiddenInputs(html: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const match of html.matchAll(HIDDEN)) out.set(match[1]!, match[2]!);
  return out;
}

/** A Perfect Money voucher as one code on our side: `<VOUCHER_NUM>-<VOUCHER_CODE>` (both digits). */
export function joinCode(number: string, activation: string): string {
  return `${number}-${activation}`;
}

export function splitCode(code: string): { number: string; activation: string } | null {
  const match = /^\s*(\d{6,20})\s*[-:\s]\s*(\d{6,40})\s*$/.exec(code);
  return match ? { number: match[1]!, activation: match[2]! } : null;
}
