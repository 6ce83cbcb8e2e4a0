import { describe, expect, it } from 'vitest';
import { defineProcess } from './env.js';
import { outboundProxy } from './outbound-proxy.js';
import { finnotechSimulatorProcess } from './processes/finnotech-simulator.js';
import { paystarSimulatorProcess } from './processes/paystar-simulator.js';

describe('payment provider simulators and the outbound proxy', () => {
  it('the simulators read the same sections as the payment service, so they accept exactly its credentials', () => {
    const paystar = paystarSimulatorProcess.load({ PAYSTAR_GATEWAY_ID: 'gw', PAYSTAR_SIGN_KEY: 'k' }).paystar;
    expect(paystar).toEqual({
      baseUrl: 'http://127.0.0.1:4294/api/pardakht',
      gatewayId: 'gw',
      signKey: 'k',
      simulatorPort: 4294,
    });
    const finnotech = finnotechSimulatorProcess.load({}).finnotech;
    expect(finnotech).toMatchObject({ baseUrl: 'http://127.0.0.1:4295', simulatorPort: 4295 });
    expect(finnotech.statement).not.toBeNull();
    expect(
      paystarSimulatorProcess.load({ PAYSTAR_SIMULATOR: 'false', PAYSTAR_GATEWAY_ID: 'g', PAYSTAR_SIGN_KEY: 's' })
        .paystar.simulatorPort,
    ).toBeNull();
  });

  it('HTTPS_PROXY is read by the outboundProxy section only (unset: direct)', () => {
    const proc = defineProcess('t', { outboundProxy });
    expect(proc.load({}).outboundProxy).toEqual({ httpsProxy: null });
    expect(proc.load({ HTTPS_PROXY: 'http://user:pw@proxy.internal:3128' }).outboundProxy).toEqual({
      httpsProxy: 'http://user:pw@proxy.internal:3128',
    });
    expect(() => proc.load({ HTTPS_PROXY: 'not a url' })).toThrow(/HTTPS_PROXY/);
    expect(finnotechSimulatorProcess.variables).not.toContain('HTTPS_PROXY');
  });
});
