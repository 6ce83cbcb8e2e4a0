import { z } from 'zod';
import { chains } from '../chains.js';
import { defineProcess, port, positiveInt, section, type ConfigOf } from '../env.js';
import { payouts } from '../payouts.js';
import { database } from '../pieces.js';
import { masterKeys } from '../secrets.js';

/** Points of a broadcaster step where a test may have the process kill itself (crash-safety tests only). */
export const BROADCASTER_CRASH_POINTS = ['after-sign', 'after-broadcast'] as const;

/**
 * The withdrawal broadcaster: the wallet schema, the master keys (it signs from the hot wallet), the chain
 * endpoints and the payout policy. No NATS: what it changes reaches the bus through the wallet's outbox.
 */
const broadcaster = section(
  {
    WITHDRAWAL_BROADCASTER_PORT: port.default(4189),
    /** Withdrawals of one network worked on at once by this process (each its own row lock). */
    WITHDRAWAL_BROADCASTER_LANES: positiveInt.max(32).default(2),
    WITHDRAWAL_BROADCASTER_POLL_MS: positiveInt.max(60_000).default(500),
    WITHDRAWAL_CONFIRM_POLL_MS: positiveInt.max(600_000).default(2000),
    WITHDRAWAL_RETRY_MS: positiveInt.max(600_000).default(1000),
    /** Test only (refused unless NODE_ENV=test): SIGKILL itself at this point of a step, once. */
    WITHDRAWAL_BROADCASTER_CRASH_AT: z.enum(BROADCASTER_CRASH_POINTS).optional(),
  },
  (e, ctx) => {
    if (e.WITHDRAWAL_BROADCASTER_CRASH_AT && ctx.env !== 'test')
      ctx.problem('WITHDRAWAL_BROADCASTER_CRASH_AT', 'a crash point is a test hook: only with NODE_ENV=test');
    return {
      port: e.WITHDRAWAL_BROADCASTER_PORT,
      lanes: e.WITHDRAWAL_BROADCASTER_LANES,
      pollMs: e.WITHDRAWAL_BROADCASTER_POLL_MS,
      confirmPollMs: e.WITHDRAWAL_CONFIRM_POLL_MS,
      retryMs: e.WITHDRAWAL_RETRY_MS,
      crashAt: e.WITHDRAWAL_BROADCASTER_CRASH_AT ?? null,
    };
  },
);

const wallet = section(masterKeys.shape, (e, ctx) => ({ masterKeys: masterKeys.build(e, ctx) }));

export const withdrawalBroadcasterProcess = defineProcess('withdrawal-broadcaster', {
  database,
  wallet,
  chains,
  payouts,
  broadcaster,
});
export type WithdrawalBroadcasterConfig = ConfigOf<typeof withdrawalBroadcasterProcess>;
