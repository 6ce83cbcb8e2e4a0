import { runSubgraphMain } from '../../platform/service/main.js';
import { identitySubgraph } from './app.js';

await runSubgraphMain(identitySubgraph, (config) => config.identity.port);
