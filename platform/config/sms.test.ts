import { describe, expect, it } from 'vitest';
import { ConfigError } from './env.js';
import { smsSimulatorProcess } from './processes/sms-simulator.js';

const load = (env: Record<string, string>) => smsSimulatorProcess.load(env).sms;
const problems = (env: Record<string, string>): string[] => {
  try {
    smsSimulatorProcess.load(env);
    return [];
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
};

describe('sms configuration', () => {
  it('outside production points both providers at the simulator with dev-only credentials', () => {
    const config = smsSimulatorProcess.load({});
    expect(config.sms).toEqual({
      provider: 'kavenegar',
      simulatorPort: 4293,
      kavenegar: { baseUrl: 'http://127.0.0.1:4293', apiKey: 'devnet-kavenegar-key', template: 'verify' },
      smsir: {
        baseUrl: 'http://127.0.0.1:4293',
        apiKey: 'devnet-smsir-key',
        templateId: 100000,
        parameterName: 'CODE',
      },
    });
    expect(config.devDefaultsUsed).toEqual(['KAVENEGAR_API_KEY']);
    expect(smsSimulatorProcess.load({ SMS_PROVIDER: 'smsir' }).devDefaultsUsed).toEqual(['SMSIR_API_KEY']);
  });

  it('uses the real endpoints and the given credentials when the simulator is off', () => {
    const config = load({
      SMS_SIMULATOR: 'false',
      SMS_PROVIDER: 'smsir',
      SMSIR_API_KEY: 'k',
      SMSIR_OTP_TEMPLATE_ID: '42',
    });
    expect(config).toEqual({
      provider: 'smsir',
      simulatorPort: null,
      kavenegar: null,
      smsir: { baseUrl: 'https://api.sms.ir', apiKey: 'k', templateId: 42, parameterName: 'CODE' },
    });
    expect(load({ SMS_SIMULATOR: 'false', KAVENEGAR_API_KEY: 'k', KAVENEGAR_OTP_TEMPLATE: 'otp' }).kavenegar).toEqual({
      baseUrl: 'https://api.kavenegar.com',
      apiKey: 'k',
      template: 'otp',
    });
  });

  it('in production requires the chosen provider key and template and refuses the simulator and dev keys', () => {
    expect(problems({ NODE_ENV: 'production' })).toEqual([
      'KAVENEGAR_API_KEY: required when SMS_PROVIDER=kavenegar (no dev default without the simulator)',
      'KAVENEGAR_OTP_TEMPLATE: required when SMS_PROVIDER=kavenegar',
    ]);
    expect(problems({ NODE_ENV: 'production', SMS_PROVIDER: 'smsir', SMSIR_API_KEY: 'k' })).toEqual([
      'SMSIR_OTP_TEMPLATE_ID: required when SMS_PROVIDER=smsir',
    ]);
    expect(
      problems({ NODE_ENV: 'production', SMS_SIMULATOR: 'true', KAVENEGAR_API_KEY: 'devnet-kavenegar-key' }),
    ).toEqual([
      'SMS_SIMULATOR: the SMS simulator is refused in production',
      'KAVENEGAR_API_KEY: the dev-only key is refused in production',
    ]);
    const ok = smsSimulatorProcess.load({
      NODE_ENV: 'production',
      KAVENEGAR_API_KEY: 'real',
      KAVENEGAR_OTP_TEMPLATE: 'otp',
    });
    expect(ok.sms.kavenegar?.baseUrl).toBe('https://api.kavenegar.com');
    expect(ok.sms.smsir).toBeNull();
    expect(ok.devDefaultsUsed).toEqual([]);
  });

  it('reports bad values', () => {
    expect(problems({ SMS_PROVIDER: 'twilio', SMSIR_OTP_TEMPLATE_ID: 'abc', SMSIR_OTP_PARAMETER: 'a b' })).toHaveLength(
      3,
    );
  });
});
