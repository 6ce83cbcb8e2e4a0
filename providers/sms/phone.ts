/**
 * Iranian mobile numbers as each provider wants them. The port hands clients E.164 (`+989121234567`); the kyc
 * subgraph normalises what users type, so anything else here is a programming error.
 */
const E164_IRAN_MOBILE = /^\+989\d{9}$/;

export class InvalidOtpPhoneError extends Error {
  override readonly name = 'InvalidOtpPhoneError';
  constructor() {
    super('phone must be an Iranian mobile number in E.164 form (+989xxxxxxxxx)');
  }
}

function subscriber(phone: string): string {
  if (!E164_IRAN_MOBILE.test(phone)) throw new InvalidOtpPhoneError();
  return phone.slice(3); // "9121234567"
}

/** Kavenegar's `receptor`: the domestic form `09121234567` (its SDK examples and docs use it). */
export const toKavenegarReceptor = (phone: string): string => `0${subscriber(phone)}`;

/** sms.ir's `mobile`: `9121234567` (the official IPE.SmsIr SDK's examples send the number without the 0). */
export const toSmsIrMobile = (phone: string): string => subscriber(phone);

/** For logs: `+98912***4567`, enough for support to match a complaint, not enough to harvest numbers. */
export function maskPhone(phone: string): string {
  return phone.length > 8 ? `${phone.slice(0, 6)}***${phone.slice(-4)}` : '***';
}

/**
 * Any common spelling of an Iranian mobile (`09…`, `9…`, `989…`, `+989…`, `00989…`) as E.164, or null. Used by
 * the simulator to accept what each provider accepts and to index messages by one key.
 */
export function iranMobileToE164(text: string): string | null {
  const m = /^(?:\+98|0098|98|0)?(9\d{9})$/.exec(text.trim());
  return m ? `+98${m[1]}` : null;
}
