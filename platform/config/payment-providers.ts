import { z } from 'zod';
import { bool, port, section } from './env.js';

/**
 * Paystar's card gateway as the payment subgraph and its workers reach it. Outside production the devnet
 * simulator is the default (its dev-only gateway id and sign key); in production the real endpoint and the
 * operator's gateway id and sign key are required and the simulator is refused.
 */
export interface PaystarConfig {
  baseUrl: string;
  gatewayId: string;
  signKey: string;
  /** Port of the devnet simulator when it is used; null with the real gateway. */
  simulatorPort: number | null;
}

/** Paystar's documented API root (docs.paystar.ir). */
export const PAYSTAR_API_URL = 'https://core.paystar.ir/api/pardakht';

/** Dev-only values the simulator accepts (public; refused in production). */
export const PAYSTAR_DEV_DEFAULTS = {
  PAYSTAR_GATEWAY_ID: 'devnet-paystar-gateway',
  PAYSTAR_SIGN_KEY: 'devnet-paystar-sign-key',
} as const;

export const paystar = section(
  {
    PAYSTAR_SIMULATOR: bool.optional(),
    PAYSTAR_SIMULATOR_PORT: port.default(4294),
    PAYSTAR_BASE_URL: z.string().url().optional(),
    PAYSTAR_GATEWAY_ID: z.string().min(1).optional(),
    PAYSTAR_SIGN_KEY: z.string().min(1).optional(),
  },
  (e, ctx): PaystarConfig => {
    const simulator = e.PAYSTAR_SIMULATOR ?? !ctx.production;
    if (simulator && ctx.production) ctx.problem('PAYSTAR_SIMULATOR', 'the Paystar simulator is refused in production');
    for (const name of ['PAYSTAR_GATEWAY_ID', 'PAYSTAR_SIGN_KEY'] as const)
      if (ctx.production && e[name] === PAYSTAR_DEV_DEFAULTS[name])
        ctx.problem(name, 'the dev-only value is refused in production');
    const pick = (name: 'PAYSTAR_GATEWAY_ID' | 'PAYSTAR_SIGN_KEY'): string => {
      const value = e[name];
      if (value) return value;
      if (!simulator) {
        ctx.problem(name, 'required with the real Paystar gateway');
        return '';
      }
      if (name === 'PAYSTAR_SIGN_KEY') ctx.usedDevDefault(name);
      return PAYSTAR_DEV_DEFAULTS[name];
    };
    return {
      baseUrl: (
        e.PAYSTAR_BASE_URL ??
        (simulator ? `http://${ctx.host}:${e.PAYSTAR_SIMULATOR_PORT}/api/pardakht` : PAYSTAR_API_URL)
      ).replace(/\/+$/, ''),
      gatewayId: pick('PAYSTAR_GATEWAY_ID'),
      signKey: pick('PAYSTAR_SIGN_KEY'),
      simulatorPort: simulator ? e.PAYSTAR_SIMULATOR_PORT : null,
    };
  },
);
