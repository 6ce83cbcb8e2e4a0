import type { EntityManager } from '@mikro-orm/postgresql';
import type { Viewer } from '../auth/viewer.js';
import type { Logger } from '../logger.js';
import type { Loaders } from './loaders.js';

/** What every subgraph resolver receives. */
export interface SubgraphContext {
  viewer: Viewer;
  requestId: string;
  log: Logger;
  loaders: Loaders;
  /** A request-scoped fork of the subgraph's EntityManager. */
  em: EntityManager;
}
