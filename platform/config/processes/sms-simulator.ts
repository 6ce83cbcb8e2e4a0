import { defineProcess, type ConfigOf } from '../env.js';
import { sms } from '../sms.js';

/** Devnet only: the SMS simulator (Kavenegar and sms.ir wire formats) on SMS_SIMULATOR_PORT. */
export const smsSimulatorProcess = defineProcess('sms-simulator', { sms });
export type SmsSimulatorConfig = ConfigOf<typeof smsSimulatorProcess>;
