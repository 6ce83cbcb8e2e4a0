import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `npm start` runs every process on one machine with its default port; two defaults that meet stop the stack at
 * the second to listen (four such pairs slipped in once: a Telegram and a uWallet simulator, the Exonyx and Perfect
 * Money simulators, the treasury worker and the TRON watcher, then the Nobitex simulator). This reads every default
 * port the configuration declares and checks they are pairwise apart, counting the ports a variable opens beyond
 * its own (one watcher per network, three price simulators, the BSC chain beside ETH's).
 */
const SPANS: Record<string, number> = {
  CHAIN_WATCHER_PORT: 4, // ETH, BSC, TRON, TON: base + 0..3
  PRICE_SIMULATOR_PORT: 3, // CoinGecko, CoinMarketCap, Nobitex
  DEVNET_CHAIN_PORT: 2, // the ETH chain and the BSC chain on the next port
};

function configFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? configFiles(join(dir, e.name))
      : e.name.endsWith('.ts') && !e.name.endsWith('.test.ts')
        ? [join(dir, e.name)]
        : [],
  );
}

function declaredPorts(): { name: string; port: number }[] {
  const found: { name: string; port: number }[] = [];
  for (const file of configFiles('platform/config')) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/\b([A-Z][A-Z0-9_]*_PORT)\b[^\n]*?\.default\(([\d_]+)\)/g))
      found.push({ name: m[1]!, port: Number(m[2]!.replaceAll('_', '')) });
    for (const m of text.matchAll(/\['([A-Z][A-Z0-9_]*_PORT)', (\d+)\]/g))
      found.push({ name: m[1]!, port: Number(m[2]) });
    for (const m of text.matchAll(/export const ([A-Z][A-Z0-9_]*_DEVNET) = \{ port: (\d+)/g))
      found.push({ name: m[1]!, port: Number(m[2]) });
  }
  return found;
}

describe('default ports', () => {
  it('are found for the gateway, every subgraph, worker and simulator', () => {
    const names = declaredPorts().map((p) => p.name);
    for (const name of ['GATEWAY_PORT', 'LEDGER_PORT', 'CHAIN_WATCHER_PORT', 'TREASURY_PORT', 'UWALLET_SIMULATOR_PORT'])
      expect(names).toContain(name);
  });

  it('never share a port, spans included', () => {
    const owners = new Map<number, string[]>();
    for (const { name, port } of declaredPorts()) {
      for (let i = 0; i < (SPANS[name] ?? 1); i++) owners.set(port + i, [...(owners.get(port + i) ?? []), name]);
    }
    const clashes = [...owners]
      .filter(([, names]) => new Set(names).size > 1)
      .map(([port, names]) => `${port}: ${names.join(', ')}`);
    expect(clashes).toEqual([]);
  });
});
