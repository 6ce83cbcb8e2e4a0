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

/**
 * FinnoTech's banking API (card holder, IBAN inquiry, the platform account's statement, Paya transfers). Outside
 * production the devnet simulator is the default with its dev-only client; in production the client id, secret,
 * national id, source deposit and the statement's refresh token are required and the simulator is refused.
 */
export interface FinnotechConfig {
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  nid: string;
  /** The platform's deposit (account) number: transfers leave from it and its statement is read. */
  sourceDeposit: string;
  /** The statement's authorization-code grant: bank code and refresh token (null: no statement reads). */
  statement: { bank: string; refreshToken: string } | null;
  simulatorPort: number | null;
}

/** FinnoTech's production API root (finnotech.ir/doc). */
export const FINNOTECH_API_URL = 'https://api.finnotech.ir';

/** Dev-only values the simulator accepts (public; refused in production). */
export const FINNOTECH_DEV_DEFAULTS = {
  FINNOTECH_CLIENT_ID: 'devnet-exchange',
  FINNOTECH_CLIENT_SECRET: 'devnet-finnotech-secret',
  FINNOTECH_NID: '0012345678',
  FINNOTECH_SOURCE_DEPOSIT: '0302876214008',
  FINNOTECH_STATEMENT_BANK: '062',
  FINNOTECH_STATEMENT_REFRESH_TOKEN: 'devnet-finnotech-statement-refresh-token',
} as const;

export const finnotech = section(
  {
    FINNOTECH_SIMULATOR: bool.optional(),
    FINNOTECH_SIMULATOR_PORT: port.default(4295),
    FINNOTECH_BASE_URL: z.string().url().optional(),
    FINNOTECH_CLIENT_ID: z.string().min(1).optional(),
    FINNOTECH_CLIENT_SECRET: z.string().min(1).optional(),
    FINNOTECH_NID: z
      .string()
      .regex(/^[0-9]{10,11}$/, 'a national id (10 digits) or a company id (11)')
      .optional(),
    FINNOTECH_SOURCE_DEPOSIT: z.string().min(1).max(40).optional(),
    FINNOTECH_STATEMENT_BANK: z
      .string()
      .regex(/^[0-9]{3}$/, 'a 3-digit bank code')
      .optional(),
    FINNOTECH_STATEMENT_REFRESH_TOKEN: z.string().min(1).optional(),
  },
  (e, ctx): FinnotechConfig => {
    const simulator = e.FINNOTECH_SIMULATOR ?? !ctx.production;
    if (simulator && ctx.production)
      ctx.problem('FINNOTECH_SIMULATOR', 'the FinnoTech simulator is refused in production');
    type Name = keyof typeof FINNOTECH_DEV_DEFAULTS;
    for (const name of Object.keys(FINNOTECH_DEV_DEFAULTS) as Name[])
      if (ctx.production && (name === 'FINNOTECH_CLIENT_SECRET' || name === 'FINNOTECH_STATEMENT_REFRESH_TOKEN'))
        if (e[name] === FINNOTECH_DEV_DEFAULTS[name]) ctx.problem(name, 'the dev-only value is refused in production');
    const pick = (name: Name, required: boolean): string | null => {
      const value = e[name];
      if (value) return value;
      if (simulator) {
        if (name === 'FINNOTECH_CLIENT_SECRET') ctx.usedDevDefault(name);
        return FINNOTECH_DEV_DEFAULTS[name];
      }
      if (required) ctx.problem(name, 'required with the real FinnoTech API');
      return null;
    };
    const bank = pick('FINNOTECH_STATEMENT_BANK', false);
    const refreshToken = pick('FINNOTECH_STATEMENT_REFRESH_TOKEN', false);
    return {
      baseUrl: (
        e.FINNOTECH_BASE_URL ?? (simulator ? `http://${ctx.host}:${e.FINNOTECH_SIMULATOR_PORT}` : FINNOTECH_API_URL)
      ).replace(/\/+$/, ''),
      clientId: pick('FINNOTECH_CLIENT_ID', true) ?? '',
      clientSecret: pick('FINNOTECH_CLIENT_SECRET', true) ?? '',
      nid: pick('FINNOTECH_NID', true) ?? '',
      sourceDeposit: pick('FINNOTECH_SOURCE_DEPOSIT', true) ?? '',
      statement: bank && refreshToken ? { bank, refreshToken } : null,
      simulatorPort: simulator ? e.FINNOTECH_SIMULATOR_PORT : null,
    };
  },
);
