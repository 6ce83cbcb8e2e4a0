/**
 * Paystar's card gateway (IPG) as the payment subgraph uses it. Amounts here are Toman (IRT, the ledger's unit);
 * the client converts to and from Paystar's Rial exactly once and refuses a Rial amount not divisible by 10.
 */

export interface PaystarCreateInput {
  /** Toman, > 0. */
  amountToman: bigint;
  /** Our payment id (Paystar's order_id): unique per payment. */
  orderId: string;
  /** Our public callback URL Paystar sends the user back to. */
  callbackUrl: string;
  /** Restricts the payment to this card (16 digits). */
  cardNumber?: string | null;
  description?: string | null;
}

export interface PaystarPaymentSession {
  token: string;
  /** Paystar's reference for verify/inquiry. */
  refNum: string;
  /** Where the user's browser is sent (…/payment?token=…). */
  paymentUrl: string;
}

/** What Paystar's (unsigned) callback carries; trust nothing in it until `verify` succeeds. */
export interface PaystarCallback {
  /** Paystar's status as sent (1 = the user says they paid; anything else = cancelled/failed). */
  status: string;
  orderId: string;
  refNum: string;
  trackingCode: string | null;
  /** As Paystar sends it (may be masked). */
  cardNumber: string | null;
  transactionId: string | null;
}

export interface PaystarVerifyInput {
  refNum: string;
  amountToman: bigint;
  cardNumber: string;
  trackingCode: string;
}

export type PaystarVerification =
  | { outcome: 'VERIFIED'; amountToman: bigint; refNum: string; cardNumber: string | null; trackingCode: string | null }
  /** Paystar answered definitively that this payment is not (or no longer) payable/verified. */
  | { outcome: 'REFUSED'; code: string; message: string };

export type PaystarInquiry =
  | { state: 'PAID'; amountToman: bigint; cardNumber: string | null; trackingCode: string | null; verified: boolean }
  | { state: 'UNPAID' | 'FAILED' | 'EXPIRED'; code: string };

export interface PaystarGateway {
  create(input: PaystarCreateInput): Promise<PaystarPaymentSession>;
  /** Parses the callback's query string / form body (throws on a malformed one). */
  parseCallback(params: Record<string, string | undefined>): PaystarCallback;
  verify(input: PaystarVerifyInput): Promise<PaystarVerification>;
  /** Safe to repeat: where a payment stands at Paystar. */
  inquiry(refNum: string, orderId: string): Promise<PaystarInquiry>;
}
