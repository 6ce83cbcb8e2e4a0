/**
 * The port every voucher issuer implements (providers/uwallet, providers/utopia, providers/perfect-money). The
 * voucher subgraph depends on this interface only; which client (real endpoint or devnet simulator) sits behind it
 * is chosen by configuration.
 *
 * Amounts cross the port in the voucher's own currency as exact minor units: USD in cents, IRT (Toman) in whole
 * Toman. A provider that speaks Rial on the wire (uWallet's HotVoucher) converts once, in its client.
 */

/** The voucher products the platform trades. */
export type VoucherType = 'HOT' | 'PS' | 'UTOPIA_UUSD' | 'UTOPIA_CRP' | 'PERFECT_MONEY';
export const VOUCHER_TYPES: readonly VoucherType[] = ['HOT', 'PS', 'UTOPIA_UUSD', 'UTOPIA_CRP', 'PERFECT_MONEY'];

export type VoucherCurrency = 'USD' | 'IRT' | 'CRP';

export interface VoucherMoney {
  currency: VoucherCurrency;
  /** USD: cents; IRT: Toman; CRP: 1e-8 (Utopia's Crypton, as the client states it). */
  minor: bigint;
}

/** Decimal places of each currency's minor unit. */
export const VOUCHER_CURRENCY_DECIMALS: Record<VoucherCurrency, number> = { USD: 2, IRT: 0, CRP: 8 };

/** A voucher the provider created for us (we paid for it from the platform's provider account). */
export interface CreatedVoucher {
  /** The secret the holder redeems: seal it before storing, never log it. */
  code: string;
  /** The provider's id of the creation (uWallet transactionId, Utopia referenceNumber, Perfect Money VOUCHER_NUM). */
  providerReference: string;
  amount: VoucherMoney;
}

/**
 * Where a redemption stands at the provider:
 * - CONFIRMED: the value is in the platform's provider account (credit the user);
 * - PENDING: accepted, not final (poll `redemptionStatus`);
 * - REJECTED: final refusal (`reason`).
 */
export type RedemptionState = 'CONFIRMED' | 'PENDING' | 'REJECTED';

export type VoucherRefusal =
  /** The code is not a valid voucher of this type. */
  | 'INVALID_CODE'
  /** The code was already used. */
  | 'ALREADY_USED'
  /** Another activation of this code is in progress at the provider. */
  | 'IN_PROGRESS'
  /** The platform's provider account cannot pay for this voucher. */
  | 'INSUFFICIENT_PROVIDER_BALANCE'
  /** Amount outside the provider's limits or precision. */
  | 'AMOUNT_OUT_OF_RANGE'
  /** The provider refused for a reason of the operator's setup (credentials, coin, account). */
  | 'PROVIDER_SETUP';

export interface Redemption {
  state: RedemptionState;
  /** The provider's id of the activation, to poll or look up later; null when the provider gives none. */
  providerReference: string | null;
  /** What the platform received (CONFIRMED), or the voucher's value when the provider states it; else null. */
  amount: VoucherMoney | null;
  /** Why a REJECTED redemption was refused. */
  reason: VoucherRefusal | null;
}

/** What a lookup of an earlier creation found. */
export type CreationLookup =
  | { found: true; voucher: CreatedVoucher }
  /** The provider says no such creation exists: nothing was bought, the hold may be released. */
  | { found: false }
  /** The provider cannot answer this lookup (no lookup by our data): keep the purchase for staff. */
  | { found: 'unknown'; why: string };

/** Validation without using the code. */
export type Validation =
  | { supported: true; valid: boolean; amount: VoucherMoney | null; reason: VoucherRefusal | null }
  | { supported: false; why: string };

export interface ProviderBalance {
  /** The provider's own coin/currency label (`HotVoucher`, `UUSD`, `USD`). */
  asset: string;
  currency: VoucherCurrency;
  /** Spendable now, in minor units of `currency`. */
  available: bigint;
}

export interface VoucherProvider {
  /** "uwallet", "utopia", "perfect-money". */
  readonly name: string;
  /** Creates a voucher worth `amount` from the platform's provider account. Never retried by the client. */
  create(type: VoucherType, amount: VoucherMoney, opts?: CallOptions): Promise<CreatedVoucher>;
  /**
   * Resolves an earlier `create` whose answer was lost (timeout, 5xx): by the provider reference when one was
   * received, else by whatever the provider offers. Safe to retry.
   */
  lookupCreation(
    type: VoucherType,
    query: { providerReference: string | null; amount: VoucherMoney; since: Date },
    opts?: CallOptions,
  ): Promise<CreationLookup>;
  /** Activates `code` into the platform's provider account. Never retried by the client. */
  redeem(type: VoucherType, code: string, opts?: CallOptions): Promise<Redemption>;
  /** The state of an earlier redemption (PENDING polls, lost answers). Safe to retry. */
  redemptionStatus(type: VoucherType, providerReference: string, opts?: CallOptions): Promise<Redemption>;
  validate(type: VoucherType, code: string, opts?: CallOptions): Promise<Validation>;
  /** The platform's balances at this provider. */
  balances(opts?: CallOptions): Promise<ProviderBalance[]>;
}

export interface CallOptions {
  signal?: AbortSignal;
}

/**
 * The provider answered and refused (a definite answer: nothing was created or activated). Never carries the
 * voucher code.
 */
export class VoucherProviderRefusedError extends Error {
  override readonly name = 'VoucherProviderRefusedError';
  constructor(
    readonly provider: string,
    readonly reason: VoucherRefusal,
    /** The provider's own error code or text, for support (never a voucher code). */
    readonly providerCode: string,
  ) {
    super(`${provider}: refused (${reason}, provider code ${providerCode})`);
  }
}

/** Minor units → the decimal text a provider expects ("12.50"); `decimals` = the currency's minor digits. */
export function minorToDecimalText(minor: bigint, decimals: number): string {
  if (minor < 0n) throw new RangeError('negative amount');
  if (decimals === 0) return minor.toString();
  const text = minor.toString().padStart(decimals + 1, '0');
  return `${text.slice(0, -decimals)}.${text.slice(-decimals)}`;
}

/**
 * A provider's decimal text ("12.5", "12.50", "7") → minor units with `decimals` digits; null when it has more
 * precision than the minor unit (the caller decides whether that is a refusal or a parse error).
 */
export function decimalTextToMinor(text: string, decimals: number): bigint | null {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) return null;
  const [, whole, fraction = ''] = match;
  const trimmed = fraction.replace(/0+$/, '');
  if (trimmed.length > decimals) return null;
  return BigInt(whole! + trimmed.padEnd(decimals, '0'));
}
