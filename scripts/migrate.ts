import 'reflect-metadata';
import { pathToFileURL } from 'node:url';
import { loadOrExit, migrateProcess, type MigrateConfig } from '../platform/config/config.js';
import { provisionEventStream } from '../platform/bus/nats.js';
import { ensureDatabase } from '../platform/db/database.js';
import { migrateSubgraph, openSubgraphDatabase } from '../platform/db/orm.js';
import { createLogger, type Logger } from '../platform/logger.js';
import { subgraphs } from '../subgraphs/registry.js';
import { NOTIFIER_SCHEMA, notifierMigrations } from '../migrations/notifier/index.js';

/** Creates the database if needed, applies every subgraph's committed migrations and provisions the events stream. */
export async function migrateAll(config: Pick<MigrateConfig, 'database' | 'nats'>, log: Logger): Promise<void> {
  await ensureDatabase(config.database.url);
  // every subgraph's schema, then the schemas workers own (the notifier's)
  const schemas = [
    ...subgraphs.map(({ definition }) => ({ ...definition, entities: definition.entities })),
    { name: NOTIFIER_SCHEMA, entities: [], migrations: notifierMigrations },
  ];
  for (const definition of schemas) {
    const orm = await openSubgraphDatabase({
      schema: definition.name,
      url: config.database.url,
      poolMax: 2,
      entities: definition.entities,
      migrations: definition.migrations,
      log,
    });
    try {
      const applied = await migrateSubgraph(orm, definition.name);
      log.info({ schema: definition.name, applied }, applied.length ? 'migrations applied' : 'schema up to date');
    } finally {
      await orm.close(true);
    }
  }
  await provisionEventStream(config.nats, log);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const config = loadOrExit(migrateProcess);
  const log = createLogger({ name: 'migrate', level: config.logLevel });
  migrateAll(config, log).then(
    () => process.exit(0),
    (err: unknown) => {
      log.fatal({ err }, 'migration failed');
      process.exit(1);
    },
  );
}
