import { z } from 'zod';
import { bool, section } from './env.js';

/** The devnet Exonyx simulator's port and key (devnet/exonyx), the defaults outside production. */
export const EXONYX_DEVNET = { port: 4288, apiKey: 'exonyx-dev-key' } as const;

export interface ExonyxSettings {
  baseUrl: string;
  apiKey: string;
}

/**
 * Exonyx as the payout backend for USDT TRC-20/BEP20 withdrawals (subgraphs/wallet/exonyx): off by default.
 * null when off. Outside production the endpoint and key default to the devnet simulator; in production both are
 * required when it is on.
 */
export const exonyx = section(
  {
    EXONYX_ENABLED: bool.default('false'),
    EXONYX_BASE_URL: z.string().url().optional(),
    EXONYX_API_KEY: z.string().min(1).optional(),
  },
  (e, ctx): ExonyxSettings | null => {
    if (!e.EXONYX_ENABLED) return null;
    if (ctx.production && !e.EXONYX_BASE_URL) ctx.problem('EXONYX_BASE_URL', 'required when EXONYX_ENABLED is on');
    if (ctx.production && !e.EXONYX_API_KEY) ctx.problem('EXONYX_API_KEY', 'required when EXONYX_ENABLED is on');
    if (ctx.production && e.EXONYX_API_KEY === EXONYX_DEVNET.apiKey)
      ctx.problem('EXONYX_API_KEY', 'the dev-only key is refused in production');
    return {
      baseUrl: e.EXONYX_BASE_URL ?? `http://${ctx.host}:${EXONYX_DEVNET.port}`,
      apiKey: e.EXONYX_API_KEY ?? EXONYX_DEVNET.apiKey,
    };
  },
);
