import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Role, Viewer } from '../../../platform/auth/viewer.js';
import { DomainError } from '../../../platform/errors.js';
import { createLogger } from '../../../platform/logger.js';
import { createRedis, type Redis } from '../../../platform/redis.js';
import { ChainBalanceInputError, type ChainBalanceReader } from '../../../providers/chain-balance/index.js';
import { ProviderTimeoutError } from '../../../providers/http/index.js';
import type { Network } from '../../../chains/network.js';
import { assetsOf, OnChainBalanceService } from './on-chain-balance.service.js';

const log = createLogger({ name: 'test', level: 'silent' });
const prefix = `t_${randomBytes(4).toString('hex')}:`;
const TRON = { network: 'TRON' as Network, address: 'TUEZSdKsoDHQMeZwihtdoBiN46zxhGWYdH' };
let redis: Redis;

const as = (...roles: Role[]): Viewer => ({
  userId: 'usr_00000000000000000000000001',
  roles: ['USER', ...roles],
  claims: [],
  sessionId: null,
});

/** A reader answering from a table, counting calls, optionally slow or failing. */
function fakeReader(
  table: Record<string, bigint>,
  behaviour: { delayMs?: number; fail?: Error } = {},
): ChainBalanceReader & { calls: string[] } {
  const calls: string[] = [];
  return {
    calls,
    async balance(network, symbol, address) {
      calls.push(`${network}:${symbol}:${address}`);
      if (behaviour.delayMs) await new Promise((r) => setTimeout(r, behaviour.delayMs));
      if (behaviour.fail) throw behaviour.fail;
      return table[symbol] ?? 0n;
    },
  };
}

function service(reader: ChainBalanceReader | null, cacheSeconds = 15): OnChainBalanceService {
  return new OnChainBalanceService(
    reader,
    redis,
    { keyPrefix: `${prefix}${randomBytes(3).toString('hex')}:`, cacheSeconds },
    log,
  );
}

async function code(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(DomainError);
  return (err as DomainError).code;
}

beforeAll(() => {
  redis = createRedis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', log);
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  redis.disconnect();
});

describe('Wallet.onChainBalance service', () => {
  it('reads the native coin and USDT of the network, exact in major units', async () => {
    const reader = fakeReader({ TRX: 12_500_000n, USDT_TRON: 3n });
    const balances = await service(reader).of(as('FINANCE'), TRON, null);
    expect(balances.map(({ asset, amount, cached }) => ({ asset, amount, cached }))).toEqual([
      { asset: 'TRX', amount: '12.5', cached: false },
      { asset: 'USDT_TRON', amount: '0.000003', cached: false },
    ]);
    expect(reader.calls.sort()).toEqual([`TRON:TRX:${TRON.address}`, `TRON:USDT_TRON:${TRON.address}`]);
  });

  it('caches in Redis: concurrent and repeated asks read the chain once per period, with the original time', async () => {
    const reader = fakeReader({ BNB: 10n ** 18n }, { delayMs: 50 });
    const svc = service(reader, 1);
    const wallet = { network: 'BSC' as Network, address: '0x9858EfFD232B4033E47d90003D41EC34EcaEda94' };
    const first = await Promise.all(Array.from({ length: 10 }, () => svc.of(as('ADMIN'), wallet, 'BNB')));
    expect(reader.calls).toHaveLength(1);
    expect(new Set(first.map(([b]) => b!.fetchedAt.getTime())).size).toBe(1);
    const again = await svc.of(as('ADMIN'), wallet, 'BNB');
    expect(again[0]).toMatchObject({ amount: '1', cached: true, fetchedAt: first[0]![0]!.fetchedAt });
    expect(reader.calls).toHaveLength(1);
    await new Promise((r) => setTimeout(r, 1100));
    expect((await svc.of(as('ADMIN'), wallet, 'BNB'))[0]!.cached).toBe(false);
    expect(reader.calls).toHaveLength(2);
  });

  it('FINANCE, ADMIN and SUPERADMIN only', async () => {
    const svc = service(fakeReader({}));
    for (const roles of [[], ['SUPPORT'], ['COMPLIANCE']] as Role[][])
      expect(await code(svc.of(as(...roles), TRON, null))).toBe('FORBIDDEN');
    expect(await code(svc.of({ userId: null, roles: [], claims: [], sessionId: null }, TRON, null))).toBe(
      'UNAUTHENTICATED',
    );
    for (const role of ['FINANCE', 'ADMIN', 'SUPERADMIN'] as Role[])
      await expect(svc.of(as(role), TRON, 'TRX')).resolves.toHaveLength(1);
  });

  it('an asset of another network, a fiat or unknown symbol, or a reader input error → BAD_USER_INPUT; nothing read', async () => {
    const reader = fakeReader({});
    const svc = service(reader);
    for (const asset of ['ETH', 'USDT_ETH', 'IRT', 'DOGE', ''])
      expect(await code(svc.of(as('FINANCE'), TRON, asset)), asset).toBe('BAD_USER_INPUT');
    expect(reader.calls).toEqual([]);
    const refusing: ChainBalanceReader = {
      balance: async () =>
        Promise.reject(new ChainBalanceInputError('INVALID_ADDRESS', 'invalid TRON address: not base58')),
    };
    expect(await code(service(refusing).of(as('FINANCE'), TRON, 'TRX'))).toBe('BAD_USER_INPUT');
  });

  it('a chain that cannot be read → SERVICE_UNAVAILABLE (nothing cached); no endpoints configured → SERVICE_UNAVAILABLE', async () => {
    const failing = fakeReader({}, { fail: new ProviderTimeoutError('trongrid', 5000) });
    const svc = service(failing);
    expect(await code(svc.of(as('FINANCE'), TRON, 'TRX'))).toBe('SERVICE_UNAVAILABLE');
    expect(await code(svc.of(as('FINANCE'), TRON, 'TRX'))).toBe('SERVICE_UNAVAILABLE');
    expect(failing.calls).toHaveLength(2);
    expect(await code(service(null).of(as('FINANCE'), TRON, null))).toBe('SERVICE_UNAVAILABLE');
  });

  it('an unexpected reader failure is not dressed up as a domain error', async () => {
    const broken: ChainBalanceReader = { balance: async () => Promise.reject(new TypeError('bug')) };
    await expect(service(broken).of(as('FINANCE'), TRON, 'TRX')).rejects.toThrow(TypeError);
  });

  it('assetsOf lists the native coin and USDT per network', () => {
    expect(
      Object.fromEntries(
        (['TON', 'TRON', 'ETH', 'BSC'] as Network[]).map((n) => [n, assetsOf(n, null).map((a) => a.symbol)]),
      ),
    ).toEqual({
      TON: ['TON', 'USDT_TON'],
      TRON: ['TRX', 'USDT_TRON'],
      ETH: ['ETH', 'USDT_ETH'],
      BSC: ['BNB', 'USDT_BSC'],
    });
  });
});
