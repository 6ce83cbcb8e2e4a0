/**
 * Background processes `npm start` runs besides the subgraphs and the gateway (each its own entrypoint,
 * started after the subgraphs are healthy). Add a worker or a devnet simulator here to have it started.
 */
export interface RegisteredWorker {
  name: string;
  entry: string;
  /** Only in development/test (simulators, local chains); never started when NODE_ENV=production. */
  devOnly?: boolean;
}

export const workers: RegisteredWorker[] = [
  { name: 'outbox-relay', entry: 'workers/outbox-relay/main.ts' },
  { name: 'price-simulators', entry: 'workers/price-simulators/main.ts', devOnly: true },
  { name: 'price-feed', entry: 'workers/price-feed/main.ts' },
  { name: 'devnet-chains', entry: 'devnet/chains/main.ts', devOnly: true },
];
