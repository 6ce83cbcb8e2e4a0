import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { kycDataKeys } from '../secrets.js';
import { sms } from '../sms.js';
import { storage } from '../storage.js';
import { subgraphSections } from './subgraph.js';

export interface KycPhoneSettings {
  /** Seconds a phone code stays valid. */
  codeTtlSeconds: number;
  /** Wrong guesses before the code is locked (a new code is needed). */
  maxAttempts: number;
  /** Seconds between two codes to one number. */
  resendSeconds: number;
  /** Codes one number may receive per hour. */
  sendsPerPhonePerHour: number;
  /** Codes one user may ask for per hour (any numbers). */
  sendsPerUserPerHour: number;
}

/** The kyc subgraph: phone verification, identity documents, submissions and their review. */
const kyc = section(
  {
    KYC_PORT: port.default(SERVICE_PORT_VARIABLES.kyc[1]),
    KYC_PHONE_CODE_TTL_SECONDS: positiveInt.default(120),
    KYC_PHONE_MAX_ATTEMPTS: positiveInt.default(5),
    KYC_PHONE_RESEND_SECONDS: positiveInt.default(60),
    KYC_PHONE_SENDS_PER_HOUR: positiveInt.default(5),
    KYC_USER_SENDS_PER_HOUR: positiveInt.default(10),
  },
  (e): { port: number; phone: KycPhoneSettings } => ({
    port: e.KYC_PORT,
    phone: {
      codeTtlSeconds: e.KYC_PHONE_CODE_TTL_SECONDS,
      maxAttempts: e.KYC_PHONE_MAX_ATTEMPTS,
      resendSeconds: e.KYC_PHONE_RESEND_SECONDS,
      sendsPerPhonePerHour: e.KYC_PHONE_SENDS_PER_HOUR,
      sendsPerUserPerHour: e.KYC_USER_SENDS_PER_HOUR,
    },
  }),
);

export const kycProcess = defineProcess('kyc', { ...subgraphSections, kyc, kycDataKeys, storage, sms });
export type KycConfig = ConfigOf<typeof kycProcess>;
