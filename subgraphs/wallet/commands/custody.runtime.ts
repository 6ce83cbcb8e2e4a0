import pino from 'pino';
import type { WalletCommandsConfig } from '../../../platform/config/config.js';
import { ensureDatabase } from '../../../platform/db/database.js';
import { migrateSubgraph, openSubgraphDatabase, type MikroORM } from '../../../platform/db/orm.js';
import { createLogger, type Logger } from '../../../platform/logger.js';
import { walletMigrations } from '../../../migrations/wallet/index.js';
import { buildKeyring } from '../custody-root/keyring.js';
import { walletEntities } from '../entities.js';
import { CustodyVault } from '../custody-root/custody-vault.js';

/** What an operator command on the custody roots works with: the wallet schema (migrated) and the vault. */
export interface CustodyRuntime {
  orm: MikroORM;
  vault: CustodyVault;
  log: Logger;
  close(): Promise<void>;
}

/** Logs go to stderr, so stdout carries only the command's JSON lines. */
export async function openCustodyRuntime(config: WalletCommandsConfig, name: string): Promise<CustodyRuntime> {
  const log = createLogger({ name, level: config.logLevel, destination: pino.destination(2) });
  await ensureDatabase(config.database.url);
  const orm = await openSubgraphDatabase({
    schema: 'wallet',
    url: config.database.url,
    poolMax: 2,
    entities: walletEntities,
    migrations: walletMigrations,
    log,
  });
  const keyring = buildKeyring(config);
  try {
    await migrateSubgraph(orm, 'wallet');
  } catch (err) {
    keyring.destroy();
    await orm.close(true);
    throw err;
  }
  return {
    orm,
    vault: new CustodyVault(keyring, log),
    log,
    async close() {
      keyring.destroy();
      await orm.close(true);
    },
  };
}
