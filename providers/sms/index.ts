import type { Logger } from 'pino';
import type { SmsConfig } from '../../platform/config/sms.js';
import type { ResilienceOptions } from '../http/resilience.js';
import { createKavenegarOtpSender } from './kavenegar/kavenegar.client.js';
import type { OtpSender } from './otp-sender.port.js';
import { createSmsIrOtpSender } from './smsir/smsir.client.js';

export type { OtpMessage, OtpReceipt, OtpSender } from './otp-sender.port.js';
export { OtpRefusedError, OtpProviderBusyError, type OtpRefusalReason } from './sms.errors.js';
export { InvalidOtpPhoneError, maskPhone } from './phone.js';
export {
  createKavenegarOtpSender,
  KAVENEGAR_BASE_URL,
  type KavenegarClientOptions,
} from './kavenegar/kavenegar.client.js';
export { createSmsIrOtpSender, SMSIR_BASE_URL, type SmsIrClientOptions } from './smsir/smsir.client.js';

/**
 * The OTP sender the configuration chooses (`SMS_PROVIDER`): Kavenegar verify/lookup or sms.ir send/verify,
 * pointed at the real API or, outside production by default, at the devnet SMS simulator.
 */
export function createOtpSender(
  config: SmsConfig,
  log?: Logger,
  options: { resilience?: ResilienceOptions } = {},
): OtpSender {
  const common = { ...(log ? { log } : {}), ...(options.resilience ? { resilience: options.resilience } : {}) };
  if (config.provider === 'kavenegar') {
    if (!config.kavenegar) throw new Error('SMS_PROVIDER=kavenegar but Kavenegar is not configured');
    return createKavenegarOtpSender({ ...config.kavenegar, ...common });
  }
  if (!config.smsir) throw new Error('SMS_PROVIDER=smsir but sms.ir is not configured');
  return createSmsIrOtpSender({ ...config.smsir, ...common });
}
