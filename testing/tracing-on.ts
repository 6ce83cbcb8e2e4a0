import { startTestTracing } from './tracing.js';

/**
 * `import { tracing } from '…/testing/tracing-on.js'` as a test file's first import: tracing starts before the imports
 * after it load pg and graphql (they are patched as they load).
 */
export const tracing = startTestTracing();
