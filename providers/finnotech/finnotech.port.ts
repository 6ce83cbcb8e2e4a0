/**
 * FinnoTech's banking API as the payment subgraph and its workers use it. Amounts are Toman (IRT); the client
 * converts to and from FinnoTech's Rial once and refuses a Rial amount not divisible by 10. Every call carries a
 * fresh trackId (≤ 40 chars, never reused) except `transferTo`, whose trackId the caller stores first.
 */

export interface PersonName {
  firstName: string;
  lastName: string;
}

export interface CardHolder {
  /** The holder's full name as the bank has it. */
  name: string;
  bankName: string | null;
}

export interface IbanOwner {
  iban: string;
  bankName: string | null;
  owners: PersonName[];
  /** The account's state as reported (e.g. active / blocked). */
  accountStatus: string | null;
}

export interface CardIban {
  card: string;
  iban: string;
  bankName: string | null;
  ownerName: string | null;
}

export interface StatementQuery {
  /** The platform's deposit (account) number whose statement is read. */
  depositNumber: string;
  from: Date;
  to: Date;
  /** Paging cursor (FinnoTech's transactionChain of the last line read); null for the first page. */
  cursor: string | null;
}

export interface StatementLine {
  /** The bank's unique reference for this line: credits are deduplicated by it. */
  refCode: string;
  /** Toman; positive = credit to our account, negative = debit. */
  amountToman: bigint;
  at: Date;
  description: string;
  /** The payer's deposit id (شناسه واریز) when the transfer carried one. */
  depositId: string | null;
  /** The sender's card (possibly masked) for card-to-card credits. */
  sourceCard: string | null;
  sourceIban: string | null;
}

export interface StatementPage {
  lines: StatementLine[];
  /** Cursor for the next page, null when this was the last. */
  next: string | null;
}

export interface TransferRequest {
  /** Stored by the caller before the call; the transfer's identity at FinnoTech. */
  trackId: string;
  amountToman: bigint;
  destinationIban: string;
  destinationOwner: PersonName;
  description: string;
  /** Our payout id, for the bank statement. */
  paymentNumber: string;
}

export type TransferState = 'DONE' | 'PENDING' | 'FAILED' | 'UNKNOWN';

export interface TransferResult {
  trackId: string;
  state: TransferState;
  /** Bank reference when known. */
  refCode: string | null;
  message: string | null;
  /**
   * `transferInquiry` only: FinnoTech knows no transfer with this trackId (it never arrived); `state` is then
   * UNKNOWN. Resending with the same trackId is the caller's decision (FinnoTech asks never to reuse a trackId).
   */
  notFound?: boolean;
}

export interface FinnotechBanking {
  cardHolder(card: string): Promise<CardHolder>;
  cardToIban(card: string): Promise<CardIban>;
  ibanInquiry(iban: string): Promise<IbanOwner>;
  statement(query: StatementQuery): Promise<StatementPage>;
  /** A timeout (408/network) answers UNKNOWN, never throws into a blind retry: resolve with `transferInquiry`. */
  transferTo(request: TransferRequest): Promise<TransferResult>;
  transferInquiry(trackId: string): Promise<TransferResult>;
}
