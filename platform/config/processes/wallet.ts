import { z } from 'zod';
import { parseMasterKeys, type MasterKeySet } from '../master-keys.js';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { chains } from '../chains.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { masterKeys } from '../secrets.js';
import { payouts } from '../payouts.js';
import { sms } from '../sms.js';
import { subgraphSections } from './subgraph.js';
import { treasuryBands, treasuryColdWallets } from '../treasury.js';

/** The wallet subgraph: the only service that reads WALLET_MASTER_KEYS (custody roots), with its commands. */
const wallet = section(
  {
    WALLET_PORT: port.default(SERVICE_PORT_VARIABLES.wallet[1]),
    ...masterKeys.shape,
    WALLET_MAX_WALLETS_PER_NETWORK: positiveInt.max(100).default(5),
    WALLET_BALANCE_CACHE_SECONDS: positiveInt.max(3600).default(15),
    WITHDRAWAL_ADDRESS_COOL_OFF_SECONDS: z.coerce
      .number()
      .int()
      .min(0)
      .max(30 * 86_400)
      .default(86_400),
    WITHDRAWAL_APPROVAL_THRESHOLD_USD: z.coerce.number().int().min(0).default(1000),
    WITHDRAWAL_HOLD_WAIT_MS: z.coerce.number().int().min(0).max(30_000).default(4000),
    WALLET_PRICE_MAX_AGE_SECONDS: positiveInt.max(86_400).default(300),
    WITHDRAWAL_ADDRESS_CODE_TTL_SECONDS: positiveInt.max(3600).default(300),
    WITHDRAWAL_ADDRESS_CODE_MAX_ATTEMPTS: positiveInt.max(20).default(5),
    WITHDRAWAL_ADDRESS_CODE_RESEND_SECONDS: positiveInt.max(3600).default(60),
    WITHDRAWAL_ADDRESS_CODES_PER_HOUR: positiveInt.max(100).default(5),
  },
  (e, ctx) => ({
    port: e.WALLET_PORT,
    /** Key ids and bytes; prints as ids only. */
    masterKeys: masterKeys.build(e, ctx),
    maxWalletsPerNetwork: e.WALLET_MAX_WALLETS_PER_NETWORK,
    balanceCacheSeconds: e.WALLET_BALANCE_CACHE_SECONDS,
    withdrawals: {
      /** A new destination address is usable this long after it was first added or used (0: at once). */
      addressCoolOffSeconds: e.WITHDRAWAL_ADDRESS_COOL_OFF_SECONDS,
      /** Above this USD value (per asset, unless staff set the asset's own) a withdrawal needs an approver. */
      approvalThresholdUsd: e.WITHDRAWAL_APPROVAL_THRESHOLD_USD,
      /** How long requestWithdrawal waits for the ledger's hold answer before returning REQUESTED. */
      holdWaitMs: e.WITHDRAWAL_HOLD_WAIT_MS,
      /** A market price older than this is not used to convert fees or value a withdrawal. */
      priceMaxAgeSeconds: e.WALLET_PRICE_MAX_AGE_SECONDS,
    },
    /** SMS codes confirming new withdrawal addresses (users with a verified phone). */
    addressCodes: {
      codeTtlSeconds: e.WITHDRAWAL_ADDRESS_CODE_TTL_SECONDS,
      maxAttempts: e.WITHDRAWAL_ADDRESS_CODE_MAX_ATTEMPTS,
      resendSeconds: e.WITHDRAWAL_ADDRESS_CODE_RESEND_SECONDS,
      sendsPerPhonePerHour: e.WITHDRAWAL_ADDRESS_CODES_PER_HOUR,
      sendsPerUserPerHour: e.WITHDRAWAL_ADDRESS_CODES_PER_HOUR,
    },
  }),
);

/** Dev-only data key (public; refused in production). */
export const WALLET_DEV_DATA_KEYS = 'dev-only:d2FsbGV0IGRldi1vbmx5IHBob25lIGRhdGEga2V5IDE=';

/**
 * `WALLET_DATA_KEYS` `id:base64(32 bytes)[,…]` (current: WALLET_DATA_KEY_ID, default the last): the wallet seals the
 * verified phone numbers it learns from kyc (withdrawal-address codes go to them). Only the wallet process holds it.
 */
const walletDataKeys = section(
  {
    WALLET_DATA_KEYS: z.string().optional(),
    WALLET_DATA_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/, 'letters, digits, . _ - (at most 64)')
      .optional(),
  },
  (e, ctx): MasterKeySet => {
    let text = e.WALLET_DATA_KEYS;
    if (!text) {
      if (ctx.production) {
        ctx.problem('WALLET_DATA_KEYS', 'required in production (no dev default is used there)');
        return ctx.invalid();
      }
      ctx.usedDevDefault('WALLET_DATA_KEYS');
      text = WALLET_DEV_DATA_KEYS;
    }
    const source = text;
    return ctx.parse('WALLET_DATA_KEYS', ctx.invalid<MasterKeySet>(), () => {
      const parsed = parseMasterKeys(source, e.WALLET_DATA_KEY_ID, 'WALLET_DATA_KEY_ID');
      const devKey = parseMasterKeys(WALLET_DEV_DATA_KEYS, undefined).entries()[0]!.key;
      try {
        if (ctx.production && parsed.containsKey(devKey))
          ctx.problem('WALLET_DATA_KEYS', 'the dev-only key is refused in production');
      } finally {
        devKey.fill(0);
      }
      return parsed;
    });
  },
);

export const walletProcess = defineProcess('wallet', {
  ...subgraphSections,
  wallet,
  chains,
  payouts,
  coldWallets: treasuryColdWallets,
  hotBands: treasuryBands,
  walletDataKeys,
  sms,
});
export type WalletConfig = ConfigOf<typeof walletProcess>;
