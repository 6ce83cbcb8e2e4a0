import 'reflect-metadata';
import { writeHeapSnapshot } from 'node:v8';
import { gatewayProcess } from '../../platform/config/config.js';
import { createLogger } from '../../platform/logger.js';
import { startGateway } from '../../gateway/app.js';

/** bench:subscriptions child: the real gateway (as gateway/main.ts starts it), plus a memory probe over IPC. */
const config = gatewayProcess.load(process.env);
const log = createLogger({ name: 'gateway', level: config.logLevel });
const gateway = await startGateway({ config, log, port: config.gateway.port });
process.send?.({ event: 'listening', port: gateway.port });
process.on('SIGTERM', () => process.exit(0)); // exit normally so --cpu-prof can write its profile
process.on('message', (m: { cmd: string }) => {
  if (m.cmd === 'snapshot') {
    globalThis.gc?.();
    process.send?.({ event: 'snapshot', file: writeHeapSnapshot() });
  }
  if (m.cmd === 'memory') {
    globalThis.gc?.();
    const m = process.memoryUsage();
    process.send?.({ event: 'memory', rss: m.rss, heap: m.heapUsed, sockets: gateway.sockets() });
  }
});
