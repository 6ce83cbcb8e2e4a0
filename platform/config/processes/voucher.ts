import { z } from 'zod';
import { parseMasterKeys, type MasterKeySet } from '../master-keys.js';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { SERVICE_PORT_VARIABLES } from '../pieces.js';
import { voucherProviders } from '../vouchers.js';
import { subgraphSections } from './subgraph.js';

/** Dev-only code keys (public; refused in production). */
export const VOUCHER_DEV_KEYS = {
  VOUCHER_CODE_KEYS: 'dev-only:dm91Y2hlci1kZXYtb25seS1jb2RlLWtleS0wMDAwMDE=',
  VOUCHER_CODE_INDEX_KEY: 'dm91Y2hlci1kZXYtb25seS1pbmRleC1rZXktMDAwMDE=',
} as const;

export interface VoucherSettings {
  port: number;
  /** How long buyVoucher waits for the ledger's hold answer before returning the purchase as pending. */
  holdWaitMs: number;
  /** How often the background loop resolves pending and unknown purchases and redemptions. */
  pollMs: number;
  /** A purchase or redemption in flight longer than this (a crash mid-call) is resolved by lookup. */
  inFlightStaleMs: number;
  /** How often the provider balances are read for the low-balance alert. */
  balanceCheckMs: number;
  /** Provider balance (minor units of the currency) under which staff are alerted: `IRT:…,USD:…`. */
  lowBalance: Record<string, bigint>;
}

export interface VoucherCodeKeys {
  keys: MasterKeySet;
  fingerprintKey(): Uint8Array;
}

const BASE64_32 = /^[A-Za-z0-9+/]{43}=$/u;

/** The voucher subgraph: rates, buying, redeeming. */
const voucher = section(
  {
    VOUCHER_PORT: port.default(SERVICE_PORT_VARIABLES.voucher[1]),
    VOUCHER_HOLD_WAIT_MS: positiveInt.default(5_000),
    VOUCHER_POLL_MS: positiveInt.default(1_000),
    VOUCHER_IN_FLIGHT_STALE_MS: positiveInt.default(60_000),
    VOUCHER_BALANCE_CHECK_MS: positiveInt.default(60_000),
    VOUCHER_LOW_BALANCE: z
      .string()
      .regex(/^([A-Z]{3}:\d{1,30})(,[A-Z]{3}:\d{1,30})*$/, 'CURRENCY:MINOR_UNITS[,…] (IRT in Toman, USD in cents)')
      .default('IRT:50000000,USD:100000'),
  },
  (e): VoucherSettings => ({
    port: e.VOUCHER_PORT,
    holdWaitMs: e.VOUCHER_HOLD_WAIT_MS,
    pollMs: e.VOUCHER_POLL_MS,
    inFlightStaleMs: e.VOUCHER_IN_FLIGHT_STALE_MS,
    balanceCheckMs: e.VOUCHER_BALANCE_CHECK_MS,
    lowBalance: Object.fromEntries(
      e.VOUCHER_LOW_BALANCE.split(',').map((pair) => {
        const [currency, minor] = pair.split(':') as [string, string];
        return [currency, BigInt(minor)];
      }),
    ),
  }),
);

/** `VOUCHER_CODE_KEYS` `id:base64(32)[,…]` (current: VOUCHER_CODE_KEY_ID, default the last) and `VOUCHER_CODE_INDEX_KEY`. */
const voucherCodeKeys = section(
  {
    VOUCHER_CODE_KEYS: z.string().optional(),
    VOUCHER_CODE_KEY_ID: z
      .string()
      .regex(/^[A-Za-z0-9._-]{1,64}$/)
      .optional(),
    VOUCHER_CODE_INDEX_KEY: z.string().regex(BASE64_32, 'must be 32 bytes in standard base64').optional(),
  },
  (e, ctx): VoucherCodeKeys => {
    const pick = (name: keyof typeof VOUCHER_DEV_KEYS): string | null => {
      const value = e[name];
      if (value) {
        if (ctx.production && value === VOUCHER_DEV_KEYS[name])
          ctx.problem(name, 'the dev-only key is refused in production');
        return value;
      }
      if (ctx.production) {
        ctx.problem(name, 'required in production');
        return null;
      }
      ctx.usedDevDefault(name);
      return VOUCHER_DEV_KEYS[name];
    };
    const text = pick('VOUCHER_CODE_KEYS');
    const index = pick('VOUCHER_CODE_INDEX_KEY');
    if (!text || !index) return ctx.invalid();
    const keys = ctx.parse('VOUCHER_CODE_KEYS', ctx.invalid<MasterKeySet>(), () =>
      parseMasterKeys(text, e.VOUCHER_CODE_KEY_ID, 'VOUCHER_CODE_KEY_ID'),
    );
    const indexKey = Uint8Array.from(Buffer.from(index, 'base64'));
    return keys ? { keys, fingerprintKey: () => Uint8Array.from(indexKey) } : ctx.invalid();
  },
);

export const voucherProcess = defineProcess('voucher', {
  ...subgraphSections,
  voucher,
  voucherCodeKeys,
  voucherProviders,
});
export type VoucherConfig = ConfigOf<typeof voucherProcess>;
