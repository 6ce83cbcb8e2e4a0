import { z } from 'zod';
import { section } from './env.js';

/**
 * The HTTPS proxy the Iranian banking APIs (Paystar, FinnoTech) are reached through, as the spec names it:
 * `HTTPS_PROXY` (their IP whitelists admit the proxy's address). Unset: direct. A process that calls them includes
 * this section and gives `httpsProxy` to the clients as `proxyUrl` (providers/http/proxy.ts: a CONNECT tunnel).
 * The URL may carry the proxy's credentials: it is never logged.
 */
export const outboundProxy = section(
  { HTTPS_PROXY: z.string().url().optional() },
  (e): { httpsProxy: string | null } => ({ httpsProxy: e.HTTPS_PROXY ?? null }),
);
