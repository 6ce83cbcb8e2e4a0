/**
 * The FinnoTech simulator's seeded cards and IBANs (made-up numbers: Luhn-valid cards, ISO 13616 mod-97 IBANs) and
 * the helpers tests use to build their own.
 */
export interface SeedCard {
  card: string;
  name: string;
  bankName: string;
  iban: string;
}

export interface SeedIban {
  iban: string;
  bankName: string;
  owners: Array<{ firstName: string; lastName: string }>;
  /** FinnoTech depositStatus: 02 active, 03 blocked (deposits allowed), 04 blocked, 05 dormant. */
  depositStatus: string;
}

/** Appends the Luhn check digit to 15 digits. */
export function withLuhn(fifteen: string): string {
  let sum = 0;
  for (let i = 0; i < 15; i += 1) {
    let d = Number(fifteen[14 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${fifteen}${(10 - (sum % 10)) % 10}`;
}

/** An Iranian IBAN (IR + 2 check digits + 22-digit BBAN) with valid ISO 13616 mod-97 check digits. */
export function ibanFor(bban22: string): string {
  if (!/^\d{22}$/.test(bban22)) throw new RangeError('BBAN must be 22 digits');
  // IR = 18 27; check digits 00 while computing.
  const numeric = BigInt(`${bban22}182700`);
  const check = 98n - (numeric % 97n);
  return `IR${check.toString().padStart(2, '0')}${bban22}`;
}

export const SEED_CARDS: SeedCard[] = [
  { card: '6037991327465278', name: 'علی رضایی', bankName: 'بانک ملی ایران', iban: ibanFor('0170000000123456789001') },
  { card: '6104337966585547', name: 'مریم کریمی', bankName: 'بانک ملت', iban: ibanFor('0120000000987654321002') },
  {
    card: withLuhn('621986100000001'),
    name: 'حسین محمدی',
    bankName: 'بانک سامان',
    iban: ibanFor('0560000000555555555003'),
  },
];

export const SEED_IBANS: SeedIban[] = [
  {
    iban: SEED_CARDS[0]!.iban,
    bankName: 'بانک ملی ایران',
    owners: [{ firstName: 'علی', lastName: 'رضایی' }],
    depositStatus: '02',
  },
  {
    iban: SEED_CARDS[1]!.iban,
    bankName: 'بانک ملت',
    owners: [{ firstName: 'مریم', lastName: 'کریمی' }],
    depositStatus: '02',
  },
  {
    iban: SEED_CARDS[2]!.iban,
    bankName: 'بانک سامان',
    owners: [{ firstName: 'حسین', lastName: 'محمدی' }],
    depositStatus: '02',
  },
  {
    iban: ibanFor('0620000000302876732005'),
    bankName: 'بانک آینده',
    owners: [{ firstName: 'سارا', lastName: 'احمدی' }],
    depositStatus: '04',
  },
];
