import { Counter, type Registry } from 'prom-client';
import type { Network } from '../../../chains/network.js';

/** `wallets_created_total{network}` (GitiNext spec): wallets, i.e. deposit addresses, issued to users. */
export function walletCreatedCounter(registry: Registry): (network: Network) => void {
  const created = new Counter({
    name: 'wallets_created_total',
    help: 'Wallets (deposit addresses) created for users, by network',
    labelNames: ['network'],
    registers: [registry],
  });
  return (network) => created.inc({ network });
}
