import { z } from 'zod';
import { bool, port, section, type ConfigContext } from './env.js';

/**
 * The voucher issuers (providers/uwallet, providers/utopia, providers/perfect-money) as the voucher subgraph and
 * the devnet voucher simulators see them. Outside production the simulators are the default (dev-only tokens);
 * in production each provider is on only when its credentials are given (a type whose provider is off cannot be
 * traded), and the simulators are refused.
 */
export interface UwalletConfig {
  baseUrl: string;
  token: string;
  /** uWallet's coin name for HOT vouchers (Rial on the wire). */
  hotCoin: string;
  /** uWallet's coin name for PS vouchers (USD): no public PS issuer API exists, so it is resold through uWallet. */
  psCoin: string;
}
export interface UtopiaConfig {
  baseUrl: string;
  token: string;
}
export interface PerfectMoneyConfig {
  baseUrl: string;
  accountId: string;
  passPhrase: string;
  usdAccount: string;
}
export interface VoucherProvidersConfig {
  uwallet: UwalletConfig | null;
  utopia: UtopiaConfig | null;
  perfectMoney: PerfectMoneyConfig | null;
  /** Per-attempt timeout of every provider call (a create or use that times out is resolved by lookup). */
  timeoutMs: number;
  /** The devnet simulators' ports when they are used; null with the real providers. */
  simulatorPorts: { uwallet: number; utopia: number; perfectMoney: number } | null;
}

export const UWALLET_API_URL = 'https://api.uwallet.biz';
export const PERFECT_MONEY_API_URL = 'https://perfectmoney.com/acct';

/** Dev-only values the simulators accept (public; refused in production). */
export const VOUCHER_DEV_DEFAULTS = {
  UWALLET_TOKEN: 'devnet-uwallet-token',
  UTOPIA_TOKEN: 'DEVNETUTOPIATOKEN0000000000000000',
  PERFECT_MONEY_ACCOUNT_ID: '1000001',
  PERFECT_MONEY_PASS_PHRASE: 'devnet-pm-pass',
  PERFECT_MONEY_USD_ACCOUNT: 'U1000001',
} as const;

type DevName = keyof typeof VOUCHER_DEV_DEFAULTS;

export const voucherProviders = section(
  {
    VOUCHER_SIMULATORS: bool.optional(),
    UWALLET_SIMULATOR_PORT: port.default(4297),
    UTOPIA_SIMULATOR_PORT: port.default(4298),
    PERFECT_MONEY_SIMULATOR_PORT: port.default(4299),
    VOUCHER_PROVIDER_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
    UWALLET_BASE_URL: z.string().url().optional(),
    UWALLET_TOKEN: z.string().min(1).optional(),
    UWALLET_HOT_COIN: z.string().min(1).default('HotVoucher'),
    UWALLET_PS_COIN: z.string().min(1).default('PSVoucher'),
    UTOPIA_API_URL: z.string().url().optional(),
    UTOPIA_TOKEN: z.string().min(1).optional(),
    PERFECT_MONEY_BASE_URL: z.string().url().optional(),
    PERFECT_MONEY_ACCOUNT_ID: z.string().regex(/^\d+$/, 'digits').optional(),
    PERFECT_MONEY_PASS_PHRASE: z.string().min(1).optional(),
    PERFECT_MONEY_USD_ACCOUNT: z
      .string()
      .regex(/^U\d+$/, 'a USD wallet: U followed by digits')
      .optional(),
  },
  (e, ctx: ConfigContext): VoucherProvidersConfig => {
    const simulator = e.VOUCHER_SIMULATORS ?? !ctx.production;
    if (simulator && ctx.production)
      ctx.problem('VOUCHER_SIMULATORS', 'the voucher simulators are refused in production');
    for (const name of Object.keys(VOUCHER_DEV_DEFAULTS) as DevName[])
      if (ctx.production && e[name] === VOUCHER_DEV_DEFAULTS[name])
        ctx.problem(name, 'the dev-only value is refused in production');
    const pick = (name: DevName): string | null => {
      const value = e[name];
      if (value) return value;
      if (!simulator) return null;
      if (name === 'UWALLET_TOKEN' || name === 'UTOPIA_TOKEN' || name === 'PERFECT_MONEY_PASS_PHRASE')
        ctx.usedDevDefault(name);
      return VOUCHER_DEV_DEFAULTS[name];
    };
    const sim = (p: number) => `http://${ctx.host}:${p}`;
    const uwalletToken = pick('UWALLET_TOKEN');
    const utopiaToken = pick('UTOPIA_TOKEN');
    const pm = {
      accountId: pick('PERFECT_MONEY_ACCOUNT_ID'),
      passPhrase: pick('PERFECT_MONEY_PASS_PHRASE'),
      usdAccount: pick('PERFECT_MONEY_USD_ACCOUNT'),
    };
    const utopiaUrl = e.UTOPIA_API_URL ?? (simulator ? sim(e.UTOPIA_SIMULATOR_PORT) : undefined);
    if (utopiaToken && !utopiaUrl)
      ctx.problem('UTOPIA_API_URL', 'required with UTOPIA_TOKEN (the Utopia client you run)');
    return {
      uwallet: uwalletToken
        ? {
            baseUrl: e.UWALLET_BASE_URL ?? (simulator ? sim(e.UWALLET_SIMULATOR_PORT) : UWALLET_API_URL),
            token: uwalletToken,
            hotCoin: e.UWALLET_HOT_COIN,
            psCoin: e.UWALLET_PS_COIN,
          }
        : null,
      utopia: utopiaToken && utopiaUrl ? { baseUrl: utopiaUrl, token: utopiaToken } : null,
      perfectMoney:
        pm.accountId && pm.passPhrase && pm.usdAccount
          ? {
              baseUrl:
                e.PERFECT_MONEY_BASE_URL ?? (simulator ? sim(e.PERFECT_MONEY_SIMULATOR_PORT) : PERFECT_MONEY_API_URL),
              accountId: pm.accountId,
              passPhrase: pm.passPhrase,
              usdAccount: pm.usdAccount,
            }
          : null,
      timeoutMs: e.VOUCHER_PROVIDER_TIMEOUT_MS,
      simulatorPorts: simulator
        ? {
            uwallet: e.UWALLET_SIMULATOR_PORT,
            utopia: e.UTOPIA_SIMULATOR_PORT,
            perfectMoney: e.PERFECT_MONEY_SIMULATOR_PORT,
          }
        : null,
    };
  },
);
