/**
 * Default devnet ports of the chain simulators (`devnet/chains/main.ts`), next to the service ports (4000–4190 in
 * platform/config); DEVNET_TRON_PORT and DEVNET_TON_PORT (platform/config/chains.ts, same defaults) move them, and
 * main.ts, the watchers and `devnet:send` all read those. By default:
 *   TronGrid simulator   http://127.0.0.1:4290   (FullNode /wallet/*, /walletsolidity/*, /v1/accounts/…/trc20)
 *   toncenter simulator  http://127.0.0.1:4291   (/api/v2/*, /api/v3/*)
 * Each also serves GET /health and the devnet controls POST /devnet/faucet, /devnet/mine, /devnet/reorg.
 */
export const DEVNET_CHAIN_PORTS = { tron: 4290, ton: 4291 } as const;

export type DevnetChain = keyof typeof DEVNET_CHAIN_PORTS;

/** Base URLs of the simulators as other processes reach them. */
export function devnetChainUrls(
  host = '127.0.0.1',
  ports: Record<DevnetChain, number> = DEVNET_CHAIN_PORTS,
): Record<DevnetChain, string> {
  return { tron: `http://${host}:${ports.tron}`, ton: `http://${host}:${ports.ton}` };
}
