import { Counter, type Registry } from 'prom-client';

/**
 * `balance_queries_total{network}` (GitiNext spec): balances read, one per user and network asked (a read of
 * a user's TON and USDT_TON balances counts once for TON); Toman is `FIAT`.
 */
export function balanceQueryCounter(registry: Registry): (network: string, users: number) => void {
  const queries = new Counter({
    name: 'balance_queries_total',
    help: "Users' balances read, by network (FIAT for Toman)",
    labelNames: ['network'],
    registers: [registry],
  });
  return (network, users) => queries.inc({ network }, users);
}
