import { Counter, Histogram, type Registry } from 'prom-client';
import type { ProcessorObserver } from '../../subgraphs/wallet/ports.js';

/**
 * The broadcaster's metrics, named as the GitiNext spec does: `withdrawals_processed_total{network,status}` (each
 * move the broadcaster made: SIGNED, BROADCAST, CONFIRMING, COMPLETED, FAILED), the latency of each broadcast
 * call, and signatures whose transaction rolled back (their nonce left unused until the allocator reconciles).
 */
export function createBroadcasterMetrics(registry: Registry): ProcessorObserver {
  const processed = new Counter({
    name: 'withdrawals_processed_total',
    help: 'Withdrawal status changes made by the broadcaster, by network and new status',
    labelNames: ['network', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'withdrawal_broadcast_seconds',
    help: 'Time to hand one signed withdrawal transaction to the network',
    labelNames: ['network'],
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const gaps = new Counter({
    name: 'withdrawal_nonce_gaps_total',
    help: 'Signatures made in a step that then rolled back (their nonce/seqno stays unused until reconciled)',
    labelNames: ['network'],
    registers: [registry],
  });
  return {
    moved: (network, status) => processed.inc({ network, status }),
    broadcast: (network, seconds) => latency.observe({ network }, seconds),
    nonceGap: (network) => gaps.inc({ network }),
  };
}
