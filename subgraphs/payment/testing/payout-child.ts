/**
 * A payout worker that dies at the worst moment (payment.e2e.test.ts): it runs one payout step for the withdrawal
 * named in argv, and when the bank has answered but before anything is recorded it prints SENT and waits to be
 * killed (SIGKILL by the test). Configuration: the payments worker's variables in its environment.
 */
import 'reflect-metadata';
import { paymentMigrations } from '../../../migrations/payment/index.js';
import { paymentsWorkerProcess } from '../../../platform/config/config.js';
import { openSubgraphDatabase } from '../../../platform/db/orm.js';
import { createLogger } from '../../../platform/logger.js';
import { paymentEntities } from '../entities.js';
import { HolderService } from '../holder/holder.service.js';
import { SealedData } from '../holder/sealed-data.js';
import { InstrumentService } from '../instrument/instrument.service.js';
import { providersFromConfig } from '../providers.js';
import { WithdrawalService } from '../withdrawal/withdrawal.service.js';

const withdrawalId = process.argv[2]!;
const config = paymentsWorkerProcess.load(process.env);
const log = createLogger({ name: 'payout-child', level: 'silent' });
const orm = await openSubgraphDatabase({
  schema: 'payment',
  url: config.database.url,
  poolMax: 2,
  entities: paymentEntities,
  migrations: paymentMigrations,
  log,
});
const { finnotech } = providersFromConfig(config, log);
const sealed = new SealedData(config.paymentDataKeys);
const instruments = new InstrumentService(finnotech, new HolderService(sealed), sealed, log);
const withdrawals = new WithdrawalService(
  instruments,
  { approvalThresholdToman: 0n, minWithdrawalToman: 0n, holdWaitMs: 0 },
  log,
);
await withdrawals.payoutStep(orm.em.fork(), finnotech, withdrawalId, async () => {
  process.stdout.write('SENT\n');
  await new Promise<never>(() => undefined);
});
process.stdout.write('RECORDED\n');
await orm.close(true);
