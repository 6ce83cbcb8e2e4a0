import pino from 'pino';
import type { Config } from '../../../platform/config/config.js';
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
export async function openCustodyRuntime(config: Config, name: string): Promise<CustodyRuntime> {
  const log = createLogger({ name, level: config.logLevel, destination: pino.destination(2) });
  await ensureDatabase(config.database.url);
  const orm = await openSubgraphDatabase({ schema: 'wallet', url: config.database.url, poolMax: 2, entities: walletEntities, migrations: walletMigrations, log });
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

/** Reads stdin to the end, or on a terminal one line typed without echo. The chunks read are zeroed. */
export async function readSecretInput(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
    const joined = Buffer.concat(chunks);
    const text = joined.toString('utf8');
    joined.fill(0);
    for (const chunk of chunks) chunk.fill(0);
    return text;
  }
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  const typed: number[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        for (const byte of chunk) {
          if (byte === 0x0d || byte === 0x0a || byte === 0x04) {
            stdin.off('data', onData);
            resolve();
            return;
          }
          if (byte === 0x03) {
            stdin.off('data', onData);
            reject(new Error('interrupted'));
            return;
          }
          if (byte === 0x7f || byte === 0x08) typed.pop();
          else typed.push(byte);
        }
        chunk.fill(0);
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
  const bytes = Buffer.from(typed);
  typed.fill(0);
  const text = bytes.toString('utf8');
  bytes.fill(0);
  return text;
}
