import { z } from 'zod';

/**
 * FinnoTech wire format. Sources: finnotech.ir/doc (token, card information, cardToIban v2, ibanInquiry, deposit
 * statement, cc/transferTo pages), the official SDK Finnotech/finnotechjs (token service: Basic auth, JSON
 * `{grant_type, nid, scopes}`, refresh with `token_type`; `trackId` on every call; the `invalid token` refresh) and
 * the documented example answers. See README.md for what rests on which source and what is inferred.
 */
export const PROVIDER = 'finnotech';
export const FINNOTECH_BASE_URL = 'https://api.finnotech.ir';
export const FINNOTECH_SANDBOX_URL = 'https://sandboxapi.finnotech.ir';

/** Scopes of the client-credentials token (one token for all of them). */
export const FINNOTECH_CC_SCOPES = [
  'card:information:get',
  'facility:card-to-iban:get',
  'oak:iban-inquiry:get',
  'oak:cc-transfer-to:execute',
  'oak:transfer-inquiry:get',
] as const;
/** Scope of the authorization-code (CODE) token the statement needs. */
export const FINNOTECH_STATEMENT_SCOPE = 'oak:statement:get';

/** Paya (to an IBAN) is limited to 500,000,000 Rial per transfer; below 10,000 Rial FinnoTech refuses. */
export const PAYA_MAX_RIAL = 500_000_000n;
export const PAYA_MIN_RIAL = 10_000n;

/** Every answer: `{trackId, result, status, error}`; status DONE/FAILED, and PENDING/UNKNOWN for transfers. */
export const envelope = z.object({
  trackId: z.string().nullish(),
  result: z.unknown().optional(),
  status: z.string(),
  error: z.object({ code: z.string().nullish(), message: z.string().nullish() }).passthrough().nullish(),
});
export type Envelope = z.infer<typeof envelope>;

export const tokenResult = z.object({
  value: z.string().min(1),
  scopes: z.array(z.string()).optional(),
  lifeTime: z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]),
  creationDate: z.string().optional(),
  refreshToken: z.string().min(1).optional(),
});

export const cardInfoResult = z.object({
  destCard: z.string().nullish(),
  name: z.string().nullish(),
  result: z.union([z.string(), z.number()]).transform(String),
  description: z.string().nullish(),
  doTime: z.string().nullish(),
  bankName: z.string().nullish(),
});

export const cardToIbanResult = z.object({
  IBAN: z.string().min(1),
  bankName: z.string().nullish(),
  deposit: z.string().nullish(),
  card: z.string().nullish(),
  depositStatus: z.string().nullish(),
  depositOwners: z.string().nullish(),
});

export const ibanInquiryResult = z.object({
  IBAN: z.string().min(1),
  bankName: z.string().nullish(),
  deposit: z.string().nullish(),
  depositDescription: z.string().nullish(),
  depositComment: z.string().nullish(),
  depositOwners: z.array(z.object({ firstName: z.string(), lastName: z.string() })),
  depositStatus: z.string().nullish(),
  errorDescription: z.string().nullish(),
});

const rialText = z.string().regex(/^\d*$/);
const infoMap = z
  .object({ payId: z.string().nullish(), sourcePan: z.string().nullish(), referenceId: z.string().nullish() })
  .passthrough()
  .nullish();

export const statementLine = z
  .object({
    recordNumber: z.string().nullish(),
    transactionAmountCredit: rialText.nullish(),
    transactionAmountDebit: rialText.nullish(),
    fullDate: z.string().regex(/^\d{8}$/),
    time: z.string().regex(/^\d{6}$/),
    originKey: z.string().nullish(),
    rawOriginKey: z.string().nullish(),
    refCode: z.string().nullish(),
    transactionDescription: z.string().nullish(),
    optionalInformation30: z.string().nullish(),
    transactionClass: z.string().nullish(),
    ibanInformationMap: infoMap,
    cardInformationMap: infoMap,
    ledgerInformationMap: infoMap,
  })
  .passthrough();

export const statementResult = z
  .object({
    transactions: z.array(statementLine),
    transactionChain: z.enum(['M', 'L']).nullish(),
    lastRecordNumber: z.string().nullish(),
  })
  .passthrough();

export const transferResult = z
  .object({
    amount: z.union([z.number(), z.string()]).nullish(),
    refCode: z.string().nullish(),
    message: z.string().nullish(),
    destinationNumber: z.string().nullish(),
    paymentNumber: z.string().nullish(),
    type: z.string().nullish(),
    /** transferInquiry only (inferred, see README): the transfer's own state. */
    status: z.string().default('UNKNOWN'),
  })
  .passthrough();

/** depositStatus of cardToIban / ibanInquiry (finnotech.ir/doc). */
export const DEPOSIT_STATUS: Record<string, string> = {
  '02': 'ACTIVE',
  '03': 'BLOCKED_DEPOSITS_ALLOWED',
  '04': 'BLOCKED',
  '05': 'DORMANT',
  '06': 'ERROR',
  '07': 'OTHER',
};
