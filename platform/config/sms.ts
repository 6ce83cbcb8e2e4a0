import { z } from 'zod';
import { bool, port, section, type ConfigContext } from './env.js';

/**
 * SMS one-time codes (providers/sms): which provider sends them and its credentials. Read by the kyc and wallet subgraphs
 * (phone verification; withdrawal-address codes) and by the devnet SMS simulator, which accepts the same keys and templates. Outside
 * production the simulator is on by default and both providers point at it with dev-only credentials; in
 * production the chosen provider's key and template are required and the simulator is refused.
 */
export type SmsProviderName = 'kavenegar' | 'smsir';

export interface KavenegarConfig {
  baseUrl: string;
  apiKey: string;
  template: string;
}

export interface SmsIrConfig {
  baseUrl: string;
  apiKey: string;
  templateId: number;
  parameterName: string;
}

export interface SmsConfig {
  provider: SmsProviderName;
  /** Port of the devnet SMS simulator (both wire formats); null when real providers are used. */
  simulatorPort: number | null;
  /** Each provider's settings, or null when it is not configured (the chosen one is never null). */
  kavenegar: KavenegarConfig | null;
  smsir: SmsIrConfig | null;
}

/** Production endpoints as documented (kavenegar.com/rest.html, apidocs.sms.ir). */
export const SMS_PROVIDER_BASE_URLS = {
  kavenegar: 'https://api.kavenegar.com',
  smsir: 'https://api.sms.ir',
} as const;

/** Dev-only values: what the simulator accepts by default. Public; refused in production. */
export const SMS_DEV_DEFAULTS = {
  KAVENEGAR_API_KEY: 'devnet-kavenegar-key',
  KAVENEGAR_OTP_TEMPLATE: 'verify',
  SMSIR_API_KEY: 'devnet-smsir-key',
  SMSIR_OTP_TEMPLATE_ID: 100000,
} as const;

/** The value, else (simulator on) the dev-only one; a dev key of the provider in use is reported as a dev default. */
function devOr<T>(
  ctx: ConfigContext,
  simulator: boolean,
  inUse: boolean,
  variable: string,
  value: T | undefined,
  dev: T,
): T | null {
  if (value !== undefined) return value;
  if (!simulator) return null;
  if (inUse && variable.endsWith('_API_KEY')) ctx.usedDevDefault(variable);
  return dev;
}

export const sms = section(
  {
    SMS_PROVIDER: z.enum(['kavenegar', 'smsir']).default('kavenegar'),
    SMS_SIMULATOR: bool.optional(),
    SMS_SIMULATOR_PORT: port.default(4293),
    KAVENEGAR_API_KEY: z.string().min(1).optional(),
    KAVENEGAR_OTP_TEMPLATE: z.string().min(1).optional(),
    KAVENEGAR_BASE_URL: z.string().url().optional(),
    SMSIR_API_KEY: z.string().min(1).optional(),
    SMSIR_OTP_TEMPLATE_ID: z.coerce.number().int().positive().optional(),
    SMSIR_OTP_PARAMETER: z
      .string()
      .regex(/^[A-Za-z0-9_]+$/, 'letters, digits and _ (the template variable name)')
      .default('CODE'),
    SMSIR_BASE_URL: z.string().url().optional(),
  },
  (e, ctx): SmsConfig => {
    const simulator = e.SMS_SIMULATOR ?? !ctx.production;
    if (simulator && ctx.production) ctx.problem('SMS_SIMULATOR', 'the SMS simulator is refused in production');
    const simulatorUrl = `http://${ctx.host}:${e.SMS_SIMULATOR_PORT}`;
    for (const [variable, dev] of [
      ['KAVENEGAR_API_KEY', SMS_DEV_DEFAULTS.KAVENEGAR_API_KEY],
      ['SMSIR_API_KEY', SMS_DEV_DEFAULTS.SMSIR_API_KEY],
    ] as const)
      if (ctx.production && e[variable] === dev) ctx.problem(variable, 'the dev-only key is refused in production');

    const kavenegarKey = devOr(
      ctx,
      simulator,
      e.SMS_PROVIDER === 'kavenegar',
      'KAVENEGAR_API_KEY',
      e.KAVENEGAR_API_KEY,
      SMS_DEV_DEFAULTS.KAVENEGAR_API_KEY,
    );
    const kavenegarTemplate = devOr(
      ctx,
      simulator,
      e.SMS_PROVIDER === 'kavenegar',
      'KAVENEGAR_OTP_TEMPLATE',
      e.KAVENEGAR_OTP_TEMPLATE,
      SMS_DEV_DEFAULTS.KAVENEGAR_OTP_TEMPLATE,
    );
    const smsirKey = devOr(
      ctx,
      simulator,
      e.SMS_PROVIDER === 'smsir',
      'SMSIR_API_KEY',
      e.SMSIR_API_KEY,
      SMS_DEV_DEFAULTS.SMSIR_API_KEY,
    );
    const smsirTemplate = devOr(
      ctx,
      simulator,
      e.SMS_PROVIDER === 'smsir',
      'SMSIR_OTP_TEMPLATE_ID',
      e.SMSIR_OTP_TEMPLATE_ID,
      SMS_DEV_DEFAULTS.SMSIR_OTP_TEMPLATE_ID,
    );

    const kavenegar: KavenegarConfig | null =
      kavenegarKey && kavenegarTemplate
        ? {
            baseUrl: e.KAVENEGAR_BASE_URL ?? (simulator ? simulatorUrl : SMS_PROVIDER_BASE_URLS.kavenegar),
            apiKey: kavenegarKey,
            template: kavenegarTemplate,
          }
        : null;
    const smsir: SmsIrConfig | null =
      smsirKey && smsirTemplate
        ? {
            baseUrl: e.SMSIR_BASE_URL ?? (simulator ? simulatorUrl : SMS_PROVIDER_BASE_URLS.smsir),
            apiKey: smsirKey,
            templateId: smsirTemplate,
            parameterName: e.SMSIR_OTP_PARAMETER,
          }
        : null;

    if (e.SMS_PROVIDER === 'kavenegar' && !kavenegar) {
      if (!kavenegarKey)
        ctx.problem('KAVENEGAR_API_KEY', 'required when SMS_PROVIDER=kavenegar (no dev default without the simulator)');
      if (!kavenegarTemplate) ctx.problem('KAVENEGAR_OTP_TEMPLATE', 'required when SMS_PROVIDER=kavenegar');
    }
    if (e.SMS_PROVIDER === 'smsir' && !smsir) {
      if (!smsirKey)
        ctx.problem('SMSIR_API_KEY', 'required when SMS_PROVIDER=smsir (no dev default without the simulator)');
      if (!smsirTemplate) ctx.problem('SMSIR_OTP_TEMPLATE_ID', 'required when SMS_PROVIDER=smsir');
    }
    return {
      provider: e.SMS_PROVIDER,
      simulatorPort: simulator ? e.SMS_SIMULATOR_PORT : null,
      kavenegar,
      smsir,
    };
  },
);
