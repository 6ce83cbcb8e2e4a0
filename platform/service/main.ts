import 'reflect-metadata';
import { loadOrExit, type ProcessSpec, type RuntimeConfig, type SubgraphConfig } from '../config/config.js';
import { createLogger, type Logger } from '../logger.js';
import { Shutdown } from '../shutdown.js';
import { exitIfEnginesDown } from './engines.js';
import { startSubgraph, type SubgraphDefinition } from './subgraph.js';

/** Logs loudly when dev-only secrets are in use (never possible in production: config refuses). */
export function warnDevDefaults(config: Pick<RuntimeConfig, 'devDefaultsUsed'>, log: Logger): void {
  if (config.devDefaultsUsed.length) {
    log.warn(
      { devDefaults: config.devDefaultsUsed.join(',') },
      '!!! DEV-ONLY DEFAULT SECRETS IN USE: set these variables before exposing this service !!!',
    );
  }
}

/** The whole main.ts of a subgraph: config → connections → serve → drain on SIGTERM. */
export async function runSubgraphMain<C extends SubgraphConfig>(
  definition: SubgraphDefinition<C>,
  spec: ProcessSpec<C>,
  portOf: (config: C) => number,
): Promise<void> {
  const config = loadOrExit(spec);
  const log = createLogger({ name: definition.name, level: config.logLevel });
  warnDevDefaults(config, log);
  await exitIfEnginesDown(config);
  try {
    const running = await startSubgraph(definition, config, log, config.port ?? portOf(config));
    const shutdown = new Shutdown(log, config.shutdownGraceMs);
    shutdown.add('subgraph', () => running.close());
    shutdown.listen();
  } catch (err) {
    log.fatal({ err }, 'could not start');
    process.exit(1);
  }
}
