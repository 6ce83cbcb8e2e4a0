import { spawnSync } from 'node:child_process';
import {
  findNatsServerBinary,
  ownNatsServerRunning,
  startAuthorizedNatsServer,
  type AuthorizedNatsServer,
} from '../devnet/nats/nats-server.js';
import type { NodeEnv } from '../platform/config/config.js';
import type { NatsConfig } from '../platform/config/pieces.js';
import type { Logger } from '../platform/logger.js';
import {
  describeUnreachable,
  dockerAvailable,
  enginesOf,
  probeTcp,
  unreachableEngines,
} from '../platform/service/engines.js';

/** The engines npm start's children use, with the environment they run in. */
export interface StartEngines {
  env: NodeEnv;
  database: { url: string };
  redis: { url: string };
  nats: NatsConfig;
}

/**
 * npm start's engines: in development, when NATS_URL is not set, an authorized nats-server of its own
 * (devnet/nats, port NATS_DEV_PORT, JetStream store in .tmp/nats-dev-<port>); then every engine is checked, started
 * with Docker Compose when Docker is there, and otherwise named in one readable block before exit 1.
 */
export async function prepareEngines(
  config: StartEngines,
  log: Logger,
  env: Record<string, string | undefined> = process.env,
): Promise<{ stop(): Promise<void> }> {
  let nats: AuthorizedNatsServer | null = null;
  if (!env.NATS_URL && config.env !== 'production' && findNatsServerBinary(env)) {
    const url = `nats://127.0.0.1:${config.nats.devServerPort}`;
    const dir = `.tmp/nats-dev-${config.nats.devServerPort}`;
    if ((await probeTcp('127.0.0.1', config.nats.devServerPort, 500)) === null) {
      // Something listens there already: this checkout's own dev server (left by an npm start that was killed, or
      // `npm run nats:dev`) is reused; anything else (another checkout's server, whose store may be gone) is not.
      if (!ownNatsServerRunning(dir)) {
        process.stderr.write(
          `\n  127.0.0.1:${config.nats.devServerPort} (NATS_DEV_PORT) is taken by a process that is not this checkout's dev nats-server\n` +
            '  (an npm start from another folder?). Stop it, or set NATS_DEV_PORT to a free port, or NATS_URL to a server to use.\n\n',
        );
        process.exit(1);
      }
      log.info({ url }, 'using the dev nats-server already running on NATS_DEV_PORT');
    } else {
      nats = await startAuthorizedNatsServer({
        port: config.nats.devServerPort,
        dir,
        subjectPrefix: config.nats.subjectPrefix,
        stream: config.nats.stream,
        detached: true,
      });
      log.info(
        { url, config: nats.configFile },
        'started the dev nats-server (one user per service, see platform/bus/permissions.ts)',
      );
    }
    config.nats.url = url;
    env.NATS_URL = url; // handed to every child process
  }
  const stop = async () => {
    await nats?.stop();
  };
  let down = await unreachableEngines(enginesOf(config));
  if (down.length && dockerAvailable()) {
    const services = down.map((e) => e.composeService);
    log.info({ services }, 'starting the missing engines with docker compose');
    spawnSync('docker', ['compose', '-f', 'docker-compose.dev.yml', 'up', '-d', ...services], { stdio: 'inherit' });
    for (let i = 0; i < 60 && down.length; i++) {
      await new Promise((r) => setTimeout(r, 1000));
      down = await unreachableEngines(down);
    }
  }
  if (down.length) {
    process.stderr.write(describeUnreachable(down, { docker: dockerAvailable() }));
    await stop();
    process.exit(1);
  }
  return { stop };
}
