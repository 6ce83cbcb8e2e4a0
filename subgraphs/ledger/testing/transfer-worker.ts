import 'reflect-metadata';
import { ledgerProcess } from '../../../platform/config/config.js';
import { openSubgraphDatabase } from '../../../platform/db/orm.js';
import { createLogger } from '../../../platform/logger.js';
import { buildLedgerServices } from '../app.js';
import { runWorker, type LoadPlan } from './transfer-load.js';

/**
 * A separate process running some of the load test's workers against the same database (its own ledger
 * service, pool and batches), so the test can SIGKILL it mid-way and start it again. Prints `done <worker>
 * <i> <outcome>` per transfer. Input: LEDGER_LOAD_PLAN (JSON LoadPlan), LEDGER_LOAD_WORKERS ("45,46,…"),
 * DATABASE_URL and the ledger settings in the environment.
 */
const config = ledgerProcess.load(process.env);
const log = createLogger({ name: 'ledger-load-worker', level: 'warn' });
const plan = JSON.parse(process.env.LEDGER_LOAD_PLAN ?? '') as LoadPlan;
const workers = (process.env.LEDGER_LOAD_WORKERS ?? '').split(',').map(Number);
const orm = await openSubgraphDatabase({
  schema: 'ledger',
  url: config.database.url,
  poolMax: config.database.poolMax,
  entities: [],
  migrations: [],
  log,
});
const services = buildLedgerServices({ config, orm, log });
await Promise.all(
  workers.map((w) =>
    runWorker(
      services.transfers,
      () => orm.em.fork(),
      plan,
      w,
      (i, outcome) => process.stdout.write(`done ${w} ${i} ${outcome}\n`),
    ),
  ),
);
services.waker.stop();
await orm.close(true);
process.stdout.write('finished\n');
