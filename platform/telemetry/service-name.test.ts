import { describe, expect, it } from 'vitest';
import { serviceNameOf } from './service-name.js';

describe('serviceNameOf', () => {
  it('names a process after its entrypoint', () => {
    const cwd = '/srv/app';
    expect(serviceNameOf(['node', '/srv/app/gateway/main.ts'], cwd)).toBe('gateway');
    expect(serviceNameOf(['node', 'subgraphs/ledger/main.ts'], cwd)).toBe('ledger');
    expect(serviceNameOf(['node', '/srv/app/workers/outbox-relay/main.ts', '--schema', 'wallet'], cwd)).toBe(
      'outbox-relay',
    );
    expect(serviceNameOf(['node', 'workers/chain-watchers/main.ts', '--network', 'ETH'], cwd)).toBe(
      'chain-watcher-eth',
    );
    expect(serviceNameOf(['node', 'scripts/migrate.ts'], cwd)).toBe('migrate');
  });
});
