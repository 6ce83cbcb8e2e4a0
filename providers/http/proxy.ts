import { ProxyAgent } from 'undici';

/**
 * `fetch` options that send a provider client's requests through an HTTP(S) proxy (CONNECT tunnel), for the
 * Iranian banking APIs that only answer whitelisted addresses (the spec's `HTTPS_PROXY`). Undefined when no proxy
 * is configured. Pass the result as a client's `fetchInit`. The proxy URL may carry credentials; it is never logged.
 */
export function proxyFetchInit(proxyUrl: string | null | undefined): Record<string, unknown> | undefined {
  if (!proxyUrl) return undefined;
  return { dispatcher: new ProxyAgent(proxyUrl) };
}
