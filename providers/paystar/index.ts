export type {
  PaystarCallback,
  PaystarCreateInput,
  PaystarGateway,
  PaystarInquiry,
  PaystarPaymentSession,
  PaystarVerification,
  PaystarVerifyInput,
} from './paystar.port.js';
export {
  createPaystarGateway,
  paystarSign,
  PAYSTAR_RESILIENCE,
  type PaystarClient,
  type PaystarClientOptions,
} from './paystar.client.js';
export { PaystarCallbackError, PaystarRefusedError } from './paystar.errors.js';
export { PAYSTAR_BASE_URL, PAYSTAR_STATUS, maskCard } from './paystar.wire.js';
export { RialAmountError } from '../rial.js';
