export type {
  CardHolder,
  CardIban,
  FinnotechBanking,
  IbanOwner,
  PersonName,
  StatementLine,
  StatementPage,
  StatementQuery,
  TransferRequest,
  TransferResult,
  TransferState,
} from './finnotech.port.js';
export {
  createFinnotechBanking,
  FINNOTECH_RESILIENCE,
  type FinnotechClient,
  type FinnotechClientOptions,
  type StatementTokenStore,
} from './finnotech.client.js';
export { FinnotechAuthError, FinnotechRefusedError } from './finnotech.errors.js';
export {
  FINNOTECH_BASE_URL,
  FINNOTECH_CC_SCOPES,
  FINNOTECH_SANDBOX_URL,
  FINNOTECH_STATEMENT_SCOPE,
  PAYA_MAX_RIAL,
  PAYA_MIN_RIAL,
} from './finnotech.wire.js';
export { fromTehranJalali, toTehranJalali } from './jalali.js';
export { RialAmountError } from '../rial.js';
