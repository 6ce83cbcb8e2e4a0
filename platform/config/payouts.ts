import { z } from 'zod';
import { positiveInt, section } from './env.js';

const wei = z
  .string()
  .regex(/^\d{1,30}$/u, 'must be a whole number of wei')
  .transform((v) => BigInt(v));

/**
 * How money leaves custody addresses (subgraphs/wallet/payout): fee policy per network, replacement of stuck EVM
 * transactions, and how long a signed TRON transaction / TON message stays valid. Read by the processes that
 * quote, sign and broadcast payouts (the wallet subgraph for quotes; the withdrawal broadcaster and treasury
 * workers). Chain endpoints and confirmations come from the `chains` section.
 */
export const payouts = section(
  {
    /** maxFeePerGas = next block's base fee × this / 100 + priority fee. */
    PAYOUT_EVM_BASE_FEE_MULTIPLIER_PERCENT: positiveInt.min(100).max(1_000).default(200),
    /** Floor of the EIP-1559 priority fee (tip) on ETH and BSC, in wei. */
    PAYOUT_EVM_MIN_PRIORITY_FEE_WEI: wei.default('1000000000'),
    /** Gas limit of a token transfer = eth_estimateGas × this / 100 (a plain transfer to an account is 21 000). */
    PAYOUT_EVM_GAS_MARGIN_PERCENT: positiveInt.min(100).max(300).default(120),
    /** A replacement raises both fee caps by at least this many basis points (≥ 1250 = 12.5%). */
    PAYOUT_EVM_REPLACE_BUMP_BPS: positiveInt.min(1_250).max(10_000).default(1_250),
    /** An EVM payout not mined after this long is replaced (same nonce, higher fee) by the broadcaster. */
    PAYOUT_EVM_STUCK_AFTER_SECONDS: positiveInt.default(600),
    /** TRC20 fee_limit = energy estimate × energy price × this / 100. */
    PAYOUT_TRON_FEE_LIMIT_PERCENT: positiveInt.min(100).max(1_000).default(150),
    /** A signed TRON transaction expires this long after it is built (java-tron accepts at most 24 h). */
    PAYOUT_TRON_EXPIRATION_SECONDS: positiveInt.max(86_400).default(600),
    /** A signed TON message's valid_until is this far ahead; the hot wallet's seqno is held until then. */
    PAYOUT_TON_VALID_SECONDS: positiveInt.max(86_400).default(300),
    /** nanotons attached to a jetton transfer (gas of the two jetton wallets; the excess comes back). */
    PAYOUT_TON_JETTON_ATTACHED_NANOTON: positiveInt.default(50_000_000),
  },
  (e) => ({
    evm: {
      baseFeeMultiplierPercent: e.PAYOUT_EVM_BASE_FEE_MULTIPLIER_PERCENT,
      minPriorityFeeWei: e.PAYOUT_EVM_MIN_PRIORITY_FEE_WEI,
      gasMarginPercent: e.PAYOUT_EVM_GAS_MARGIN_PERCENT,
      replaceBumpBps: e.PAYOUT_EVM_REPLACE_BUMP_BPS,
      stuckAfterSeconds: e.PAYOUT_EVM_STUCK_AFTER_SECONDS,
    },
    tron: { feeLimitPercent: e.PAYOUT_TRON_FEE_LIMIT_PERCENT, expirationSeconds: e.PAYOUT_TRON_EXPIRATION_SECONDS },
    ton: {
      validSeconds: e.PAYOUT_TON_VALID_SECONDS,
      jettonAttachedNanoton: BigInt(e.PAYOUT_TON_JETTON_ATTACHED_NANOTON),
    },
  }),
);

export type PayoutsConfig = ReturnType<typeof payouts.build>;
