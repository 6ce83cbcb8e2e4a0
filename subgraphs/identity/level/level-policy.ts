import type { LevelRule } from '../../../platform/config/config.js';
import type { KycTier } from '../user/user.entity.js';

const KYC_RANK: Record<KycTier, number> = { NONE: 0, BASIC: 1, FULL: 2 };

export interface LevelFacts {
  kycTier: KycTier;
  tradeVolumeToman: bigint;
}

/**
 * The level-up rule table: a user holds the highest level whose every requirement they meet, and levels
 * are cumulative (reaching 3 requires meeting 2 too). Thresholds come from config (LEVEL_THRESHOLDS).
 */
export class LevelPolicy {
  constructor(readonly rules: LevelRule[]) {}

  levelFor(facts: LevelFacts): number {
    let level = 1;
    for (const rule of this.rules) {
      const meets = KYC_RANK[facts.kycTier] >= KYC_RANK[rule.kyc] && facts.tradeVolumeToman >= rule.minTradeVolumeToman;
      if (!meets) break;
      level = rule.level;
    }
    return level;
  }
}
