import { z } from 'zod';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { accessTokens, botDelegation, telegram, type AccessTokenConfig } from '../secrets.js';
import { subgraphSections } from './subgraph.js';

/**
 * The identity subgraph: signs access tokens (JWT_SECRET) and verifies Telegram initData (TELEGRAM_BOT_TOKEN),
 * the only process holding the bot token.
 */
export interface LevelRule {
  level: number;
  kyc: 'NONE' | 'BASIC' | 'FULL';
  minTradeVolumeToman: bigint;
}

export function parseLevelThresholds(text: string): LevelRule[] {
  const rules: LevelRule[] = [{ level: 1, kyc: 'NONE', minTradeVolumeToman: 0n }];
  for (const part of text
    .split(';')
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = /^(\d+):(.*)$/.exec(part);
    if (!match) throw new Error(`"${part}" is not <level>:<requirement>,...`);
    const rule: LevelRule = { level: Number(match[1]), kyc: 'NONE', minTradeVolumeToman: 0n };
    for (const req of (match[2] ?? '')
      .split(',')
      .map((r) => r.trim())
      .filter(Boolean)) {
      const [key, value] = req.split('=');
      if (key === 'kyc' && (value === 'NONE' || value === 'BASIC' || value === 'FULL')) rule.kyc = value;
      else if (key === 'volume' && value !== undefined && /^\d+$/.test(value)) rule.minTradeVolumeToman = BigInt(value);
      else throw new Error(`unknown requirement "${req}" (use kyc=NONE|BASIC|FULL or volume=<toman>)`);
    }
    if (rule.level < 2) throw new Error(`level ${rule.level}: level 1 is the entry level and has no requirements`);
    rules.push(rule);
  }
  rules.sort((a, b) => a.level - b.level);
  return rules;
}

const identity = section({ IDENTITY_PORT: port.default(SERVICE_PORT_VARIABLES.identity[1]) }, (e) => ({
  port: e.IDENTITY_PORT,
}));

const auth = section(
  { ...accessTokens.shape, REFRESH_TOKEN_TTL_DAYS: positiveInt.default(30) },
  (e, ctx): AccessTokenConfig & { refreshTokenTtlDays: number } => ({
    ...accessTokens.build(e, ctx),
    refreshTokenTtlDays: e.REFRESH_TOKEN_TTL_DAYS,
  }),
);

const levels = section({ LEVEL_THRESHOLDS: z.string().default('2:kyc=BASIC;3:kyc=FULL,volume=50000000') }, (e, ctx) =>
  ctx.parse<LevelRule[]>('LEVEL_THRESHOLDS', [], () => parseLevelThresholds(e.LEVEL_THRESHOLDS)),
);

export const identityProcess = defineProcess('identity', {
  ...subgraphSections,
  identity,
  auth,
  telegram,
  levels,
  botDelegation,
});
export type IdentityConfig = ConfigOf<typeof identityProcess>;
